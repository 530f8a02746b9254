"""Whether to keep to the plan or react to an observation, and what the reaction is.

The decision is a yes/no `Choose` asking whether the agent can *ignore* what it
noticed and carry on: framed that way the 0.5B model answered 5 of 6 test cases
right, against 2-3 of 6 when asked "should it react?" (it answered no to
everything). Read it with `reacts`; only then does cognition pay for the
free-text reaction, which re-plans from now. Talking to
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
    echoes,
    first_sentences,
    has_letters,
    is_yes,
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

DECISION_SYSTEM = ("You decide whether a person in a small town can ignore something they "
                   "notice and carry on with what they are doing. Everyday sights can be "
                   "ignored; urgent, dangerous or personally important things cannot. "
                   "Answer yes or no.")
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
_COUNTER = _situation("Nora Finch", "14:00", "restocking shelves at Green Grocery",
                      "a customer is paying at the counter", ())
_ADA = "About Ada Quill:\nAda Quill is a 34-year-old baker who runs the town bakery.\n\n"
_BEN = "About Ben Harlow:\nBen Harlow is a quiet librarian who loves history.\n\n"
_NORA = "About Nora Finch:\nNora Finch is a grocer who knows everyone in town.\n\n"
_CHILD = _situation("Nora Finch", "16:20", "walking home from Green Grocery",
                    "a child fell off a bike and is crying", ())


def _can_ignore(agent: str) -> str:
    return f"\nCan {agent} ignore it and carry on?"


DECISION_SHOTS = (
    (_BEN + _SHELF + _can_ignore("Ben Harlow"), "yes"),
    (_ADA + _FIRE + _can_ignore("Ada Quill"), "no"),
    (_NORA + _COUNTER + _can_ignore("Nora Finch"), "yes"),
    (_NORA + _CHILD + _can_ignore("Nora Finch"), "no"),
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
    """Whether `agent` can ignore `observation` and carry on with `activity` ("making
    coffee"); options yes/no, read with `reacts`."""
    name = line(agent, 60)
    task = _situation(name, time, activity, observation, memories)
    prompt = chat(system=DECISION_SYSTEM, shots=DECISION_SHOTS,
                  agent_part=persona_block(agent, persona),
                  task=task + _can_ignore(name))
    return Choose(prompt, options=YES_NO, tag=TAG_DECISION)


def reacts(index: int) -> bool:
    """Whether the decision's answer (an index into YES_NO) means: stop and react."""
    return not is_yes(index)


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
