"""Whether to keep to the plan or react to an observation, and what the reaction is.

The decision is made by meaning, not by asking the language model: the observation
is embedded with labelled examples of what cannot be ignored (`URGENT`: a fire, an
injury, a flood) and of everyday sights (`EVERYDAY`), and it is urgent when its
nearest example is an urgent one (`reacts`). Asked "Can Ada ignore it and carry on?",
the 0.5B default model gave nearly the same yes/no scores to a fire and to an empty
bench (hand-checked: 5 of 8 right raw, 4 of 8 calibrated against a content-free
question; the nearest example: 9 of 12). Only when it reacts does cognition pay for
the free-text reaction, which re-plans from now. Talking to someone is decided by
`agents.cognition.conversing.decide_to_talk`, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.embeddings import nearer_first
from agents.phrasing import being
from agents.prompts.base import (
    PromptParseError,
    answer_lines,
    chat,
    clean_phrase,
    echoes,
    first_sentences,
    has_letters,
    line,
    numbered,
    persona_block,
    quote,
    read_minutes,
)
from agents.requests import Embed, EmbedResult, Generate

TAG_DECISION = "react_decision"
TAG_REACTION = "reaction"
DEFAULT_MINUTES = 15
MIN_MINUTES = 5
MAX_MINUTES = 60

URGENT = ("the stove is on fire", "smoke is filling the kitchen",
          "someone fell down and is hurt", "a child is crying for help",
          "water is flooding the floor", "an alarm is ringing", "a pipe burst and is leaking",
          "someone collapsed and is not moving", "a thief is stealing a bag",
          "glass shattered all over the floor")
"""Examples of what a person cannot ignore (our wording, general, not from any town)."""
EVERYDAY = ("the table is idle", "a bench is empty", "the fridge is humming",
            "a cup is standing on the shelf", "a person is reading a book", "the lamp is on",
            "the bed is made", "birds are singing in the trees", "the shelves are full",
            "someone is walking past", "the kettle is idle", "a customer is drinking coffee")
"""Examples of everyday sights a person carries on past."""
REACTION_SYSTEM = ("You decide what a person in a small town does right now in reaction to "
                   "something they notice. Answer with one line: how many minutes it takes "
                   "and what the person does, like \"10 min: close the window\".")


def _situation(agent: str, time: str, activity: str, observation: str,
               memories: Sequence[str]) -> str:
    text = (f"It is {line(time, 8)}. {being(agent, line(activity, 120))}.\n"
            f"{agent} notices: {quote(observation)}")
    if memories:
        text += f"\nWhat {agent} remembers:\n{numbered(memories[:5])}"
    return text


_FIRE = _situation("Ada Quill", "18:40", "reading a book on the sofa",
                   "the stove is burning", ())
_ADA = "About Ada Quill:\nAda Quill is a 34-year-old baker who runs the town bakery.\n\n"


REACTION_SHOTS = (
    (_ADA + _FIRE + "\nWhat does Ada Quill do now?", "10 min: put out the fire on the stove"),
)


@dataclass(frozen=True, slots=True)
class Reaction:
    description: str
    duration: int


def urgency_request(*, observation: str) -> Embed:
    """The observation, then the `URGENT` and the `EVERYDAY` examples, to embed; read the
    answer with `reacts`."""
    return Embed((line(observation), *URGENT, *EVERYDAY), tag=TAG_DECISION)


def reacts(result: EmbedResult) -> bool:
    """Whether the observation's nearest example (cosine similarity) is an urgent one."""
    vectors = result.vectors
    if len(vectors) != 1 + len(URGENT) + len(EVERYDAY):
        raise ValueError("an urgency answer embeds the observation and every example")
    (urgent,) = nearer_first(vectors[:1], vectors[1:1 + len(URGENT)],
                             vectors[1 + len(URGENT):])
    return urgent


def reaction_request(*, agent: str, persona: str, time: str, activity: str,
                     observation: str, memories: Sequence[str] = ()) -> Generate:
    """What `agent` does about `observation`; read it with `parse_reaction`."""
    name = line(agent, 60)
    task = _situation(name, time, activity, observation, memories)
    prompt = chat(system=REACTION_SYSTEM, shots=REACTION_SHOTS,
                  agent_part=persona_block(agent, persona),
                  task=f"{task}\nWhat does {name} do now?")
    return Generate(prompt, max_tokens=40, stop=("\n",), tag=TAG_REACTION)


def parse_reaction(text: str, *, plan: Sequence[str] = ()) -> Reaction:
    """The first line with words: its action, and its minutes clamped to 5..60 (15 if none).

    An answer that repeats what the agent was doing or had planned (`plan`: the current
    activity and its steps, e.g. "15 min: knead dough and bake bread" from the
    decomposition) is not a reaction and raises."""
    for raw in answer_lines(text):
        minutes, rest = read_minutes(raw)
        description = clean_phrase(first_sentences(rest, 1), 120)
        if has_letters(description):
            if echoes(description, plan):
                raise PromptParseError(f"the reaction repeats the plan: {description!r}")
            duration = min(max(minutes or DEFAULT_MINUTES, MIN_MINUTES), MAX_MINUTES)
            return Reaction(description, duration)
    raise PromptParseError("no reaction with words in the answer")
