"""`python -m sim bench run`: a whole simulation span on the embedded model, and the
same requests made the original implementation's way, measured in one process.

For each scenario (`tiny`, then the 25-resident `smallville`) a fresh run covers
a fixed span of day 1 from 07:00, when everyone wakes, plans and meets. Every
model call is logged by the run itself; the original's way is then timed on
the same loaded model: one request at a time, no batching, no shared-head
reuse, no request cache (cache hits are requests the original would have
made too). `--quick` shortens the spans and times a fixed sample of requests
per kind, extrapolating to all of them.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from agents.requests import ModelRequest, request_from_json
from sim.config import load_scenario
from sim.models.cache import CachingModel
from sim.models.embedded import model_directory
from sim.models.transformers_backend import TransformersModel
from sim.report import summarise
from sim.run import RunSession
from sim.tables import ModelCall

COUNTED_KINDS = ("generate", "choose", "rate")
SAMPLE_PER_KIND = 6


@dataclass(frozen=True, slots=True)
class Span:
    scenario: str
    minutes: int


FULL_SPANS = (Span("tiny", 120), Span("smallville", 120))
QUICK_SPANS = (Span("tiny", 30), Span("smallville", 10))


def run_run_bench(quick: bool = False, json_path: Path | None = None,
                  spec: str = "default") -> dict[str, object]:
    """Run the spans on model `spec` (an embedded name or a model directory)."""
    backend = TransformersModel(model_directory(spec))
    figures: dict[str, object] = {"quick": quick, "model": backend.info.name,
                                  "device": backend.info.device}
    for span in QUICK_SPANS if quick else FULL_SPANS:
        print(f"running {span.scenario} for {span.minutes} game minutes from 07:00 ...",
              file=sys.stderr)
        figures[span.scenario] = _measure(backend, span, quick)
    town = figures[(QUICK_SPANS if quick else FULL_SPANS)[-1].scenario]
    assert isinstance(town, dict)
    for key in ("pipeline_ratio", "calls_per_agent_hour", "game_day_wall_hours"):
        figures[key] = town[key]
    _print_table(figures)
    if json_path is not None:
        json_path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    return figures


def _measure(backend: TransformersModel, span: Span, quick: bool) -> dict[str, object]:
    scenario = load_scenario(span.scenario)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite"
        backend.prefix_reuse = True
        session = RunSession.create(db, scenario, 0, backend)
        target = scenario.clock.ticks_per_hour * span.minutes // 60
        started = time.perf_counter()
        session.run_until(target)
        wall = time.perf_counter() - started
        summary = summarise(session, 0)
        cache = session.model
        hits: Counter[str] = cache.hits_by_kind if isinstance(cache, CachingModel) else Counter()
        with session.sessions() as db_session:
            logged = [(row.kind, row.request) for row in db_session.execute(
                select(ModelCall.kind, ModelCall.request).order_by(ModelCall.id))]
        session.close()
    sizes = session.recorder.stats.batch_sizes
    baseline = _one_at_a_time(backend, logged, hits, quick)
    model_seconds = summary.model_seconds
    agent_hours = summary.agent_hours
    counted = sum(n for kind, n in summary.calls_by_kind.items() if kind in COUNTED_KINDS)
    return {
        "residents": summary.agents,
        "game_minutes": span.minutes,
        "ticks_computed": summary.ticks,
        "wall_seconds": round(wall, 2),
        "ticks_per_s": round(target / wall, 3),
        "game_minutes_per_wall_s": round(span.minutes / wall, 4),
        "model_seconds": round(model_seconds, 2),
        "model_share": round(model_seconds / wall, 3),
        "calls": dict(summary.calls_by_kind),
        "cache_hits": dict(hits),
        "calls_per_agent_hour": round(counted / agent_hours, 2),
        "prompt_tokens_per_agent_hour": round(summary.prompt_tokens / agent_hours, 1),
        "completion_tokens_per_agent_hour": round(summary.completion_tokens / agent_hours, 1),
        "batch_sizes": {kind: _distribution(values) for kind, values in sizes.items()},
        "baseline_seconds": round(baseline, 2),
        "pipeline_ratio": round(baseline / model_seconds, 2) if model_seconds else None,
        "pipeline_wall_ratio": round(baseline / wall, 2),
        "game_day_wall_hours": round(wall * 24 * 60 / span.minutes / 3600, 2),
        "fallbacks": summary.fallbacks,
    }


def _one_at_a_time(backend: TransformersModel, logged: list[tuple[str, str]],
                   hits: Counter[str], quick: bool) -> float:
    """Seconds the original's way would take for every request of the span (hits included)."""
    by_kind: dict[str, list[ModelRequest]] = {}
    for kind, text in logged:
        by_kind.setdefault(kind, []).append(request_from_json(json.loads(text)))
    backend.prefix_reuse = False
    total = 0.0
    rng = random.Random(0)
    try:
        for kind, requests in sorted(by_kind.items()):
            timed = rng.sample(requests, min(SAMPLE_PER_KIND, len(requests))) if quick else requests
            started = time.perf_counter()
            for request in timed:
                backend.answer([request])
            mean = (time.perf_counter() - started) / len(timed)
            total += mean * (len(requests) + hits.get(kind, 0))
    finally:
        backend.prefix_reuse = True
    return total


def _distribution(values: list[int]) -> dict[str, float]:
    ordered = sorted(values)
    return {"batches": len(ordered), "mean": round(sum(ordered) / len(ordered), 2),
            "median": ordered[len(ordered) // 2], "max": ordered[-1]} if ordered else {}


def _print_table(figures: dict[str, object]) -> None:
    rows = [("", "ticks/s", "game-min/s", "calls/agent-h", "tok/agent-h", "model %",
             "pipeline x", "day (h)")]
    for name in ("tiny", "smallville"):
        f = figures.get(name)
        if not isinstance(f, dict):
            continue
        tokens = f["prompt_tokens_per_agent_hour"] + f["completion_tokens_per_agent_hour"]
        rows.append((f"{name} ({f['residents']})", f"{f['ticks_per_s']:.2f}",
                     f"{f['game_minutes_per_wall_s']:.3f}", f"{f['calls_per_agent_hour']:.1f}",
                     f"{tokens:.0f}", f"{f['model_share']:.0%}", f"{f['pipeline_ratio']}",
                     f"{f['game_day_wall_hours']:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    print("goals: pipeline x >= 10, calls/agent-h <= 15 (original ~54), day <= 1 h for 25 "
          "residents on 2 CPU cores")
