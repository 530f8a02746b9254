"""Reacting to what was just perceived: start a conversation, handle an event, or carry on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.cognition.acting import start_action
from agents.cognition.conversing import can_talk, decide_to_talk
from agents.cognition.planning import ActionStarted, sampled
from agents.context import TickContext
from agents.memory import MemoryRecord
from agents.mind import Mind
from agents.prompts.base import PromptParseError
from agents.prompts.react import (
    parse_reaction,
    reaction_request,
    reacts,
    urgency_request,
)
from agents.steps import Step, embed, generate
from world.perception import WorldEvent


@dataclass(frozen=True, slots=True)
class TalkTo:
    partner: str


Reaction = TalkTo | ActionStarted | None


def consider(mind: Mind, ctx: TickContext, events: Sequence[WorldEvent],
             records: Sequence[MemoryRecord]) -> Step[Reaction]:
    """At most one talk decision (the closest resident) and one event reaction per tick."""
    if mind.state.asleep or mind.state.conversation is not None:
        return None
    for event in events:
        other = ctx.residents.get(event.subject)
        if other is not None and can_talk(mind, ctx, other):
            if (yield from decide_to_talk(mind, ctx, other)):
                return TalkTo(other.name)
            break
    notable = [(event, record) for event, record in zip(events, records, strict=False)
               if record.importance >= mind.config.react_importance
               and event.subject not in ctx.residents]
    if not notable:
        return None
    event, _ = notable[0]
    memories = [m.description for m in records[:3]]
    urgency = yield from embed(urgency_request(observation=event.description))
    if not reacts(urgency):
        return None
    request = sampled(mind, ctx, reaction_request(
        agent=mind.name, persona=mind.persona_text(), time=ctx.clock, activity=mind.activity(),
        observation=event.description, memories=memories))
    answer = yield from generate(request)
    try:
        reaction = parse_reaction(answer.text, plan=[
            mind.activity(), *(step.description for step in mind.state.actions)])
    except PromptParseError:
        mind.fell_back(request.tag)
        return None
    place = event.address
    pictogram = yield from start_action(mind, ctx, reaction.description, place,
                                        ctx.tick + ctx.ticks_for(reaction.duration),
                                        reaction=True)
    return ActionStarted(reaction.description, place, pictogram, None)
