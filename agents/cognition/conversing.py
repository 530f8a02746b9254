"""Dialogue: deciding to talk, one utterance per tick, deciding to end, the summary.

A conversation advances one utterance per tick, so utterances of all ongoing
conversations share a batch and a crash loses at most one. Its transcript is
kept by the scheduler (stored once, in the utterance table) and passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from agents.cognition.observing import remember_rated
from agents.context import Neighbour, TickContext
from agents.mind import Mind
from agents.prompts.base import YES_NO, PromptParseError, is_yes
from agents.prompts.converse import (
    Line,
    availability_request,
    conversation_summary_request,
    end_decision_request,
    engrossed,
    parse_conversation_summary,
    parse_utterance,
    utterance_request,
)
from agents.repetition import words_of
from agents.steps import Step, choose, embed, generate
from agents.tables import MemoryKind

MIN_ROUNDS_BEFORE_END = 2


@dataclass(frozen=True, slots=True)
class Turn:
    """What a speaker did this tick: said `text`, or (`text` None) ended the conversation."""

    text: str | None


def relationship(mind: Mind, other: str) -> str:
    for known in mind.persona.relationships:
        if known.name == other:
            return known.description
    return ""


def can_talk(mind: Mind, ctx: TickContext, other: Neighbour) -> bool:
    state = mind.state
    return (other.name != mind.name and not other.asleep and not other.busy
            and not state.asleep and state.conversation is None
            and state.cooldowns.get(other.name, -1) <= ctx.tick)


def acquainted(mind: Mind, other: str) -> bool:
    """Whether `mind` knows `other`: a relationship of its persona, or a memory naming them."""
    return bool(relationship(mind, other)) or any(
        other in record.description for record in mind.memory.records())


def decide_to_talk(mind: Mind, ctx: TickContext, other: Neighbour) -> Step[bool]:
    """Whether to start talking to `other`, once `can_talk` allows it (both awake, neither
    in a conversation, no cool-down): not while either is engrossed in what they do
    (`converse.engrossed`, one embedding request), and only with someone the agent knows
    (`acquainted`). No language model is asked: the 0.5B default model answered the
    bare question "no" every time (9 of 9 in the quick start), and read against a
    content-free baseline it said yes to 11 of 12 of the benchmark's no-cases (people in
    the middle of surgery, a speech, a funeral) and no to 3 of 12 yes-cases."""
    busy = yield from embed(availability_request(activities=(mind.activity(), other.activity)))
    return not any(engrossed(busy, 2)) and acquainted(mind, other.name)


def take_turn(mind: Mind, ctx: TickContext, partner: str,
              history: Sequence[Line], max_rounds: int) -> Step[Turn]:
    """The speaker's turn: end the conversation, or say the next line. A line that repeats
    one already said in the conversation (either side, the same words) ends it: the 0.5B
    model otherwise says "Maria Lopez, what do you say to her?" until `max_rounds`."""
    if len(history) >= max_rounds:
        return Turn(None)
    if len(history) >= MIN_ROUNDS_BEFORE_END:
        end = end_decision_request(agent=mind.name, partner=partner, history=history)
        decision = yield from choose(end)
        # Unreadable: talk on; max_rounds still ends the conversation.
        if is_yes(mind.option(end, decision, fallback=YES_NO.index("no"))):
            return Turn(None)
    (memories,) = yield from mind.recall(ctx, [partner], k=mind.config.conversation_memories)
    here = ctx.town.address_at(mind.state.tile)
    told = relationship(mind, partner)
    request = utterance_request(
        agent=mind.name, persona=mind.persona_text(), partner=partner,
        location=here.arena or here.sector or "the street", history=history,
        relationship=told, memories=[m.description for m in memories],
        intentions=[*mind.persona.intentions, *mind.state.intentions])
    request = replace(request, temperature=mind.config.temperature, top_p=mind.config.top_p,
                      seed=ctx.seed(mind.name, request.tag),
                      max_tokens=mind.config.tokens(request.tag, request.max_tokens))
    answer = yield from generate(request)
    try:
        # telling what one remembers is what conversation is for; reading the partner
        # their own description is not
        words = parse_utterance(answer.text, known=[told], speaker=mind.name)
    except PromptParseError:
        mind.fell_back(request.tag)
        return Turn(None) if history else Turn(f"Hello, {partner.split()[0]}!")
    if any(words_of(said) == words_of(words) for _, said in history):
        return Turn(None)  # saying a line again: the conversation has run dry
    return Turn(words)


def summarise(initiator: Mind, ctx: TickContext, partner: str,
              history: Sequence[Line]) -> Step[str]:
    """One sentence on who talked about what, shared by both sides."""
    fallback = f"{initiator.name} and {partner} had a chat"
    if not history:
        return fallback
    request = conversation_summary_request(agent=initiator.name, partner=partner,
                                           history=history)
    answer = yield from generate(request)
    try:
        return parse_conversation_summary(answer.text)
    except PromptParseError:
        initiator.fell_back(request.tag)
        return fallback


def remember_conversation(mind: Mind, ctx: TickContext, partner: str, summary: str,
                          conversation_id: int) -> Step[None]:
    """Store the dialogue's summary and start the cool-down with `partner`."""
    mind.state.cooldowns = {**mind.state.cooldowns,
                            partner: ctx.tick + ctx.ticks_for(mind.config.cooldown_minutes)}
    yield from remember_rated(mind, ctx, MemoryKind.DIALOGUE,
                              [f"Conversation with {partner}: {summary}"],
                              conversation_id=conversation_id)
