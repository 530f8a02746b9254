"""Reflection: when enough important things happened, infer higher-level insights.

Triggered when the importance summed since the last reflection reaches the
threshold: from the newest records, ask the salient questions, retrieve for
each, ask for insights citing the records shown, and store them as
reflections whose evidence ids point to real records (reflections included,
so trees form).
"""

from __future__ import annotations

from agents.cognition.observing import remember_rated
from agents.context import TickContext
from agents.memory import MemoryRecord
from agents.mind import Mind
from agents.prompts.base import PromptParseError
from agents.prompts.reflect import (
    insights_request,
    parse_insights,
    parse_questions,
    questions_request,
)
from agents.repetition import words_of
from agents.requests import GenerateResult, ModelRequest
from agents.steps import Step, ask, expect, generate
from agents.tables import MemoryKind

RECORDS_SHOWN = 20
"""Of the newest records, how many the questions prompt shows (each costs prompt tokens)."""


def should_reflect(mind: Mind) -> bool:
    return (mind.config.reflection
            and mind.state.importance_since_reflection >= mind.config.reflection_threshold)


def reflect(mind: Mind, ctx: TickContext) -> Step[list[MemoryRecord]]:
    """One reflection; resets the importance counter whether or not insights came back."""
    state = mind.state
    state.importance_since_reflection = 0.0
    state.last_reflection_tick = ctx.tick
    recent = mind.memory.recent(mind.config.reflection_recent)
    shown = [record.description for record in recent[-RECORDS_SHOWN:]]
    request = questions_request(agent=mind.name, records=shown)
    answer = yield from generate(request)
    try:
        questions = parse_questions(answer.text, agent=mind.name)
        questions = questions[: mind.config.reflection_questions]
    except PromptParseError:
        mind.fell_back(request.tag)
        return []
    found = yield from mind.recall(ctx, questions, k=mind.config.reflection_memories)
    asked = [(question, records) for question, records in zip(questions, found, strict=True)
             if records]
    requests: list[ModelRequest] = [
        insights_request(agent=mind.name, question=question,
                         records=[r.description for r in records])
        for question, records in asked]
    answers = (yield from ask(requests)) if requests else []
    texts: list[str] = []
    evidence: list[tuple[int, ...]] = []
    for (_, records), insight_answer in zip(asked, answers, strict=True):
        try:
            insights = parse_insights(expect(insight_answer, GenerateResult).text,
                                      records=[r.description for r in records],
                                      agent=mind.name)
        except PromptParseError:
            mind.fell_back("reflection_insights")
            continue
        for insight in insights[: mind.config.reflection_insights]:
            if words_of(insight.text) in map(words_of, texts):
                continue  # two questions led to the same insight
            texts.append(insight.text)
            evidence.append(tuple(records[i].id for i in insight.evidence))
    if not texts:
        return []
    stored = yield from remember_rated(mind, ctx, MemoryKind.REFLECTION, texts,
                                       evidence=evidence)
    return stored
