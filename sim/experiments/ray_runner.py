"""Fanning an experiment's runs out over Ray (`ablate --ray`), one task per run.

Each task loads its own model and writes its own run file, so nothing is
shared between tasks; runs do not batch across tasks (within one process,
`lockstep` does that). Without `RAY_ADDRESS` a local Ray is started bound to
loopback, without its dashboard and usage statistics; with it, the runs go to
that cluster, whose workers must see the output folder and import this package.
Ray is the optional `sweep` extra.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sim.config import Scenario
from sim.experiments.conditions import ExperimentError, RunJob
from sim.experiments.runs import JobResult, ModelSpec, execute_job

INSTALL_HINT = "pip install 'generative-town[sweep]'"


def _ray() -> Any:
    try:
        import ray
    except ModuleNotFoundError as exc:
        raise ExperimentError(f"--ray needs Ray, which is not installed: {INSTALL_HINT}") from exc
    return ray


def simulate(job: RunJob, scenario_json: str, model: ModelSpec, target: int) -> JobResult:
    """One run in a worker: its own model, its own file."""
    loaded = model.load()
    try:
        return execute_job(job, Scenario.from_json(scenario_json), loaded, target)
    finally:
        loaded.close()


def run_on_ray(jobs: Sequence[RunJob], scenario: Scenario, model: ModelSpec, target: int,
               on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]:
    """Every job as a Ray task; results in the order of `jobs`."""
    ray = _ray()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    started_here = not ray.is_initialized()
    if started_here:
        code = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(p for p in (code, os.environ.get("PYTHONPATH", "")) if p)
        runtime_env = {"env_vars": {"PYTHONPATH": path, "RAY_USAGE_STATS_ENABLED": "0"}}
        address = os.environ.get("RAY_ADDRESS")
        if address:
            ray.init(address=address, runtime_env=runtime_env)
        else:
            ray.init(_node_ip_address="127.0.0.1", include_dashboard=False,
                     runtime_env=runtime_env, log_to_driver=False)
    try:
        task = ray.remote(num_cpus=1)(simulate)
        scenario_json = scenario.to_json()
        pending = {task.remote(job, scenario_json, model, target): i
                   for i, job in enumerate(jobs)}
        results: dict[int, JobResult] = {}
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                index = pending.pop(ref)
                results[index] = ray.get(ref)
                if on_done is not None:
                    on_done(results[index])
        return [results[i] for i in range(len(jobs))]
    finally:
        if started_here:
            ray.shutdown()
