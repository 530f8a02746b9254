"""The summary description: regenerated once a game day from retrieval; it heads prompts."""

from __future__ import annotations

from dataclasses import replace

from agents.context import TickContext
from agents.mind import Mind
from agents.prompts.base import PromptParseError
from agents.prompts.summary import (
    Aspect,
    compose_summary,
    parse_summary_statement,
    persona_facts,
    summary_query,
    summary_request,
)
from agents.requests import GenerateResult, ModelRequest
from agents.steps import Step, ask, expect


def refresh_summary(mind: Mind, ctx: TickContext) -> Step[None]:
    """Rewrite the summary unless it was written today; the identity block stays fixed."""
    state = mind.state
    if state.summary_day == ctx.day:
        return
    state.summary_day = ctx.day
    aspects = list(Aspect)
    found = yield from mind.recall(ctx, [summary_query(agent=mind.name, aspect=a)
                                         for a in aspects])
    persona = mind.persona
    asked = [(aspect, records) for aspect, records in zip(aspects, found, strict=True)
             if records]
    requests: list[ModelRequest] = [
        replace(summary_request(agent=mind.name, aspect=aspect, records=[
            *persona_facts(agent=mind.name, aspect=aspect, traits=persona.traits,
                           occupation=persona.occupation),
            *(r.description for r in records)]),
                seed=ctx.seed(mind.name, f"summary:{aspect.value}"))
        for aspect, records in asked]
    answers = (yield from ask(requests)) if requests else []
    statements: dict[Aspect, str] = {}
    for (aspect, _), answer, request in zip(asked, answers, requests, strict=True):
        try:
            statements[aspect] = parse_summary_statement(expect(answer, GenerateResult).text)
        except PromptParseError:
            mind.fell_back(request.tag)
    state.summary = compose_summary(mind.persona.identity(), statements)
