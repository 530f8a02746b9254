"""A user talking to a resident: interviews (no state change) and whispered thoughts."""

from __future__ import annotations

from collections.abc import Sequence

from agents.cognition.observing import remember_rated
from agents.context import TickContext
from agents.knowing import supports
from agents.memory import MemoryRecord
from agents.mind import Mind
from agents.prompts.base import PromptParseError, format_clock
from agents.prompts.interview import (
    DONT_KNOW,
    TAG_RECITED,
    about_world,
    grounding_request,
    interview_request,
    parse_interview_answer,
    recites,
    without_recited,
)
from agents.steps import Step, embed, generate
from agents.tables import MemoryKind


def interview(mind: Mind, ctx: TickContext, question: str,
              kinds: Sequence[MemoryKind] | None = None) -> Step[str]:
    """Answer in character from retrieval; last-accessed times are left alone.

    One generation (two when the first recites the persona, `recites`), then one
    embedding request: an answer about the world that no retrieved memory supports
    becomes `DONT_KNOW` (see `agents.prompts.interview`). `kinds` restricts the memories
    the answer may use (interview-time ablation).
    """
    (memories,) = yield from mind.recall(ctx, [question], k=mind.config.interview_memories,
                                         kinds=kinds, touch=False)
    told = [m.description for m in memories]
    persona = mind.persona_text()
    text = yield from _answer(mind, ctx, question, told, persona)
    if text is not None and recites(text, persona):
        # Recited, not answered: asked again without what it recited.
        mind.fell_back(TAG_RECITED)
        text = yield from _answer(mind, ctx, question, told, without_recited(persona, text))
    if text is None:
        return DONT_KNOW
    grounding = yield from embed(grounding_request(question=question, answer=text))
    if about_world(grounding):
        vectors = grounding.vectors
        support = supports(vectors[0], vectors[1:2],
                           mind.memory.embeddings([m.id for m in memories]))
        if float(support[0]) < mind.config.known_support:
            return DONT_KNOW
    return text


def _answer(mind: Mind, ctx: TickContext, question: str, memories: Sequence[str],
            persona: str) -> Step[str | None]:
    """The model's answer as `persona`, read; None (a logged fallback) when unreadable."""
    request = interview_request(agent=mind.name, persona=persona,
                                time=f"{ctx.date}, {ctx.clock}", question=question,
                                memories=memories, wake=format_clock(mind.persona.wake_minute),
                                bed=format_clock(mind.persona.sleep_minute))
    answer = yield from generate(request)
    try:
        return parse_interview_answer(answer.text, agent=mind.name)
    except PromptParseError:
        mind.fell_back(request.tag)
        return None


def whisper(mind: Mind, ctx: TickContext,
            thoughts: Sequence[str]) -> Step[list[MemoryRecord]]:
    """Plant thoughts (in the order sent): memories the agent holds as its own, and
    intentions for its plans (the last `intentions_kept` are kept)."""
    mind.state.intentions = [*mind.state.intentions, *thoughts][-mind.config.intentions_kept:]
    return (yield from remember_rated(mind, ctx, MemoryKind.THOUGHT, list(thoughts)))
