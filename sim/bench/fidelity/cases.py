"""The benchmark's towns and labelled cases, read from the TOML files in `towns/`.

One file per town: its places as a tree (`[places."Sector"] arena = ["object", ...]`, no
map needed), its cast (`[[residents]]`, validated exactly like a scenario's residents) and
its cases, one array of tables per prompt kind (`[[plan]]`, `[[location]]`, `[[react]]`,
`[[talk]]`, `[[importance]]`, `[[probe]]`, `[[interview]]`). Every name a case uses must be
in its town: a file that breaks that raises `ScenarioError` with one line,
"FILE: FIELD.PATH: problem".
"""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from typing import Literal, Self

from pydantic import Field, model_validator

from sim.config import Resident, ScenarioError
from sim.config.errors import FieldProblem, validate
from sim.config.fields import Key, Name, PlaceRef, Strict, Text, TimeOfDay

KINDS = ("plan", "location", "react", "talk", "importance", "probe", "interview")
"""The prompt kinds the benchmark has cases for, in the order they are run and reported."""


class Case(Strict):
    """What every case has: the resident it is put to, the time of day, what it remembers."""

    resident: Name
    time: TimeOfDay = "10:00"
    memories: list[Text] = Field(default_factory=list)


class PlanCase(Case):
    """The resident wakes at its waking time and plans the day; `intention` is held with
    the time `at` it is for, and counts as planned when an item active then names one
    of `keywords`."""

    intention: Text | None = None
    at: TimeOfDay | None = None
    keywords: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _timed(self) -> Self:
        if self.intention is not None and (self.at is None or not self.keywords):
            raise FieldProblem(("intention",), "an intention needs `at` and `keywords`")
        return self


class LocationCase(Case):
    """Where the resident goes for `activity`: the sector `expect` names ("Sector"), and
    the arena too when it names one ("Sector:arena")."""

    activity: Text
    expect: PlaceRef


class ReactCase(Case):
    """The resident, busy with `activity`, notices `observation` at `place`; `expect`
    says whether it should drop what it does and react."""

    activity: Text
    place: PlaceRef
    observation: Text
    expect: bool


class TalkCase(Case):
    """The resident, busy with `activity` at `place`, sees `partner` (`partner_activity`);
    `expect` says whether it should start a conversation."""

    activity: Text
    place: PlaceRef
    partner: Name
    partner_activity: Text
    expect: bool


class ImportanceCase(Case):
    """Two memories of one resident: `mundane` must be rated below `poignant`."""

    mundane: Text
    poignant: Text


class ProbeCase(Case):
    """A knowledge question with lettered `options` (an "I don't know" is added last).
    With `known`, the memories hold the answer, option `truth`; without, the right
    answer is "I don't know"."""

    question: Text
    options: list[Text] = Field(min_length=2, max_length=5)
    truth: int = Field(ge=0)
    known: bool

    @model_validator(mode="after")
    def _truth_listed(self) -> Self:
        if self.truth >= len(self.options):
            raise FieldProblem(("truth",), f"no option {self.truth} among {len(self.options)}")
        return self


Category = Literal["self", "memory", "plans", "reactions", "reflections"]
"""The paper's five interview categories (Park et al. 2023, section 6.1)."""


class InterviewCase(Case):
    """An interviewer's question of one of the paper's categories."""

    question: Text
    category: Category


class TownCases(Strict):
    """One benchmark town: places, cast, and its cases by kind."""

    name: Key
    description: Text
    date: date
    places: dict[Name, dict[Name, list[Name]]] = Field(min_length=2)
    residents: list[Resident] = Field(min_length=2)
    plan: list[PlanCase] = Field(default_factory=list)
    location: list[LocationCase] = Field(default_factory=list)
    react: list[ReactCase] = Field(default_factory=list)
    talk: list[TalkCase] = Field(default_factory=list)
    importance: list[ImportanceCase] = Field(default_factory=list)
    probe: list[ProbeCase] = Field(default_factory=list)
    interview: list[InterviewCase] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_known(self) -> Self:
        people = {r.name for r in self.residents}
        for i, resident in enumerate(self.residents):
            for field, place in (("home", resident.home), ("workplace", resident.workplace),
                                 *(("known_places", p) for p in resident.known_places)):
                if place is not None and not self.has_place(place):
                    raise FieldProblem(("residents", i, field), f"no place {place!r} in the town")
        for kind in KINDS:
            for i, case in enumerate(self.cases(kind)):
                if case.resident not in people:
                    raise FieldProblem((kind, i, "resident"), f"no resident {case.resident!r}")
                partner = getattr(case, "partner", None)
                if partner is not None and partner not in people - {case.resident}:
                    raise FieldProblem((kind, i, "partner"), f"no other resident {partner!r}")
                for field in ("place", "expect"):
                    place = getattr(case, field, None)
                    if isinstance(place, str) and not self.has_place(place):
                        raise FieldProblem((kind, i, field), f"no place {place!r} in the town")
        return self

    def has_place(self, ref: str) -> bool:
        """Whether "Sector" or "Sector:arena" is in the town."""
        sector, _, arena = ref.partition(":")
        return sector in self.places and (not arena or arena in self.places[sector])

    def cases(self, kind: str) -> list[Case]:
        """The town's cases of `kind` (one of `KINDS`), in file order."""
        if kind not in KINDS:
            raise ValueError(f"unknown case kind {kind!r}")
        return list(getattr(self, kind))

    def resident(self, name: str) -> Resident:
        return next(r for r in self.residents if r.name == name)


def read_town(text: str, label: str) -> TownCases:
    """Parse one town file's text; ScenarioError "LABEL: FIELD.PATH: problem" when bad."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{label}: invalid TOML: {exc}") from exc
    return validate(TownCases, data, label, {})


def shipped_towns() -> list[TownCases]:
    """The benchmark's towns, by file name."""
    folder = resources.files("sim.bench.fidelity.towns")
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".toml")),
                     key=lambda e: e.name)
    return [read_town(entry.read_text(encoding="utf-8"), entry.name) for entry in entries]
