"""`python -m sim bench fidelity`: the labelled cases on one or more models, side by side."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sim.bench.fidelity import report
from sim.bench.fidelity.cases import KINDS, shipped_towns
from sim.bench.fidelity.running import Outcome, run_all
from sim.bench.fidelity.stage import Stage
from sim.models.base import LanguageModel
from sim.models.factory import load_model


def measure(model: LanguageModel, quick: bool = False, seed: int = 0,
            kinds: tuple[str, ...] = KINDS) -> list[Outcome]:
    """Every benchmark case of `kinds` (a representative quarter with `quick`) on `model`."""
    stages = [Stage.build(town) for town in shipped_towns()]

    def progress(kind: str) -> None:
        print(f"  {kind} ...", file=sys.stderr, flush=True)

    return list(run_all(model, stages, quick, seed, kinds, progress))


def run_fidelity_bench(specs: Sequence[str], endpoint: str | None = None,
                       endpoint_model: str | None = None, quick: bool = False,
                       json_path: Path | None = None, seed: int = 0) -> dict[str, object]:
    """Measure each model in turn (`specs`, or the one server at `endpoint`), print one
    table with a column per model, write the figures and every case's answers as JSON."""
    names = [endpoint] if endpoint is not None else list(specs)
    columns: dict[str, dict[str, report.Figure]] = {}
    out: dict[str, object] = {"quick": quick, "seed": seed, "models": {}}
    for name in names:
        print(f"bench fidelity: {name}{' (quick)' if quick else ''}", file=sys.stderr)
        model = load_model(name, endpoint, endpoint_model)
        started = time.perf_counter()
        try:
            outcomes = measure(model, quick, seed)
        finally:
            model.close()
        figures = report.summed(outcomes)
        label = f"{name} ({model.info.name})" if model.info.name != name else name
        columns[label] = figures
        models = out["models"]
        assert isinstance(models, dict)
        models[label] = {"seconds": round(time.perf_counter() - started, 1),
                         "figures": report.as_json(figures),
                         "cases": report.cases_json(outcomes)}
    print(report.table(columns))
    if json_path is not None:
        json_path.write_text(json.dumps(out, indent=2) + "\n")
    return out
