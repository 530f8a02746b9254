"""`python -m sim bench fidelity --scenario party --seeds N`: the shipped `party` scenario,
run end to end once per seed, and what a user would look for.

Per seed: which invitees attended (at least `ATTENDANCE_MINUTES` game minutes in the cafe
between 17:00 and 19:00, from the logged positions), which residents were told the news
(an utterance naming it by someone who knew, as `sim.experiments.ground_truth` reads the
log) and whether each of them then knows it (the scenario's probe, answered by `Choose`),
and how many conversations took place. Overall: the mean attendance share, the seeds in
which at least half of the invitees came, the share of told listeners who knew.

The party itself is no intention of the scenario: the invitation lives only in the
invitees' seed memories, so the check names the party's place, window and invitees here.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from agents.mind import FallbackCounter
from sim.batching import drive
from sim.config import Scenario, load_scenario
from sim.config.fields import clock_minutes
from sim.experiments import metrics
from sim.experiments.ground_truth import GroundTruth
from sim.experiments.probes import answer_probe, intention_probes
from sim.experiments.runview import RunView
from sim.models.base import LanguageModel, ModelError
from sim.models.factory import load_model
from sim.run import RunSession

SCENARIO = "party"
PLACE = "Hobbs Cafe:cafe"
WINDOW = ("17:00", "19:00")
INVITEES = ("Maria Lopez", "Sam Moore")
NEWS = "mayor"
"""The scenario intention whose telling is followed (Sam Moore running for mayor)."""
ATTENDANCE_MINUTES = metrics.ATTENDANCE_MINUTES


@dataclass(frozen=True, slots=True)
class SeedResult:
    seed: int
    until: str
    window_reached: bool
    minutes_in_cafe: dict[str, float]
    attended: list[str]
    attendance_share: float
    told: list[str]
    knew_after: list[str]
    conversations: int
    fallbacks: dict[str, int] = field(default_factory=dict)


def run_party_check(name: str, spec: str, endpoint: str | None = None,
                    endpoint_model: str | None = None, seeds: int = 3,
                    json_path: Path | None = None, until: str = WINDOW[1]) -> dict[str, object]:
    """Run `name` (only `party` is a check) once per seed up to `until` ("HH:MM" of its
    first day), print per-seed and overall figures, write them to `json_path`."""
    if name != SCENARIO:
        raise ModelError(f"bench fidelity --scenario: no check for {name!r} (checks: party)")
    scenario = load_scenario(name)
    model = load_model(spec, endpoint, endpoint_model)
    results: list[SeedResult] = []
    out: dict[str, object] = {}
    try:
        for seed in range(seeds):
            print(f"party: seed {seed} from {scenario.start:%H:%M} to {until} ...",
                  file=sys.stderr, flush=True)
            results.append(run_seed(scenario, model, seed, until))
            print(_seed_line(results[-1]), file=sys.stderr, flush=True)
            out = {"scenario": name, "model": endpoint or spec,
                   "seeds": [asdict(r) for r in results], "overall": overall(results)}
            if json_path is not None:  # written after every seed: a long check keeps its part
                json_path.write_text(json.dumps(out, indent=2) + "\n")
    finally:
        model.close()
    _print(results, overall(results))
    return out


def run_seed(scenario: Scenario, model: LanguageModel, seed: int, until: str) -> SeedResult:
    """One run of `scenario` in a temporary file, measured."""
    clock = scenario.clock
    day = scenario.start.date()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "party.sqlite"
        run = RunSession.create(db, scenario, seed, model)
        try:
            run.run_until(clock.tick_at(_at(day, until)))
            fallbacks = dict(run.fallbacks.by_tag)
        finally:
            run.close()
        view = RunView(db)
        first, end = clock.tick_at(_at(day, WINDOW[0])), clock.tick_at(_at(day, WINDOW[1]))
        last = min(end, view.last_tick + 1)
        minutes: dict[str, float] = {}
        if last > first:
            tiles, moves = view.positions(first, last - 1)
            cafe = view.town.tiles_of(view.town.require(PLACE, "party check"))
            minutes = metrics.minutes_inside(tiles, moves, cafe.__contains__, first, last,
                                             clock.tick_seconds)
        came = [n for n in INVITEES if minutes.get(n, 0.0) >= ATTENDANCE_MINUTES]
        told, knew = _news(view, model)
        return SeedResult(seed=seed, until=until, window_reached=view.last_tick + 1 >= end,
                          minutes_in_cafe={n: minutes.get(n, 0.0) for n in INVITEES},
                          attended=came, attendance_share=len(came) / len(INVITEES),
                          told=told, knew_after=knew, conversations=len(view.talks),
                          fallbacks=fallbacks)


def _at(day: date, clock: str) -> datetime:
    minute = clock_minutes(clock)
    return datetime.combine(day, time(minute // 60, minute % 60))


def _news(view: RunView, model: LanguageModel) -> tuple[list[str], list[str]]:
    """Who was told the news in a conversation, and who of them picks it when probed at
    the end of the run."""
    intention = view.scenario.intention(NEWS)
    exposed = GroundTruth(view).exposed.get(NEWS, {})
    told = sorted(n for n in exposed if n != intention.resident)
    if not told:
        return [], []
    minds = {m.name: m for m in view.minds_now(None, FallbackCounter()).values()}
    ctx = view.context(view.last_tick)
    probes = {name: next(p for p in intention_probes(view.scenario, name) if p.subject == NEWS)
              for name in told}
    picked = drive(model, {name: answer_probe(minds[name], ctx, probe)
                           for name, probe in probes.items()})
    return told, [name for name in told if picked[name] == probes[name].correct]


def overall(results: list[SeedResult]) -> dict[str, object]:
    """Across seeds: mean attendance share, seeds where half the invitees came or more,
    told listeners who knew, conversations per seed."""
    told = sum(len(r.told) for r in results)
    return {
        "seeds": len(results),
        "attendance_share_mean": sum(r.attendance_share for r in results) / len(results),
        "seeds_with_half_attending": sum(r.attendance_share >= 0.5 for r in results),
        "told": told,
        "known_after_told_share": (sum(len(r.knew_after) for r in results) / told
                                   if told else None),
        "conversations_mean": sum(r.conversations for r in results) / len(results),
    }


def _seed_line(r: SeedResult) -> str:
    minutes = ", ".join(f"{n.split()[0]} {m:.0f}" for n, m in r.minutes_in_cafe.items())
    window = "" if r.window_reached else f" (run ended {r.until})"
    told = ", ".join(n.split()[0] for n in r.told) or "nobody"
    knew = ", ".join(n.split()[0] for n in r.knew_after) or "nobody"
    return (f"{r.seed:>4}  {len(r.attended)}/{len(INVITEES)} ({minutes}){window}; "
            f"told {told} -> knew {knew}; {r.conversations} conversations")


def _print(results: list[SeedResult], figures: dict[str, object]) -> None:
    print("seed  invitees attending (minutes in cafe 17-19); told -> knew after; talks")
    for r in results:
        print(_seed_line(r))
    known = figures["known_after_told_share"]
    print(f"overall: attendance {figures['attendance_share_mean']:.2f} of invitees, "
          f"{figures['seeds_with_half_attending']}/{figures['seeds']} seeds with half or more "
          f"attending; told {figures['told']}, knew after "
          f"{'-' if known is None else f'{known:.2f}'}; "
          f"{figures['conversations_mean']:.1f} conversations per seed")
