"""Ablation conditions: which modules a run has, and which memory kinds an interview may read.

A condition is named as `Modules.condition` names it: "full", or "no-" and a
module for each module switched off ("no-reflection-no-planning"). End to end,
the whole run has the modules off. At interview time (the paper's method) one
full run is evaluated with the memory kinds of the switched-off modules hidden:

| module off    | hidden memory kinds                                       |
|---------------|-----------------------------------------------------------|
| reflection    | reflection                                                |
| planning      | plan                                                      |
| observation   | observation, dialogue, thought (everything perceived or heard, |
|               | seed memories included: they are stored as observations)   |

The paper's memory stream stored what was said as observations, so hiding
observation hides dialogue too; a whispered thought arrives from outside like
an observation. With every module off nothing is left but the persona.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agents.tables import MemoryKind
from sim.config import Modules

PAPER_CONDITIONS: tuple[str, ...] = (
    "full", "no-reflection", "no-reflection-no-planning",
    "no-observation-no-reflection-no-planning")
"""The conditions the paper ranked (besides its human crowdworkers)."""

KNOWN_CONDITIONS: tuple[str, ...] = (*PAPER_CONDITIONS, "no-observation", "no-planning")
"""Shipped conditions, in the order tables list them; any valid combination is accepted."""

HIDDEN_KINDS: dict[str, frozenset[MemoryKind]] = {
    "observation": frozenset({MemoryKind.OBSERVATION, MemoryKind.DIALOGUE, MemoryKind.THOUGHT}),
    "planning": frozenset({MemoryKind.PLAN}),
    "reflection": frozenset({MemoryKind.REFLECTION}),
}


class ExperimentError(ValueError):
    """Bad input to an experiment (an unknown condition, a clashing output folder)."""


def canonical(condition: str) -> str:
    """The standard name: "no-planning-no-reflection" -> "no-reflection-no-planning"."""
    try:
        return Modules.from_condition(condition.strip()).condition
    except ValueError as exc:
        raise ExperimentError(str(exc)) from exc


def parse_conditions(text: str) -> tuple[str, ...]:
    """Conditions from "full,no-reflection,..."; standard names, no repeats, in the given order."""
    names = [canonical(part) for part in text.split(",") if part.strip()]
    if not names:
        raise ExperimentError("--conditions: no condition given; e.g. full,no-reflection")
    return tuple(dict.fromkeys(names))


def sort_key(condition: str) -> tuple[int, str]:
    """Shipped conditions in their table order, any other after them by name."""
    if condition in KNOWN_CONDITIONS:
        return KNOWN_CONDITIONS.index(condition), condition
    return len(KNOWN_CONDITIONS), condition


def hidden_kinds(condition: str) -> frozenset[MemoryKind]:
    """The memory kinds an interview-time ablation hides."""
    modules = Modules.from_condition(condition)
    hidden: set[MemoryKind] = set()
    for module in Modules.ORDER:
        if not getattr(modules, module):
            hidden |= HIDDEN_KINDS[module]
    return frozenset(hidden)


def visible_kinds(condition: str) -> tuple[MemoryKind, ...] | None:
    """The kinds an interview-time ablation may read; None means all (the full condition)."""
    hidden = hidden_kinds(condition)
    if not hidden:
        return None
    return tuple(kind for kind in MemoryKind if kind not in hidden)


@dataclass(frozen=True, slots=True)
class RunJob:
    """One simulation of an experiment: a condition (end to end) and a seed, in its own file."""

    condition: str
    seed: int
    db: Path

    @property
    def label(self) -> str:
        return f"{self.condition}-seed{self.seed}"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One evaluated cell of the results: a condition and seed, read from one run's file.

    End to end, `kinds` is None (the run itself lacks what was ablated); at interview
    time every condition of a seed reads the same full run with `kinds` restricted.
    """

    condition: str
    seed: int
    db: Path
    kinds: tuple[MemoryKind, ...] | None

    @property
    def label(self) -> str:
        return f"{self.condition}-seed{self.seed}"


def plan_experiment(conditions: tuple[str, ...], seeds: int, runs_dir: Path, *,
                    at_interview: bool) -> tuple[list[RunJob], list[Evaluation]]:
    """The runs to simulate and the cells to evaluate, in a fixed order."""
    if seeds < 1:
        raise ExperimentError(f"--seeds must be at least 1, got {seeds}")
    if at_interview:
        jobs = [RunJob("full", seed, runs_dir / f"full-seed{seed}.sqlite")
                for seed in range(seeds)]
        cells = [Evaluation(condition, job.seed, job.db, visible_kinds(condition))
                 for job in jobs for condition in conditions]
        return jobs, cells
    jobs = [RunJob(condition, seed, runs_dir / f"{condition}-seed{seed}.sqlite")
            for condition in conditions for seed in range(seeds)]
    return jobs, [Evaluation(job.condition, job.seed, job.db, None) for job in jobs]
