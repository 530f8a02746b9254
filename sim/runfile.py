"""Opening an existing run file: sessions on it and what its `run` row records.

`opened_run` gives sessions on an existing run file and its identity
(`StoredRun`). A live run can be read while it is written, since every query
is its own short transaction. Questions the run cannot answer (a resident it
does not have) raise `RunQueryError`, reported in one line by the command line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sim.clock import Clock
from sim.config import Scenario, open_town
from sim.db import RunFileError, open_run, session_factory
from sim.tables import Run, RunStatus
from world.town import Town


class RunQueryError(RunFileError):
    """The run has no such thing: a resident, a place, a memory kind or a tick it never reached."""


@dataclass(frozen=True, slots=True)
class StoredRun:
    """An existing run's identity, as its `run` row records it."""

    location: str
    scenario: Scenario
    seed: int
    model_info: dict[str, str]
    last_tick: int | None
    status: str

    @property
    def clock(self) -> Clock:
        return self.scenario.clock

    @property
    def model_label(self) -> str:
        name, backend = self.model_info.get("name", "?"), self.model_info.get("backend", "?")
        return name if name == backend else f"{name} ({backend})"

    def resident(self, name: str) -> str:
        """`name` if the run has that resident; RunQueryError listing the residents otherwise."""
        names = [r.name for r in self.scenario.residents]
        if name in names:
            return name
        raise RunQueryError(f"{self.location}: no resident {name!r} in this run "
                            f"(residents: {', '.join(names)})")

    @property
    def live(self) -> bool:
        """Whether a simulation may still be writing the run (a viewer then follows it)."""
        return self.status == RunStatus.RUNNING.value

    def town(self) -> Town:
        return open_town(self.scenario)

    def reached(self) -> str:
        """The game time of the last committed tick, in words."""
        if self.last_tick is None:
            return f"not started ({self.clock.format(0)})"
        return f"{self.clock.format(self.last_tick)} (tick {self.last_tick})"


@contextmanager
def opened_run(db: str | Path) -> Iterator[tuple[sessionmaker[Session], StoredRun]]:
    """Sessions on an existing run file and its identity; the engine is closed afterwards."""
    engine = open_run(db)
    try:
        sessions = session_factory(engine)
        with sessions() as session:
            run = session.scalars(select(Run)).one_or_none()
        if run is None:
            raise RunFileError(f"{db}: holds no run yet")
        stored = StoredRun(location=str(db), scenario=Scenario.from_json(run.scenario_config),
                           seed=run.seed, model_info=json.loads(run.model_info),
                           last_tick=run.last_tick, status=str(run.status))
        yield sessions, stored
    finally:
        engine.dispose()
