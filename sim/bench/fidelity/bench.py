"""`python -m sim bench fidelity`: the labelled cases on one or more models, side by side."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sim.bench.fidelity import judging, report
from sim.bench.fidelity.cases import KINDS, shipped_towns
from sim.bench.fidelity.running import Outcome, run_cases
from sim.bench.fidelity.stage import Stage
from sim.models.base import LanguageModel
from sim.models.factory import load_model


def measure(model: LanguageModel, quick: bool = False, seed: int = 0,
            kinds: tuple[str, ...] = KINDS) -> list[Outcome]:
    """Every benchmark case of `kinds` (a representative quarter with `quick`) on `model`."""
    stages = [Stage.build(town) for town in shipped_towns()]
    return run_cases(model, stages, kinds, quick, seed)


def run_fidelity_bench(specs: Sequence[str], endpoint: str | None = None,
                       endpoint_model: str | None = None, quick: bool = False,
                       json_path: Path | None = None, seed: int = 0,
                       kinds: tuple[str, ...] = KINDS,
                       judge: str | None = None) -> dict[str, object]:
    """Measure each model in turn (`specs`, or the one server at `endpoint`) on the cases of
    `kinds`, print one table with a column per model, write the figures and every case's
    answers as JSON. With `judge` (a model spec), that model then ranks the models'
    interview answers pairwise (`judging`; needs two or more models and trueskill)."""
    names = [endpoint] if endpoint is not None else list(specs)
    columns: dict[str, dict[str, report.Figure]] = {}
    answers: dict[str, dict[tuple[str, str], str]] = {}
    models: dict[str, dict[str, object]] = {}
    out: dict[str, object] = {"quick": quick, "seed": seed, "kinds": list(kinds),
                              "models": models}
    for name in names:
        print(f"bench fidelity: {name}{' (quick)' if quick else ''}: {', '.join(kinds)} ...",
              file=sys.stderr, flush=True)
        model = load_model(name, endpoint, endpoint_model)
        started = time.perf_counter()
        try:
            outcomes = measure(model, quick, seed, kinds)
        finally:
            model.close()
        figures = report.summed(outcomes)
        label = f"{name} ({model.info.name})" if model.info.name != name else name
        columns[label] = figures
        answers[label] = judging.interview_answers(outcomes)
        models[label] = {"seconds": round(time.perf_counter() - started, 1),
                         "cases": report.cases_json(outcomes)}
    if judge is not None:
        print(f"bench fidelity: {judge} judges the interview answers ...", file=sys.stderr,
              flush=True)
        judge_model = load_model(judge, None, None)
        try:
            ranked, verdicts = judging.judged(judge_model, answers, shipped_towns())
        finally:
            judge_model.close()
        for label, figures in ranked.items():
            columns[label].update(figures)
        out["judge"] = {"model": judge, "verdicts": verdicts}
    for label, figures in columns.items():
        models[label]["figures"] = report.as_json(figures)
    print(report.table(columns))
    if json_path is not None:
        json_path.write_text(json.dumps(out, indent=2) + "\n")
    return out
