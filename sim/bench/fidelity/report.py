"""The figures of `bench fidelity`: tallies summed per metric, one column per model.

A rate is hits over trials (plan lines, generations, choices or cases, as the metric
says); `n` is its trials. The goals are issue 12's "done when" bars, shown beside the
figures; `location_chance` (the mean of 1/options over the choices made) is the bar
`location_first_option_rate` is held to, plus 0.1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sim.bench.fidelity.running import Outcome, Tally

METRICS: tuple[tuple[str, str], ...] = (
    ("plan_example_copy_rate", "0"),
    ("plan_example_copy_plans", ""),
    ("plan_example_copy_written", ""),
    ("plan_loop_rate", "0"),
    ("plan_intention_rate", "high"),
    ("day_plan_intention_rate", ""),
    ("plan_time_sanity", "high"),
    ("location_accuracy", ">= 0.8"),
    ("location_first_option_rate", "<= chance+0.1"),
    ("location_chance", ""),
    ("react_accuracy", ">= 0.8"),
    ("react_accuracy_yes", ">= 0.8"),
    ("react_accuracy_no", ">= 0.8"),
    ("react_decision_accuracy", ""),
    ("react_decision_accuracy_yes", ""),
    ("react_decision_accuracy_no", ""),
    ("talk_accuracy", ">= 0.8"),
    ("talk_accuracy_yes", ">= 0.8"),
    ("talk_accuracy_no", ">= 0.8"),
    ("importance_rank_accuracy", "high"),
    ("importance_mundane_mean", ""),
    ("importance_poignant_mean", ""),
    ("probe_accuracy", ">= 0.9"),
    ("probe_accuracy_known", ""),
    ("probe_accuracy_unknown", ""),
    ("interview_first_person_rate", ">= 0.9"),
    ("interview_refusal_rate", "0"),
    ("interview_persona_echo_rate", "0"),
    ("interview_dont_know_rate", "low"),
    ("interview_known_told_rate", "high"),
    ("interview_unknown_dont_know_rate", "high"),
    ("interview_trueskill_mu", "high"),
    ("interview_judge_win_rate", "high"),
    ("format_failure_rate", "low"),
)
"""Every metric in report order, with its goal (blank: shown for context)."""


@dataclass(frozen=True, slots=True)
class Figure:
    value: float | None
    n: int


def summed(outcomes: Iterable[Outcome]) -> dict[str, Figure]:
    """Each metric's hits over trials (None when it had no trials)."""
    totals: Tally = {}
    for outcome in outcomes:
        for name, (hits, trials) in outcome.tally.items():
            old_hits, old_trials = totals.get(name, (0.0, 0))
            totals[name] = (old_hits + hits, old_trials + trials)
    return {name: Figure(hits / trials if trials else None, trials)
            for name, (hits, trials) in totals.items()}


def table(columns: Mapping[str, Mapping[str, Figure]]) -> str:
    """The metrics as rows, one "value (n)" column per model."""
    names = list(columns)
    rows = [("metric", "goal", *names)]
    for metric, goal in METRICS:
        cells = []
        for name in names:
            figure = columns[name].get(metric)
            cells.append("-" if figure is None or figure.value is None
                         else f"{figure.value:.2f} ({figure.n})")
        rows.append((metric, goal, *cells))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                     .rstrip() for row in rows)


def as_json(figures: Mapping[str, Figure]) -> dict[str, object]:
    return {name: {"value": f.value, "n": f.n} for name, f in sorted(figures.items())}


def cases_json(outcomes: Sequence[Outcome]) -> list[dict[str, object]]:
    return [{"kind": o.kind, "town": o.town, "case": o.index,
             "tally": {k: list(v) for k, v in o.tally.items()}, **o.shown} for o in outcomes]
