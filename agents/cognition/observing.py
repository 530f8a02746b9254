"""Perception into memory: each new observation is stored with its rated importance."""

from __future__ import annotations

from collections.abc import Sequence

from agents.cognition.deciding import expected_rating
from agents.context import TickContext
from agents.memory import MemoryRecord
from agents.mind import Mind
from agents.prompts.importance import LOW, importance_request
from agents.requests import Embed, EmbedResult, Rate, RateResult
from agents.steps import Step, ask, expect
from agents.tables import MemoryKind
from world.perception import WorldEvent


def _importance(mind: Mind, rating: Rate, answer: RateResult) -> int:
    """The probability-weighted rating; unreadable: mundane (`LOW`), so that noise never
    triggers a reaction or a reflection."""
    if not answer.matched:
        return mind.rating(rating, answer, fallback=LOW)
    return expected_rating(answer, rating.low)


def remember_rated(mind: Mind, ctx: TickContext, kind: MemoryKind, texts: Sequence[str],
                   conversation_id: int | None = None,
                   evidence: Sequence[Sequence[int]] | None = None,
                   reuse: bool = False) -> Step[list[MemoryRecord]]:
    """Rate each text's importance (the probability-weighted rating, `expected_rating`) and
    embed them all in one round, then store them. With `reuse`, a text the agent already
    holds a record of (same kind, same normalised text) keeps that record's importance and is
    not rated again."""
    if not texts:
        return []
    known = [mind.memory.same_text(kind, text) if reuse else None for text in texts]
    ratings = [importance_request(agent=mind.name, memory=text)
               for text, record in zip(texts, known, strict=True) if record is None]
    answers = yield from ask([*ratings, Embed(tuple(texts))])
    rated = iter([_importance(mind, rating, expect(answer, RateResult))
                  for rating, answer in zip(ratings, answers[:-1], strict=True)])
    scores = [record.importance if record is not None else next(rated) for record in known]
    vectors = expect(answers[-1], EmbedResult).vectors
    return mind.remember(ctx, kind, texts, scores, vectors, evidence=evidence,
                         conversation_id=conversation_id)


def observe(mind: Mind, ctx: TickContext,
            events: Sequence[WorldEvent]) -> Step[list[MemoryRecord]]:
    """Store what the agent newly perceived; `events` come from `world.perception`."""
    state = mind.state
    state.recent_perceived = [*state.recent_perceived, *(e.key for e in events)][
        -mind.config.retention:]
    if not mind.config.observation or not events:
        return []
    return (yield from remember_rated(mind, ctx, MemoryKind.OBSERVATION,
                                      [event.description for event in events],
                                      reuse=mind.config.reuse_importance))
