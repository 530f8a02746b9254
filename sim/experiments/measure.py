"""One evaluated cell's measures (the per-run metrics JSON) and its headline figures.

`measure` turns a run, its ground truth and the probe answers into a
`CellMetrics`; `CellMetrics.headline` picks the scalar figures the results
table averages over seeds. Headline names are stable: they are the CSV columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from agents.mind import FallbackCounter
from agents.prompts.interview import TAG as INTERVIEW_TAG
from sim.config import Intention
from sim.experiments import metrics as m
from sim.experiments.conditions import Evaluation
from sim.experiments.ground_truth import GroundTruth
from sim.experiments.runview import RunView


@dataclass(frozen=True, slots=True)
class Attendance:
    """An event's window: who was there 15 game minutes, who was invited, who of them came.

    Invited: the residents besides the host who could know of it before it began.
    `reached` is False when the run ended before the window did (nothing measured).
    """

    reached: bool
    attendees: list[str] = field(default_factory=list)
    invited: list[str] = field(default_factory=list)
    came: list[str] = field(default_factory=list)
    minutes: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class InterviewStats:
    answers: int
    fallbacks: int
    mean_words: float | None


@dataclass(slots=True)
class CellMetrics:
    """Everything the experiment reports about one condition and seed."""

    condition: str
    seed: int
    run: str
    ablated_at: str  # "run" (end to end) or "interview"
    visible_kinds: list[str] | None
    residents: int
    last_tick: int
    checkpoints: list[int]
    checkpoint_times: list[str]
    checkpoint_hours: list[float]  # game hours since the start
    diffusion: dict[str, dict[str, list[float | None]]]  # intention -> aware/could_know series
    density: list[float]
    probe_accuracy: float | None
    probe_accuracy_by_kind: dict[str, float | None]
    hallucination_share: float | None
    false_claims: int
    probe_answers: int
    attendance: dict[str, Attendance]
    memories: dict[str, int]
    conversations: int
    model_calls: dict[str, object]
    interview: InterviewStats | None = None
    trueskill: dict[str, float] | None = None

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def headline(self) -> dict[str, float | None]:
        """The scalar figures, by stable column name."""
        out: dict[str, float | None] = {}
        for intention_id, series in sorted(self.diffusion.items()):
            out[f"{intention_id}_aware_start"] = series["aware"][0]
            out[f"{intention_id}_aware_end"] = series["aware"][-1]
            out[f"{intention_id}_could_know_end"] = series["could_know"][-1]
        out["density_start"], out["density_end"] = self.density[0], self.density[-1]
        out["probe_accuracy"] = self.probe_accuracy
        out["hallucination_share"] = self.hallucination_share
        for intention_id, seen in sorted(self.attendance.items()):
            out[f"{intention_id}_attendees"] = len(seen.attendees) if seen.reached else None
            out[f"{intention_id}_invited"] = len(seen.invited) if seen.reached else None
            out[f"{intention_id}_invited_came"] = len(seen.came) if seen.reached else None
        for kind, count in sorted(self.memories.items()):
            out[f"memories_{kind}"] = count
        out["conversations"] = self.conversations
        for key in ("calls", "mean_batch", "calls_per_agent_hour"):
            value = self.model_calls.get(key)
            out[f"model_{key}"] = float(value) if isinstance(value, int | float) else None
        if self.interview is not None and self.interview.answers:
            out["interview_fallback_share"] = self.interview.fallbacks / self.interview.answers
        if self.trueskill is not None:
            out["trueskill_mu"] = self.trueskill["mu"]
        return out


def measure(cell: Evaluation, view: RunView, truth: GroundTruth,
            answers: Sequence[m.ProbeAnswer], checkpoints: Sequence[int]) -> CellMetrics:
    clock = view.stored.clock
    residents = view.names
    final = [a for a in answers if a.checkpoint == checkpoints[-1]]
    diffusion = {
        intention_id: {
            "aware": [m.awareness(answers, intention_id, tick) for tick in checkpoints],
            "could_know": [m.could_know_share(known, residents, tick) for tick in checkpoints],
        } for intention_id, known in sorted(truth.exposed.items())}
    density = [m.network_density(residents, m.talk_pairs(truth.talks, tick) | m.mention_pairs(
        residents, view.memory_texts(tick, cell.kinds))) for tick in checkpoints]
    return CellMetrics(
        condition=cell.condition, seed=cell.seed, run=str(cell.db),
        ablated_at="run" if cell.kinds is None else "interview",
        visible_kinds=None if cell.kinds is None else [k.value for k in cell.kinds],
        residents=len(residents), last_tick=view.last_tick, checkpoints=list(checkpoints),
        checkpoint_times=[clock.format(tick) for tick in checkpoints],
        checkpoint_hours=[clock.hours_between(0, tick) for tick in checkpoints],
        diffusion=diffusion, density=density,
        probe_accuracy=m.probe_accuracy(final),
        probe_accuracy_by_kind={kind: m.probe_accuracy(a for a in final if a.kind == kind)
                                for kind in sorted({a.kind for a in final})},
        hallucination_share=m.hallucination_share(final),
        false_claims=sum(a.false_claim for a in final), probe_answers=len(final),
        attendance={i.id: attendance(view, truth, i) for i in view.scenario.intentions
                    if i.place is not None and i.start is not None and i.end is not None},
        memories=view.memory_counts(), conversations=len(view.talks),
        model_calls=m.call_stats(
            ((c.kind, c.batch_id, c.prompt_tokens, c.completion_tokens, c.latency_s)
             for c in view.calls), len(residents), clock.hours_between(0, view.last_tick)))


def attendance(view: RunView, truth: GroundTruth, intention: Intention) -> Attendance:
    """Attendance of an intention's event, from the residents' logged moves in its window."""
    if intention.place is None or intention.start is None or intention.end is None:
        raise ValueError(f"intention {intention.id!r} has no event to attend")
    clock = view.stored.clock
    first, end = clock.tick_at(intention.start), clock.tick_at(intention.end)
    if view.last_tick < end:
        return Attendance(reached=False)
    tiles, moves = view.positions(first, end)
    area = view.town.tiles_of(view.town.require(intention.place, f"intention {intention.id}"))
    minutes = m.minutes_inside(tiles, moves, area.__contains__, first, end, clock.tick_seconds)
    present = m.attendees(minutes)
    known = truth.exposed.get(intention.id, {intention.resident: 0})
    invited = sorted(name for name, tick in known.items()
                     if name != intention.resident and tick < first)
    return Attendance(True, present, invited, [name for name in invited if name in present],
                      minutes)


def interview_stats(transcript: Sequence[dict[str, str]],
                    fallbacks: FallbackCounter) -> InterviewStats:
    words = [len(item["answer"].split()) for item in transcript]
    return InterviewStats(len(transcript), fallbacks.by_tag.get(INTERVIEW_TAG, 0),
                          sum(words) / len(words) if words else None)
