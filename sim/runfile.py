"""Opening an existing run file: sessions on it and what its `run` row records.

`opened_run` gives sessions on an existing run file and its identity
(`StoredRun`), read-only unless a command writes (`whisper`, `event`). A live
run can be read while it is written, since every query is its own short
transaction. `read_stored_run` validates what the program later relies on (one
run row, a known status, the stored scenario, model info and residents' states),
so a damaged file is refused in one line naming it. Questions the run cannot
answer (a resident it does not have) raise `RunQueryError`, reported in one line
by the command line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import String, Text, func, select, type_coerce
from sqlalchemy.orm import Session, sessionmaker

from agents.state import AgentState
from agents.tables import AgentRow
from sim.clock import Clock
from sim.config import Scenario, ScenarioError, open_town
from sim.db import RunFileError, open_run, session_factory
from sim.liveness import STALE_AFTER_S, run_is_live
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
    failure: str | None = None
    live: bool = False
    """Whether a process is advancing the run now (status running and a fresh heartbeat)."""

    @property
    def clock(self) -> Clock:
        return self.scenario.clock

    @property
    def model_label(self) -> str:
        name, backend = self.model_info.get("name", "?"), self.model_info.get("backend", "?")
        return name if name == backend else f"{name} ({backend})"

    @property
    def condition(self) -> str:
        """The status in words: why a run failed, and a running run whose process is gone."""
        if self.status == RunStatus.FAILED.value and self.failure:
            return f"failed: {self.failure}"
        if self.status == RunStatus.RUNNING.value and not self.live:
            return (f"stopped (marked running, but no heartbeat for over {STALE_AFTER_S:.0f} s: "
                    "its process is gone; --resume continues it)")
        return self.status

    def resident(self, name: str) -> str:
        """`name` if the run has that resident; RunQueryError listing the residents otherwise."""
        names = [r.name for r in self.scenario.residents]
        if name in names:
            return name
        raise RunQueryError(f"{self.location}: no resident {name!r} in this run "
                            f"(residents: {', '.join(names)})")

    def town(self) -> Town:
        return open_town(self.scenario)

    def reached(self) -> str:
        """The game time of the last committed tick, in words."""
        if self.last_tick is None:
            return f"not started ({self.clock.format(0)})"
        return f"{self.clock.format(self.last_tick)} (tick {self.last_tick})"


@contextmanager
def opened_run(db: str | Path, *, write: bool = False
               ) -> Iterator[tuple[sessionmaker[Session], StoredRun]]:
    """Sessions on an existing, validated run file and its identity; closed afterwards.

    Read-only unless `write`. RunFileError (one line naming the file) for a missing, foreign
    or damaged file.
    """
    engine = open_run(db, write=write)
    try:
        sessions = session_factory(engine)
        with sessions() as session:
            stored = read_stored_run(session, str(db))
        yield sessions, stored
    finally:
        engine.dispose()


def read_stored_run(session: Session, location: str) -> StoredRun:
    """The run row, validated; RunFileError naming `location` and the damage otherwise."""
    raw_status = type_coerce(Run.__table__.c.status, String)
    rows = session.execute(select(Run.scenario_config, Run.seed, Run.model_info, Run.last_tick,
                                  raw_status, Run.failure, Run.heartbeat_at,
                                  func.current_timestamp())).all()
    if not rows:
        raise RunFileError(f"{location}: holds no run yet")
    if len(rows) > 1:
        raise RunFileError(f"{location}: damaged run file: {len(rows)} run rows, "
                           "a run file holds one")
    config, seed, model_text, last_tick, status, failure, heartbeat, now = rows[0]
    if status not in {s.value for s in RunStatus}:
        raise RunFileError(f"{location}: damaged run file: unknown run status {status!r}")
    try:
        scenario = Scenario.from_json(config)
    except ScenarioError as exc:
        raise RunFileError(f"{location}: damaged run file: {exc}") from None
    model_info = _model_info(location, model_text)
    _check_agent_states(session, location)
    return StoredRun(location=location, scenario=scenario, seed=seed, model_info=model_info,
                     last_tick=last_tick, status=status, failure=failure,
                     live=run_is_live(status, heartbeat, now))


def _model_info(location: str, text: str) -> dict[str, str]:
    try:
        info = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RunFileError(f"{location}: damaged run file: the run's model info is not JSON "
                           f"({exc})") from None
    if not isinstance(info, dict) or not all(isinstance(v, str) for v in info.values()):
        raise RunFileError(f"{location}: damaged run file: the run's model info is not an "
                           "object of strings")
    return info


def _check_agent_states(session: Session, location: str) -> None:
    """Every resident's stored cognition state parses (`AgentState.from_json`)."""
    raw_state = type_coerce(AgentRow.__table__.c.state, Text)
    for name, raw in session.execute(select(AgentRow.name, raw_state).order_by(AgentRow.id)):
        try:
            data = json.loads(raw) if isinstance(raw, str | bytes) else raw
            if not isinstance(data, dict):
                raise ValueError(f"a JSON {type(data).__name__}, not an object")
            AgentState.from_json(data)
        except (ValueError, KeyError, TypeError) as exc:
            raise RunFileError(f"{location}: damaged run file: resident {name!r} has a damaged "
                               f"state ({type(exc).__name__}: {exc})") from None
