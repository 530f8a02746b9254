"""The scenario model: the residents, what they intend, and the settings of the run.

Fields validate one at a time; the cross-references (relationships and
intentions naming residents, unique names and ids) are checked once the whole
scenario has parsed, and point at the offending field.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Self

from pydantic import Field, PrivateAttr, field_validator, model_validator

from sim.clock import Clock
from sim.config.errors import FieldProblem, ScenarioError, validate
from sim.config.fields import (
    ArenaRef,
    Colour,
    Count,
    GameTime,
    Key,
    MapPath,
    Name,
    PlaceRef,
    Strict,
    Text,
    TimeOfDay,
    clock_minutes,
)
from sim.config.settings import (
    ConversationSettings,
    MemorySettings,
    ModelSettings,
    Modules,
    PerceptionSettings,
    PlanningSettings,
    RecordingSettings,
    ReflectionSettings,
    RetrievalSettings,
)

MAX_RESIDENTS = 300
"""The most residents a scenario may have. Measured with the fake model on 2 shared CPU cores:
300 residents take about 20 s for their first tick, and every resident perceives every other,
so 3,000 would take half an hour a tick with no sign of progress."""


class Relationship(Strict):
    """Whom a resident knows at the start, in its own words."""

    name: Name
    description: Text


class Resident(Strict):
    """A resident as the scenario writes it; `home` is the arena of its bed ("Sector:arena")."""

    name: Name
    age: int = Field(ge=0, le=130)
    traits: list[Text] = Field(min_length=1)
    background: Text
    occupation: Text
    lifestyle: Text
    wakes_at: TimeOfDay = "07:00"
    sleeps_at: TimeOfDay = "23:00"
    home: ArenaRef
    workplace: PlaceRef | None = None
    known_places: list[PlaceRef] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    seed_memories: list[Text] = Field(default_factory=list)
    color: Colour | None = None

    @model_validator(mode="after")
    def _check_relationships(self) -> Self:
        seen: dict[str, int] = {}
        for j, relationship in enumerate(self.relationships):
            where = ("relationships", j, "name")
            if relationship.name == self.name:
                raise FieldProblem(where, f"{self.name!r} cannot have a relationship with themself")
            if relationship.name in seen:
                raise FieldProblem(where, f"duplicate relationship with {relationship.name!r} "
                                          f"(also relationships[{seen[relationship.name]}])")
            seen[relationship.name] = j
        return self

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @property
    def home_sector(self) -> str:
        """The building of its home, e.g. "Lin family house"."""
        return self.home.split(":")[0]

    @property
    def places(self) -> tuple[str, ...]:
        """Where its spatial memory starts: its whole home, workplace, known places; no repeats."""
        named = [self.home_sector, self.workplace, *self.known_places]
        return tuple(dict.fromkeys(place for place in named if place is not None))

    @property
    def wake_minute(self) -> int:
        return clock_minutes(self.wakes_at)

    @property
    def sleep_minute(self) -> int:
        return clock_minutes(self.sleeps_at)


class Intention(Strict):
    """Something one resident knows at the start and others learn only by being told.

    The resident starts with `description` as a memory. `topic` and the
    event's place and time are the ground truth that the diffusion, probe and
    attendance metrics check against; an intention may have no event.
    """

    id: Key
    resident: Name
    topic: Text
    description: Text
    place: PlaceRef | None = None
    start: GameTime | None = None
    end: GameTime | None = None

    @model_validator(mode="after")
    def _check_event(self) -> Self:
        if (self.start is None) != (self.end is None):
            missing = "end" if self.end is None else "start"
            raise FieldProblem((missing,), "start and end must be given together")
        if self.start is not None and self.end is not None:
            if self.end <= self.start:
                raise FieldProblem(("end",), "must be after start")
            if self.place is None:
                raise FieldProblem(("place",), "required when the intention has a start and end")
        return self


class Probe(Strict):
    """A knowledge question put to every resident; `expect` are phrases a right answer names."""

    id: Key
    question: Text
    intention: Key | None = None
    expect: list[Text] = Field(default_factory=list)


class Scenario(Strict):
    """A whole scenario; `source` (set by the loader, not a field) names the file it came from."""

    name: Name
    description: str = ""
    start: GameTime
    tick_seconds: Count = 10
    map: MapPath
    residents: list[Resident] = Field(min_length=1)
    intentions: list[Intention] = Field(default_factory=list)
    probes: list[Probe] = Field(default_factory=list)
    modules: Modules = Modules()
    memory: MemorySettings = MemorySettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    reflection: ReflectionSettings = ReflectionSettings()
    perception: PerceptionSettings = PerceptionSettings()
    conversation: ConversationSettings = ConversationSettings()
    planning: PlanningSettings = PlanningSettings()
    recording: RecordingSettings = RecordingSettings()
    model: ModelSettings = ModelSettings()

    _source: str = PrivateAttr(default="<scenario>")

    @field_validator("residents", mode="before")
    @classmethod
    def _not_too_many(cls, value: object) -> object:
        if isinstance(value, list) and len(value) > MAX_RESIDENTS:
            raise ValueError(f"{len(value)} residents; at most {MAX_RESIDENTS} are supported "
                             "(each tick's perception grows with the square of their number)")
        return value

    @field_validator("tick_seconds")
    @classmethod
    def _divides_an_hour(cls, value: int) -> int:
        if 3600 % value:
            raise ValueError(f"{value} does not divide an hour (3600 s) evenly")
        return value

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        residents: dict[str, int] = {}
        for i, resident in enumerate(self.residents):
            if resident.name in residents:
                first = residents[resident.name]
                raise FieldProblem(("residents", i, "name"), f"duplicate resident "
                                   f"{resident.name!r} (also residents[{first}])")
            residents[resident.name] = i
        for i, resident in enumerate(self.residents):
            for j, relationship in enumerate(resident.relationships):
                _require_known(relationship.name, residents, "resident",
                               ("residents", i, "relationships", j, "name"))
        _require_unique([intention.id for intention in self.intentions], "intentions")
        for i, intention in enumerate(self.intentions):
            _require_known(intention.resident, residents, "resident", ("intentions", i, "resident"))
        _require_unique([probe.id for probe in self.probes], "probes")
        intentions = {intention.id: i for i, intention in enumerate(self.intentions)}
        for i, probe in enumerate(self.probes):
            if probe.intention is not None:
                _require_known(probe.intention, intentions, "intention", ("probes", i, "intention"))
        return self

    @property
    def source(self) -> str:
        return self._source

    @property
    def clock(self) -> Clock:
        return Clock(self.start, self.tick_seconds)

    def resident(self, name: str) -> Resident:
        """The resident called `name`; KeyError listing the residents when there is none."""
        for resident in self.residents:
            if resident.name == name:
                return resident
        raise KeyError(f"no resident {name!r} in {self.source} "
                       f"(residents: {', '.join(r.name for r in self.residents)})")

    def intention(self, intention_id: str) -> Intention:
        for intention in self.intentions:
            if intention.id == intention_id:
                return intention
        raise KeyError(f"no intention {intention_id!r} in {self.source}")

    def with_modules(self, modules: Modules) -> Scenario:
        """The same scenario under another ablation condition."""
        return self.model_copy(update={"modules": modules})

    def to_json(self) -> str:
        """The scenario as a run stores it, so `--resume` needs no scenario file."""
        return json.dumps({"source": self.source, "scenario": self.model_dump(mode="json")},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Scenario:
        """Inverse of `to_json`; ScenarioError when the stored text is not a scenario."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"stored scenario: not JSON ({exc})") from exc
        if not isinstance(data, dict) or set(data) != {"source", "scenario"}:
            raise ScenarioError("stored scenario: expected an object with 'source' and 'scenario'")
        return cls.parse(data["scenario"], source=str(data["source"]), label_suffix=" (stored)")

    @classmethod
    def parse(cls, data: object, *, source: str, base_dir: Path | None = None,
              label_suffix: str = "") -> Scenario:
        """Validate plain data (parsed TOML or JSON); errors start with `source`."""
        scenario = validate(cls, data, source + label_suffix, {"base_dir": base_dir})
        scenario._source = source
        return scenario


def _require_known(name: str, known: dict[str, int], what: str, loc: tuple[str | int, ...]) -> None:
    if name not in known:
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise FieldProblem(loc, f"unknown {what} {name!r}{hint}")


def _require_unique(ids: Sequence[str], field: str) -> None:
    seen: dict[str, int] = {}
    for i, key in enumerate(ids):
        if key in seen:
            raise FieldProblem((field, i, "id"),
                               f"duplicate id {key!r} (also {field}[{seen[key]}])")
        seen[key] = i
