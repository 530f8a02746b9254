"""Simulating one run of an experiment: new, resumed, or already finished.

An experiment's folder keeps each run's database, so running the same
`ablate` command again continues unfinished runs and reuses finished ones
(a run already past the target is not run again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from sim.config import Modules, Scenario
from sim.experiments.conditions import ExperimentError, RunJob
from sim.models.base import LanguageModel
from sim.models.factory import load_model
from sim.run import RunSession
from sim.runfile import opened_run


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """How to load a model (`--model`, `--endpoint`, `--endpoint-model`), e.g. in a Ray worker."""

    spec: str
    endpoint: str | None = None
    endpoint_model: str | None = None

    def load(self) -> LanguageModel:
        return load_model(self.spec, self.endpoint, self.endpoint_model, cache=False)


@dataclass(frozen=True, slots=True)
class JobResult:
    """What simulating one run did."""

    label: str
    ticks: int
    wall_seconds: float
    last_tick: int
    model_calls: int
    reused: bool = False

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def execute_job(job: RunJob, scenario: Scenario, model: LanguageModel, target: int,
                on_tick: Callable[[RunJob, int], None] | None = None) -> JobResult:
    """Simulate `job` up to tick `target` (absolute) with `model`, in its own database."""
    if _exists(job.db):
        last = _check_existing(job, scenario)
        if last is not None and last >= target:
            return JobResult(job.label, 0, 0.0, last, 0, reused=True)
        session = RunSession.open(job.db, model)
    else:
        job.db.parent.mkdir(parents=True, exist_ok=True)
        ablated = scenario.with_modules(Modules.from_condition(job.condition))
        session = RunSession.create(job.db, ablated, job.seed, model)
    try:
        with session.advancing():
            session.run_until(target, (lambda tick: on_tick(job, tick)) if on_tick else None)
        return JobResult(job.label, session.stats.ticks, session.stats.wall_seconds,
                         session.last_tick if session.last_tick is not None else -1,
                         session.recorder.stats.total_calls)
    finally:
        session.close()


def _exists(db: Path) -> bool:
    return db.exists() and db.stat().st_size > 0


def _check_existing(job: RunJob, scenario: Scenario) -> int | None:
    """The existing run's last tick; ExperimentError when it is another experiment's run."""
    with opened_run(job.db) as (_sessions, stored):
        found = (stored.scenario.name, stored.scenario.modules.condition, stored.seed)
        if found != (scenario.name, job.condition, job.seed):
            raise ExperimentError(
                f"{job.db}: holds another run ({found[0]}, {found[1]}, seed {found[2]}); "
                "choose another --out")
        return stored.last_tick
