"""Whether to keep to the plan or react to an observation, and what the reaction is.

The decision is a yes/no `Choose` (index 0: react); only when it says yes does
cognition pay for the free-text reaction, which re-plans from now. Talking to
someone is decided by `converse.talk_decision_request`, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.prompts.base import (
    YES_NO,
    PromptParseError,
    answer_lines,
    chat,
    clean_phrase,
    first_sentences,
    has_letters,
    line,
    numbered,
    persona_block,
    quote,
    read_minutes,
)
from agents.requests import Choose, Generate

TAG_DECISION = "react_decision"
TAG_REACTION = "reaction"
DEFAULT_MINUTES = 15
MIN_MINUTES = 5
MAX_MINUTES = 60

DECISION_SYSTEM = ("You decide whether a person in a small town stops what they are doing "
                   "to react to something they notice. Most things need no reaction; urgent "
                   "or personally important things do. Answer yes or no.")
REACTION_SYSTEM = ("You decide what a person in a small town does right now in reaction to "
                   "something they notice. Answer with one line: how many minutes it takes "
                   "and what the person does, like \"10 min: close the window\".")


def _situation(agent: str, time: str, activity: str, observation: str,
               memories: Sequence[str]) -> str:
    text = (f"It is {line(time, 8)}. {agent} is {line(activity, 120)}.\n"
            f"{agent} notices: {quote(observation)}")
    if memories:
        text += f"\nWhat {agent} remembers:\n{numbered(memories[:5])}"
    return text


_FIRE = _situation("Ada Quill", "18:40", "reading a book on the sofa",
                   "the stove is burning", ())
_SHELF = _situation("Ben Harlow", "10:15", "shelving books at the library",
                    "the reading table is idle", ())
_RAIN = _situation("Nora Finch", "14:00", "restocking shelves at Green Grocery",
                   "a customer is paying at the counter", ())
_ADA = "About Ada Quill:\nAda Quill is a 34-year-old baker who runs the town bakery.\n\n"
_BEN = "About Ben Harlow:\nBen Harlow is a quiet librarian who loves history.\n\n"
_NORA = "About Nora Finch:\nNora Finch is a grocer who knows everyone in town.\n\n"

DECISION_SHOTS = (
    (_BEN + _SHELF + "\nShould Ben Harlow stop and react?", "no"),
    (_ADA + _FIRE + "\nShould Ada Quill stop and react?", "yes"),
    (_NORA + _RAIN + "\nShould Nora Finch stop and react?", "no"),
)
REACTION_SHOTS = (
    (_ADA + _FIRE + "\nWhat does Ada Quill do now?", "10 min: put out the fire on the stove"),
)


@dataclass(frozen=True, slots=True)
class Reaction:
    description: str
    duration: int


def react_decision_request(*, agent: str, persona: str, time: str, activity: str,
                           observation: str, memories: Sequence[str] = ()) -> Choose:
    """Whether `agent` interrupts `activity` (e.g. "making coffee") for `observation`."""
    name = line(agent, 60)
    task = _situation(name, time, activity, observation, memories)
    prompt = chat(system=DECISION_SYSTEM, shots=DECISION_SHOTS,
                  agent_part=persona_block(agent, persona),
                  task=f"{task}\nShould {name} stop and react?")
    return Choose(prompt, options=YES_NO, tag=TAG_DECISION)


def reaction_request(*, agent: str, persona: str, time: str, activity: str,
                     observation: str, memories: Sequence[str] = ()) -> Generate:
    """What `agent` does about `observation`; read it with `parse_reaction`."""
    name = line(agent, 60)
    task = _situation(name, time, activity, observation, memories)
    prompt = chat(system=REACTION_SYSTEM, shots=REACTION_SHOTS,
                  agent_part=persona_block(agent, persona),
                  task=f"{task}\nWhat does {name} do now?")
    return Generate(prompt, max_tokens=40, stop=("\n",), tag=TAG_REACTION)


def parse_reaction(text: str) -> Reaction:
    """The first line with words: its action, and its minutes clamped to 5..60 (15 if none)."""
    for raw in answer_lines(text):
        minutes, rest = read_minutes(raw)
        description = clean_phrase(first_sentences(rest, 1), 120)
        if has_letters(description):
            duration = min(max(minutes or DEFAULT_MINUTES, MIN_MINUTES), MAX_MINUTES)
            return Reaction(description, duration)
    raise PromptParseError("no reaction with words in the answer")
