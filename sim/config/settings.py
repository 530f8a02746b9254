"""The tunable constants of the agent architecture, one section per module.

Every default is the paper's value (Park et al. 2023, "Generative Agents");
where the original code differs, the docstring says how to reach its value.
A scenario file overrides them per section, e.g. `[retrieval] top_k = 20`.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Self

from pydantic import Field, model_validator

from sim.config.errors import FieldProblem
from sim.config.fields import Count, Strict, Text, Weight


class Modules(Strict):
    """The switchable modules; a run with one off is an end-to-end ablation."""

    ORDER: ClassVar[tuple[str, ...]] = ("observation", "reflection", "planning")

    observation: bool = True
    planning: bool = True
    reflection: bool = True

    @property
    def condition(self) -> str:
        """The ablation condition: "full", "no-reflection", "no-reflection-no-planning", ..."""
        off = [module for module in self.ORDER if not getattr(self, module)]
        return "-".join(f"no-{module}" for module in off) or "full"

    @classmethod
    def from_condition(cls, name: str) -> Modules:
        """Inverse of `condition`; the modules after "no-" may come in any order."""
        if name == "full":
            return cls()
        words = name.split("-")
        off = words[1::2]
        if (len(words) % 2 or set(words[0::2]) != {"no"} or not set(off) <= set(cls.ORDER)
                or len(set(off)) != len(off)):
            raise ValueError(f"unknown condition {name!r}: use full or no-MODULE[-no-MODULE...] "
                             f"with modules {', '.join(cls.ORDER)}")
        return cls(**{module: False for module in off})


class MemorySettings(Strict):
    """How much of the memory stream a user's interview and whispers use.

    An interview answers from the `interview_memories` records retrieved for the
    question; an agent keeps its `intentions_kept` newest whispered thoughts as
    intentions for its plans. (The summary description is rewritten once a game day.)

    With `reuse_importance`, an observation whose text (case, spacing and a final period
    aside) the resident already remembers keeps that memory's importance instead of being
    rated again; false rates every observation, as the paper does.

    A knowledge probe is answered "I don't know" unless a retrieved memory supports an
    answer by at least `known_support` (`agents.knowing.supports`, 0-1): measured on the
    calibration probes of `tests/test_knowing.py` (not the benchmark's), where 0.135 lies
    between the supports of known and unknown answers (21 of 24 right).
    """

    interview_memories: Count = 8
    intentions_kept: Count = 5
    reuse_importance: bool = True
    known_support: Annotated[float, Field(ge=0, le=1)] = 0.135


class RetrievalSettings(Strict):
    """Retrieval score: the weighted sum of recency, importance and relevance.

    score = recency_weight * recency + importance_weight * importance
    + relevance_weight * relevance, each term min-max normalised over the
    candidates; recency is `recency_decay ** (game hours since last access)`.
    The original code:
    weights 0.5 / 3 / 2, `recency_by = "rank"` and `recency_decay = 0.99` per rank.
    """

    recency_decay: float = Field(0.995, gt=0, le=1)
    recency_by: Literal["hours", "rank"] = "hours"
    recency_weight: Weight = 1.0
    importance_weight: Weight = 1.0
    relevance_weight: Weight = 1.0
    top_k: Count = 30


class ReflectionSettings(Strict):
    """Reflect when the importance summed since the last reflection reaches `threshold`.

    From the `recent_records` newest records, ask `questions` questions, retrieve
    `records_per_question` records for each, then ask `insights` insights per question.
    The original 25-agent run used a threshold of 250.
    """

    threshold: Count = 150
    recent_records: Count = 100
    questions: Count = 3
    insights: Count = 5
    records_per_question: Count = 8


class PerceptionSettings(Strict):
    """What an agent notices each tick, and what may interrupt it.

    Events within `vision_radius` tiles, the closest `attention_bandwidth` of
    them, skipping those among the last `retention` already perceived. An event
    (not a resident) rated at least `react_importance` (1-10) is weighed for a reaction:
    5, measured on `bench fidelity`'s react cases with the default model, whose ratings sit
    between 4 and 7 (at 6 it never weighed "the fryer has caught fire", rated 5: yes-cases
    0.75 -> 0.92, no-cases 1.00 -> 0.92, the urgency check turning the rest away).
    """

    vision_radius: Count = 8
    attention_bandwidth: Count = 8
    retention: Count = 8
    react_importance: Annotated[int, Field(ge=1, le=10)] = 5


class ConversationSettings(Strict):
    """At most `max_rounds` rounds; the pair then waits `cooldown_minutes` (original: 800 ticks).

    Deciding to talk and each utterance recall `memories_recalled` records about the partner.
    """

    max_rounds: Count = 8
    cooldown_minutes: Annotated[int, Field(ge=0)] = 120
    memories_recalled: Count = 4


class PlanningSettings(Strict):
    """A day plan of 5-8 items, hour-long chunks, then 5-15 minute actions just in time.

    `hourly_schedule` says where the hour-long chunks come from: "model" asks the model to
    decompose the day plan (the paper, section 4.3); "plan" splits the day plan's own items
    into chunks of at most `chunk_minutes` without a model call. The default is "plan":
    the day plan is already "HH:MM activity" lines, and on the default model the hourly
    answer only repeated them (0 of 36 hourly lines new in 6 quick-start days) while it took
    22 s of the 128 s quick-start hour.
    """

    day_plan_min_items: Count = 5
    day_plan_max_items: Count = 8
    hourly_schedule: Literal["plan", "model"] = "plan"
    chunk_minutes: Count = 60
    action_min_minutes: Count = 5
    action_max_minutes: Count = 15

    @model_validator(mode="after")
    def _ranges(self) -> Self:
        if self.day_plan_max_items < self.day_plan_min_items:
            raise FieldProblem(("day_plan_max_items",), "must be at least day_plan_min_items")
        if self.action_max_minutes < self.action_min_minutes:
            raise FieldProblem(("action_max_minutes",), "must be at least action_min_minutes")
        return self


class RecordingSettings(Strict):
    """The event log writes a full snapshot every `keyframe_every` ticks, so replays seek fast."""

    keyframe_every: Count = 360


class MaxTokens(Strict):
    """The most tokens generated per prompt kind (the `tag` of a Generate request)."""

    summary: Count = 150
    day_plan: Count = 160
    hourly_schedule: Count = 240
    decompose: Count = 160
    reaction: Count = 40
    utterance: Count = 80
    conversation_summary: Count = 60
    reflection_questions: Count = 120
    insights: Count = 250
    interview: Count = 200
    object_state: Count = 24


class ModelSettings(Strict):
    """Which language model answers; `--model` and `--endpoint` on the command line override."""

    spec: Text = "default"
    endpoint: Text | None = None
    endpoint_model: Text | None = None
    temperature: float = Field(0.7, ge=0)
    top_p: float = Field(0.95, gt=0, le=1)
    max_tokens: MaxTokens = MaxTokens()
