"""Opening an existing run file for reading: its engine, scenario, town and progress."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from sim.config import Scenario, open_town
from sim.db import RunFileError, open_run, session_factory
from sim.tables import Run, RunStatus
from world.town import Town


@dataclass(frozen=True, slots=True)
class RunFile:
    path: str
    engine: Engine
    scenario: Scenario
    town: Town
    seed: int
    model_info: str
    last_tick: int | None
    status: RunStatus

    @property
    def live(self) -> bool:
        """Whether a simulation may still be writing the run."""
        return self.status == RunStatus.RUNNING


def open_run_file(path: str | Path) -> RunFile:
    """A checked run file; one clear RunFileError when it is not a usable run."""
    engine = open_run(path)
    with session_factory(engine)() as session:
        run = session.scalars(select(Run)).one_or_none()
        if run is None:
            engine.dispose()
            raise RunFileError(f"{path}: holds no run yet")
        scenario = Scenario.from_json(run.scenario_config)
        info = (run.seed, run.model_info, run.last_tick, run.status)
    return RunFile(str(path), engine, scenario, open_town(scenario), *info)
