"""The daily summary description: one short statement per aspect, from retrieved records.

Three small requests (one per `Aspect`, each with its own retrieval) batch well
and are easier for a small model than one paragraph; cognition joins the
persona's fixed identity with the three statements (see `compose_summary`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from agents.prompts.base import (
    PromptParseError,
    answer_lines,
    chat,
    clean_phrase,
    first_sentences,
    has_letters,
    is_refusal,
    line,
    numbered,
    strip_quotes,
)
from agents.requests import Generate

TAG = "summary"


class Aspect(StrEnum):
    CHARACTER = "character"
    OCCUPATION = "occupation"
    GOALS = "goals"


_ASKS: Mapping[Aspect, str] = {
    Aspect.CHARACTER: "What are {name}'s core characteristics?",
    Aspect.OCCUPATION: "What is {name}'s current occupation, and how does {name} feel about it?",
    Aspect.GOALS: "What are {name}'s current goals?",
}
_QUERIES: Mapping[Aspect, str] = {
    Aspect.CHARACTER: "{name}'s core characteristics",
    Aspect.OCCUPATION: "{name}'s current daily occupation and feelings about it",
    Aspect.GOALS: "{name}'s current goals and plans",
}

SYSTEM = ("You read numbered statements about a person and answer a question about them "
          "in one or two short sentences, using only what the statements say.")

SHOTS = (
    ("Statements about Ada Quill:\n" + numbered((
        "Ada Quill is baking bread at Sunny Bakery",
        "Ada Quill told Ben that she loves the smell of fresh bread",
        "Ada Quill is worried about the price of flour",
    )) + "\n" + _ASKS[Aspect.OCCUPATION].format(name="Ada Quill"),
     "Ada Quill runs Sunny Bakery. She loves baking but worries about the price of flour."),
)


def persona_facts(*, agent: str, aspect: Aspect, traits: Sequence[str],
                  occupation: str) -> tuple[str, ...]:
    """What the persona says outright about `aspect`, shown first among the statements: with
    retrieved records alone the 0.5B model guessed occupations ("Isabella Rodriguez is a
    chef" for the cafe's owner, "Sam Moore is a farmer" for a retired engineer)."""
    if aspect is Aspect.CHARACTER and traits:
        return (f"{agent} is {', '.join(traits)}",)
    if aspect is Aspect.OCCUPATION and occupation:
        return (f"{agent}'s occupation: {occupation}",)
    return ()


def summary_query(*, agent: str, aspect: Aspect) -> str:
    """What to retrieve records for, for one aspect of `agent`'s summary."""
    return _QUERIES[aspect].format(name=agent)


SENTENCES = 2
"""What a statement keeps of its answer; decoding stops there (the 0.5B model wrote 3-4
sentences of its persona per statement: 394 answer tokens for the quick start's 9)."""


def summary_request(*, agent: str, aspect: Aspect, records: Sequence[str]) -> Generate:
    """One aspect of the summary, from `records` retrieved with `summary_query`."""
    name = line(agent, 60)
    task = (f"Statements about {name}:\n{numbered(records)}\n"
            f"{_ASKS[aspect].format(name=name)}")
    prompt = chat(system=SYSTEM, shots=SHOTS, agent_part="", task=task)
    return Generate(prompt, max_tokens=70, stop=("\n\n",), tag=f"{TAG}_{aspect.value}",
                    max_sentences=SENTENCES)


def parse_summary_statement(text: str) -> str:
    """The first `SENTENCES` sentences of the answer, of at least three words."""
    lines = answer_lines(text)
    joined = " ".join(strip_quotes(raw) for raw in lines)
    statement = clean_phrase(first_sentences(joined, SENTENCES), 300)
    if not has_letters(statement) or len(statement.split()) < 3 or is_refusal(statement):
        raise PromptParseError("no statement of three or more words in the answer")
    return statement + "."


def compose_summary(identity: str, statements: Mapping[Aspect, str]) -> str:
    """The summary description: the fixed identity, then each aspect's statement in order."""
    parts = [identity.strip(), *(statements[a] for a in Aspect if statements.get(a))]
    return "\n".join(part for part in parts if part)
