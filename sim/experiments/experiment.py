"""An ablation experiment from start to finish: simulate, evaluate, judge, report.

    DIR/runs/CONDITION-seedN.sqlite   each run (end to end: one per condition and seed;
                                      at interview time: full-seedN only)
    DIR/experiment.json               the settings, the runs, the shared batching figures
    DIR/metrics, runs.csv, results.csv, results.md, plots/   see `report` and `plots`

The runs step in lock-step in one process on one model (`lockstep`), or go
out to Ray with `ray`. The evaluation then asks every cell's residents through
that same model, its requests batched across cells.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import NoReturn

from tqdm import tqdm

from sim.config import Scenario
from sim.experiments import plots, report
from sim.experiments.conditions import RunJob, plan_experiment
from sim.experiments.evaluation import CellResult, EvalSettings, evaluate
from sim.experiments.lockstep import LockstepStats, run_in_lockstep
from sim.experiments.runs import JobResult, ModelSpec, execute_job
from sim.models.base import LanguageModel


@dataclass(frozen=True, slots=True)
class ExperimentConfig:
    scenario: Scenario
    conditions: tuple[str, ...]
    seeds: int
    target: int
    out: Path
    model: ModelSpec
    at_interview: bool = False
    judge: ModelSpec | None = None
    ray: bool = False
    evaluation: EvalSettings = field(default_factory=EvalSettings)

    def to_json(self) -> dict[str, object]:
        clock = self.scenario.clock
        return {"scenario": self.scenario.name, "source": self.scenario.source,
                "conditions": list(self.conditions), "seeds": self.seeds,
                "target_tick": self.target, "target_time": clock.format(self.target),
                "ablation": "interview" if self.at_interview else "run",
                "model": asdict(self.model), "judge": asdict(self.judge) if self.judge else None,
                "ray": self.ray, "evaluation": asdict(self.evaluation)}


@dataclass(slots=True)
class ExperimentResult:
    cells: list[CellResult]
    jobs: list[JobResult]
    lockstep: LockstepStats | None
    written: list[Path]
    table: str


def run_experiment(config: ExperimentConfig, model: LanguageModel | None = None,
                   show_progress: bool = True) -> ExperimentResult:
    """Run, evaluate and report; `model` (else `config.model`, loaded) answers everything."""
    jobs, cells = plan_experiment(config.conditions, config.seeds, config.out / "runs",
                                  at_interview=config.at_interview)
    own_model = model is None
    lockstep: LockstepStats | None = None
    try:
        if config.ray:
            from sim.experiments.ray_runner import run_on_ray
            with _bar(len(jobs), "runs (ray)", "run", show_progress) as bar:
                job_results = run_on_ray(jobs, config.scenario, config.model, config.target,
                                         on_done=lambda _result: _tick(bar))
            model = model or config.model.load()
        else:
            model = model or config.model.load()
            job_results, lockstep = _simulate_lockstep(jobs, config, model, show_progress)
        stages = 1 + config.evaluation.checkpoints
        with _bar(stages, "evaluating", "stage", show_progress) as bar:
            results = evaluate(cells, model, config.evaluation,
                               progress=lambda stage: _tick(bar, stage))
        if config.judge is not None:
            _judge(results, config)
    finally:
        if own_model and model is not None:
            model.close()
    written, table = _write(config, results, job_results, lockstep)
    return ExperimentResult(results, job_results, lockstep, written, table)


def _simulate_lockstep(jobs: list[RunJob], config: ExperimentConfig, model: LanguageModel,
                       show_progress: bool) -> tuple[list[JobResult], LockstepStats]:
    lock = threading.Lock()
    reached = {job.label: -1 for job in jobs}
    with _bar(len(jobs) * (config.target + 1), f"{len(jobs)} runs in lock-step", "tick",
              show_progress) as bar:
        def on_tick(job: RunJob, tick: int) -> None:
            with lock:
                bar.update(tick - reached[job.label])
                reached[job.label] = tick

        tasks: list[Callable[[LanguageModel], JobResult]] = [
            partial(_execute, job, config.scenario, config.target, on_tick) for job in jobs]
        return run_in_lockstep(tasks, model)


def _execute(job: RunJob, scenario: Scenario, target: int,
             on_tick: Callable[[RunJob, int], None], model: LanguageModel) -> JobResult:
    return execute_job(job, scenario, model, target, on_tick)


def _judge(results: list[CellResult], config: ExperimentConfig) -> None:
    from sim.experiments.judge import rank

    assert config.judge is not None
    judge = config.judge.load()
    try:
        ratings = rank(results, config.scenario, judge)
    finally:
        judge.close()
    for result in results:
        result.metrics.trueskill = ratings[result.cell.seed, result.cell.condition]


def _write(config: ExperimentConfig, results: list[CellResult], jobs: list[JobResult],
           lockstep: LockstepStats | None) -> tuple[list[Path], str]:
    out = config.out
    out.mkdir(parents=True, exist_ok=True)
    written = report.write_metrics(out, results)
    written += report.write_csv(out, results)
    notes = [f"Scenario {config.scenario.name}, {config.seeds} seed(s), up to "
             f"{config.scenario.clock.format(config.target)}; ablated "
             + ("at interview time (memory kinds hidden)." if config.at_interview
                else "end to end (whole runs with the modules off).")]
    table = report.markdown(results, "Ablation results", notes)
    (out / "results.md").write_text(table)
    written.append(out / "results.md")
    if plots.plots_available():
        written += plots.write_plots(out, results)
    else:
        print("plots skipped: matplotlib is not installed "
              "(pip install 'generative-town[experiments]')", file=sys.stderr)
    written.append(report.write_json(out / "experiment.json", {
        **config.to_json(), "runs": [job.to_json() for job in jobs],
        "lockstep": lockstep.to_json() if lockstep else None}))
    return written, table


def _tick(bar: tqdm[NoReturn], stage: str | None = None) -> None:
    """One more unit done on a progress bar; `stage` names what runs next."""
    if stage is not None:
        bar.set_postfix_str(stage)
    bar.update(1)


def _bar(total: int, description: str, unit: str, show: bool) -> tqdm[NoReturn]:
    return tqdm(total=total, desc=description, unit=unit, file=sys.stderr, dynamic_ncols=True,
                disable=None if show else True)
