"""Evaluating finished runs: interviews, probes at checkpoints, and the log-derived measures.

Every cell (a condition and seed) is evaluated through one model, and the
model work of many cells goes through `sim.batching.drive` together: the
interviews of all cells are one drive, the probes of each checkpoint one
drive per group of cells. Checkpoints are spread evenly from tick 0 (the
start, after the first tick) to the run's last tick; a checkpoint's minds
keep only the memories made by then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agents.cognition.interviewing import interview
from agents.mind import FallbackCounter
from agents.steps import Step
from sim.batching import drive
from sim.experiments import metrics as m
from sim.experiments.conditions import Evaluation
from sim.experiments.ground_truth import GroundTruth
from sim.experiments.interviews import questions_for
from sim.experiments.measure import CellMetrics, interview_stats, measure
from sim.experiments.probes import PEOPLE_PER_AGENT, ProbeQuestion, answer_probe, probes_for
from sim.experiments.runview import RunView
from sim.models.base import LanguageModel

DEFAULT_CHECKPOINTS = 5
CELLS_PER_DRIVE = 8
"""Cells whose checkpoint minds are held at once (each holds a copy of its memories)."""

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class EvalSettings:
    checkpoints: int = DEFAULT_CHECKPOINTS
    people_per_agent: int = PEOPLE_PER_AGENT
    interview: bool = True


@dataclass(slots=True)
class CellResult:
    """One evaluated cell: its measures, its interview transcript and its probe answers."""

    cell: Evaluation
    metrics: CellMetrics
    interview: list[dict[str, str]] = field(default_factory=list)
    probes: list[m.ProbeAnswer] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {**self.metrics.to_json(), "interview_answers": self.interview,
                "probe_answers": [answer.to_json() for answer in self.probes]}


def checkpoint_ticks(last_tick: int, count: int = DEFAULT_CHECKPOINTS) -> list[int]:
    """`count` ticks spread evenly from 0 to `last_tick` (fewer when they coincide)."""
    if count < 2 or last_tick <= 0:
        return sorted({0, max(0, last_tick)})
    return sorted({round(last_tick * i / (count - 1)) for i in range(count)})


def evaluate(cells: Sequence[Evaluation], model: LanguageModel,
             settings: EvalSettings = EvalSettings(),
             progress: Progress | None = None) -> list[CellResult]:
    """Interview, probe and measure every cell; results in the order of `cells`."""
    views: dict[Path, RunView] = {}
    for cell in cells:
        if cell.db not in views:
            views[cell.db] = RunView(cell.db)
    truths = {db: GroundTruth(view) for db, view in views.items()}
    fallbacks = [FallbackCounter() for _ in cells]
    transcripts = (_interviews(cells, views, model, fallbacks) if settings.interview
                   else [[] for _ in cells])
    if progress:
        progress("interviews")
    answers = _probes(cells, views, truths, model, settings, fallbacks, progress)
    results = []
    for i, cell in enumerate(cells):
        measured = measure(cell, views[cell.db], truths[cell.db], answers[i],
                           checkpoint_ticks(views[cell.db].last_tick, settings.checkpoints))
        if settings.interview:
            measured.interview = interview_stats(transcripts[i], fallbacks[i])
        results.append(CellResult(cell, measured, transcripts[i], answers[i]))
    return results


def _interviews(cells: Sequence[Evaluation], views: Mapping[Path, RunView],
                model: LanguageModel, fallbacks: Sequence[FallbackCounter]
                ) -> list[list[dict[str, str]]]:
    steps: dict[tuple[int, int, int], Step[str]] = {}
    asked: dict[tuple[int, int, int], tuple[str, str, str]] = {}
    for i, cell in enumerate(cells):
        view = views[cell.db]
        minds = view.minds_now(cell.kinds, fallbacks[i])
        ctx = view.context(view.last_tick)
        for agent_id, mind in sorted(minds.items()):
            resident = view.scenario.resident(mind.name)
            for q, (question, text) in enumerate(questions_for(resident, view.scenario)):
                steps[i, agent_id, q] = interview(mind, ctx, text, cell.kinds)
                asked[i, agent_id, q] = (mind.name, question.category, text)
    answers = drive(model, steps) if steps else {}
    transcripts: list[list[dict[str, str]]] = [[] for _ in cells]
    for key in sorted(answers):
        agent, category, text = asked[key]
        transcripts[key[0]].append({"agent": agent, "category": category, "question": text,
                                    "answer": answers[key]})
    return transcripts


def _probes(cells: Sequence[Evaluation], views: Mapping[Path, RunView],
            truths: Mapping[Path, GroundTruth], model: LanguageModel, settings: EvalSettings,
            fallbacks: Sequence[FallbackCounter],
            progress: Progress | None) -> list[list[m.ProbeAnswer]]:
    checkpoints = [checkpoint_ticks(views[c.db].last_tick, settings.checkpoints) for c in cells]
    answers: list[list[m.ProbeAnswer]] = [[] for _ in cells]
    for j in range(max((len(c) for c in checkpoints), default=0)):
        due = [i for i in range(len(cells)) if j < len(checkpoints[i])]
        for start in range(0, len(due), CELLS_PER_DRIVE):
            group = due[start:start + CELLS_PER_DRIVE]
            steps: dict[tuple[int, int, int], Step[int]] = {}
            asked: dict[tuple[int, int, int], ProbeQuestion] = {}
            for i in group:
                cell, tick = cells[i], checkpoints[i][j]
                view = views[cell.db]
                minds = view.minds_at(tick, cell.kinds, fallbacks[i])
                ctx = view.context(tick)
                for agent_id, mind in sorted(minds.items()):
                    for p, probe in enumerate(probes_for(view.scenario, mind.name,
                                                         settings.people_per_agent)):
                        steps[i, agent_id, p] = answer_probe(mind, ctx, probe, cell.kinds)
                        asked[i, agent_id, p] = probe
            chosen = drive(model, steps) if steps else {}
            for key in sorted(chosen):
                i = key[0]
                tick = checkpoints[i][j]
                probe = asked[key]
                answers[i].append(m.ProbeAnswer(
                    tick, probe.kind, probe.id, probe.agent, probe.subject, chosen[key],
                    probe.correct, probe.unknown, probe.false_claims,
                    truths[cells[i].db].could_know(probe, tick)))
        if progress:
            progress(f"probes {j + 1}")
    return answers
