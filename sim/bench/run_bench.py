"""`python -m sim bench run`: simulation spans on an embedded model, and the same
requests made the original implementation's way, measured in one process.

For each scenario (`tiny`, then the 25-resident `smallville`) a fresh run starts at 07:00
on day 1, when everyone wakes, plans and meets; the prefix cache starts empty. The tiny
town runs a whole waking day (07:00-23:00; `--quick`: its first hour), which is the
span that per-resident-hour figures are read from: a morning alone overstates them. The
first game hour of the tiny run is the README's quick start, timed from loading the model
(`quickstart_hour_seconds`). Every model call is logged by the run itself; the original's
way is then timed on a sample of the logged requests per kind, on the same loaded model:
one request at a time, the full prompt each time, no prefix cache, no shared heads, no
request cache (cache hits are requests the original would have made too), and the mean
extrapolated to all of them. The original also asks the model where this run does not
(`not_asked`): the importance of an observation the resident already rated (the
`reuse_importance` setting; counted from the memory stream: an observation whose text the
resident had observed before), and the decisions made by meaning (whether to talk,
whether an event is urgent: counted from their logged embedding requests), which the
original asked the model in a generation of a few tokens; each is timed as a mean
importance rating (a prompt of the same size, one answer token). The original also writes
an hourly schedule after each day plan (`[planning] hourly_schedule = "plan"` here, which
uses the plan's own items): one per logged day plan, each timed as a mean decomposition,
a smaller generation (measured on the quick-start hour: an hourly schedule had ~600 prompt
tokens and 74 answer tokens, a decomposition ~450 and 58), so the original's way is not
overstated.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agents.memory import normalised
from agents.prompts.converse import TAG_AVAILABLE
from agents.prompts.day_plan import TAG as DAY_PLAN_TAG
from agents.prompts.decompose import TAG as DECOMPOSE_TAG
from agents.prompts.hourly_schedule import TAG as HOURLY_TAG
from agents.prompts.importance import TAG as IMPORTANCE_TAG
from agents.prompts.react import TAG_DECISION
from agents.requests import ModelRequest, request_from_json
from agents.tables import MemoryKind, MemoryRow
from sim.config import load_scenario
from sim.models.embedded import model_directory
from sim.models.transformers_backend import TransformersModel
from sim.report import RunSummary, summarise
from sim.run import RunSession
from sim.tables import ModelCall

COUNTED_KINDS = ("generate", "choose", "rate")
SAMPLE_PER_KIND = {True: 6, False: 20}  # requests timed one at a time per kind: quick, full
WAKING_HOURS = 16  # 07:00-23:00 in the shipped scenarios; the night is skipped (no calls)
SMALLVILLE = 25


@dataclass(frozen=True, slots=True)
class Span:
    scenario: str
    minutes: int


FULL_SPANS = (Span("tiny", WAKING_HOURS * 60), Span("smallville", 60))
QUICK_SPANS = (Span("tiny", 60), Span("smallville", 10))


def run_run_bench(quick: bool = False, json_path: Path | None = None,
                  spec: str = "default") -> dict[str, object]:
    """Run the spans on model `spec` (an embedded name or a model directory); print a table,
    write `json_path`; returns the figures."""
    started = time.perf_counter()
    backend = TransformersModel(model_directory(spec))
    load_seconds = time.perf_counter() - started
    figures: dict[str, object] = {"quick": quick, "model": backend.info.name,
                                  "device": backend.info.device, "load_seconds": load_seconds}
    spans = QUICK_SPANS if quick else FULL_SPANS
    for span in spans:
        print(f"running {span.scenario} for {span.minutes} game minutes from 07:00 ...",
              file=sys.stderr)
        checkpoints = (60, spans[-1].minutes) if span.scenario == "tiny" else ()
        figures[span.scenario] = _measure(backend, span, quick, checkpoints)
    tiny, town = figures["tiny"], figures["smallville"]
    assert isinstance(tiny, dict) and isinstance(town, dict)
    figures["quickstart_hour_seconds"] = round(load_seconds + tiny["wall_at_minutes"]["60"], 1)
    for key in ("calls_per_agent_hour", "computed_prompt_tokens_per_agent_hour",
                "prompt_tokens_per_agent_hour", "prefix_cache_hit_rate"):
        figures[key] = tiny[key]
    figures["pipeline_ratio"] = town["pipeline_ratio"]
    figures.update(_game_day(tiny, town, spans[-1].minutes))
    _print_table(figures)
    if json_path is not None:
        json_path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    return figures


def _game_day(tiny: Mapping[str, object], town: Mapping[str, object],
              town_minutes: int) -> dict[str, object]:
    """Wall hours for the 25-resident town's game day, and how they were extrapolated.

    The town's measured span (from 07:00) is scaled by how much longer the tiny town's
    measured span took than its own first `town_minutes`: the tiny run gives the shape
    of the day, the town run its level. The night costs nothing (everyone asleep is
    skipped), so a tiny span of the whole waking day is a whole day.
    """
    town_wall = float(str(town["wall_seconds"]))
    walls = tiny["wall_at_minutes"]
    assert isinstance(walls, dict)
    tiny_minutes = int(str(tiny["game_minutes"]))
    scale = float(walls[str(tiny_minutes)]) / float(walls[str(town_minutes)])
    whole_day = tiny_minutes >= WAKING_HOURS * 60
    note = (f"smallville's {town_minutes} game minutes from 07:00 took {town_wall:.0f} s; "
            f"tiny's {tiny_minutes} minutes took {scale:.1f}x its first {town_minutes}; "
            + ("tiny covered the waking day, and the night is skipped"
               if whole_day else
               f"the rest of the day is assumed to cost what tiny's first {tiny_minutes} "
               f"minutes did per minute (a morning overstates a day)"))
    day_scale = scale if whole_day else scale * WAKING_HOURS * 60 / tiny_minutes
    return {"game_day_wall_hours": round(town_wall * day_scale / 3600, 2),
            "game_day_extrapolation": note}


def _measure(backend: TransformersModel, span: Span, quick: bool,
             checkpoints: tuple[int, ...]) -> dict[str, object]:
    scenario = load_scenario(span.scenario)
    backend.prefix_cache.clear()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite"
        backend.prefix_reuse = True
        session = RunSession.create(db, scenario, 0, backend)
        ticks_per_hour = scenario.clock.ticks_per_hour
        target = ticks_per_hour * span.minutes // 60
        walls: dict[str, float] = {}
        started = time.perf_counter()
        for minutes in sorted({*checkpoints, span.minutes}):
            if minutes <= span.minutes:
                session.run_until(ticks_per_hour * minutes // 60)
                walls[str(minutes)] = round(time.perf_counter() - started, 2)
        wall = time.perf_counter() - started
        summary = summarise(session, 0)
        hits: Counter[str] = session.cache.hits_by_kind
        with session.sessions() as db_session:
            logged = [(row.kind, request_from_json(json.loads(row.request)))
                      for row in db_session.execute(
                          select(ModelCall.kind, ModelCall.request).order_by(ModelCall.id))]
            unasked = not_asked(db_session)
        session.close()
    sizes = session.recorder.stats.batch_sizes
    baseline = _one_at_a_time(backend, logged, SAMPLE_PER_KIND[quick], {
        IMPORTANCE_TAG: unasked["importance_reused"] + unasked["decided_by_meaning"],
        DECOMPOSE_TAG: unasked["hourly_schedules"]})
    return {**_figures(summary, span, wall, target), "wall_at_minutes": walls,
            "cache_hits": dict(hits), "not_asked": unasked,
            "batch_sizes": {kind: _distribution(values) for kind, values in sizes.items()},
            "baseline_seconds": round(baseline, 2),
            "pipeline_ratio": (round(baseline / summary.model_seconds, 2)
                               if summary.model_seconds else None),
            "pipeline_wall_ratio": round(baseline / wall, 2)}


def _figures(summary: RunSummary, span: Span, wall: float, target: int) -> dict[str, object]:
    agent_hours = summary.agent_hours
    counted = sum(n for kind, n in summary.calls_by_kind.items() if kind in COUNTED_KINDS)
    return {
        "residents": summary.agents,
        "game_minutes": span.minutes,
        "ticks_computed": summary.ticks,
        "wall_seconds": round(wall, 2),
        "ticks_per_s": round(target / wall, 3),
        "game_minutes_per_wall_s": round(span.minutes / wall, 4),
        "model_seconds": round(summary.model_seconds, 2),
        "model_share": round(summary.model_seconds / wall, 3),
        "calls": dict(summary.calls_by_kind),
        "calls_per_agent_hour": round(counted / agent_hours, 2),
        "prompt_tokens_per_agent_hour": round(summary.prompt_tokens / agent_hours, 1),
        "computed_prompt_tokens_per_agent_hour": round(
            summary.computed_prompt_tokens_per_agent_hour, 1),
        "prefix_cache_hit_rate": round(summary.prefix_cache_hit_rate, 3),
        "completion_tokens_per_agent_hour": round(summary.completion_tokens / agent_hours, 1),
        "fallbacks": summary.fallbacks,
    }


def not_asked(db_session: Session) -> dict[str, int]:
    """Model requests the original would have made that the run in `db_session` did not,
    by reason: importance ratings reused (an observation whose text its resident had
    observed at an earlier tick), decisions made by meaning (their logged embedding
    requests, cache hits included), and hourly schedules (one per day plan of a run that
    asked for none)."""
    first_seen: dict[tuple[int, str], int] = {}
    reused = 0
    for agent, tick, text in db_session.execute(
            select(MemoryRow.agent_id, MemoryRow.created_tick, MemoryRow.description)
            .where(MemoryRow.kind == MemoryKind.OBSERVATION).order_by(MemoryRow.id)):
        reused += first_seen.setdefault((agent, normalised(text)), tick) < tick
    tags: Counter[str] = Counter({tag: count for tag, count in db_session.execute(
        select(ModelCall.tag, func.count()).where(ModelCall.tag.in_(
            (TAG_AVAILABLE, TAG_DECISION, DAY_PLAN_TAG, HOURLY_TAG))).group_by(ModelCall.tag))})
    return {"importance_reused": reused,
            "decided_by_meaning": tags[TAG_AVAILABLE] + tags[TAG_DECISION],
            "hourly_schedules": tags[DAY_PLAN_TAG] if not tags[HOURLY_TAG] else 0}


def _one_at_a_time(backend: TransformersModel, logged: list[tuple[str, ModelRequest]],
                   sample: int, unasked: Mapping[str, int]) -> float:
    """Seconds the original's way would take for every request of the span (the log holds
    cache hits too), and for `unasked[tag]` requests this run did not make, each timed as
    a mean logged request of `tag`."""
    by_kind: dict[str, list[ModelRequest]] = {}
    for kind, request in logged:
        by_kind.setdefault(kind, []).append(request)
    by_tag = {tag: [r for _, r in logged if r.tag == tag] for tag, n in unasked.items() if n}
    backend.prefix_reuse = False
    rng = random.Random(0)

    def mean_seconds(requests: list[ModelRequest]) -> float:
        timed = rng.sample(requests, min(sample, len(requests)))
        started = time.perf_counter()
        for request in timed:
            backend.answer([request])
        return (time.perf_counter() - started) / len(timed)

    try:
        total = sum(mean_seconds(requests) * len(requests)
                    for _, requests in sorted(by_kind.items()))
        total += sum(mean_seconds(requests) * unasked[tag]
                     for tag, requests in sorted(by_tag.items()) if requests)
    finally:
        backend.prefix_reuse = True
    return total


def _distribution(values: list[int]) -> dict[str, float]:
    ordered = sorted(values)
    return {"batches": len(ordered), "mean": round(sum(ordered) / len(ordered), 2),
            "median": ordered[len(ordered) // 2], "max": ordered[-1]} if ordered else {}


def _print_table(figures: dict[str, object]) -> None:
    rows = [("", "ticks/s", "game-min/s", "calls/agent-h", "prompt tok/agent-h",
             "computed/agent-h", "reused", "model %", "pipeline x")]
    for name in ("tiny", "smallville"):
        f = figures.get(name)
        if not isinstance(f, dict):
            continue
        rows.append((f"{name} ({f['residents']}, {f['game_minutes']} min)",
                     f"{f['ticks_per_s']:.2f}", f"{f['game_minutes_per_wall_s']:.3f}",
                     f"{f['calls_per_agent_hour']:.1f}", f"{f['prompt_tokens_per_agent_hour']:.0f}",
                     f"{f['computed_prompt_tokens_per_agent_hour']:.0f}",
                     f"{f['prefix_cache_hit_rate']:.0%}", f"{f['model_share']:.0%}",
                     f"{f['pipeline_ratio']}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"quick-start hour {figures['quickstart_hour_seconds']} s (model load included); "
          f"{SMALLVILLE} residents' game day {figures['game_day_wall_hours']} h: "
          f"{figures['game_day_extrapolation']}")
    print("goals: quick start <= 120 s, computed prompt tokens/agent-h <= 2,000, calls/agent-h "
          "<= 15 over a day, day <= 4 h for 25 residents, pipeline x >= 10 (2 CPU cores)")
