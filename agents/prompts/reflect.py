"""Reflection: salient questions about recent records, then insights citing their evidence.

Records are shown numbered from 1; an insight's evidence comes back as 0-based
indices into the `records` sequence given to `insights_request`, so cognition
maps them straight to record ids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agents.prompts.base import (
    PromptParseError,
    answer_lines,
    chat,
    clean_phrase,
    content_words,
    echoes,
    has_letters,
    line,
    numbered,
    quote,
    strip_quotes,
)
from agents.repetition import words_of
from agents.requests import Generate

TAG_QUESTIONS = "reflection_questions"
TAG_INSIGHTS = "reflection_insights"
MAX_QUESTIONS = 3
MAX_INSIGHTS = 5

QUESTIONS_SYSTEM = ("You read numbered statements about a person and ask the 3 most salient "
                    "high-level questions they raise about the person's life, relationships "
                    "and plans. Answer with 3 questions, one per line.")
INSIGHTS_SYSTEM = ("You read numbered statements about a person and write 5 high-level "
                   "insights they support. Write one insight per line and end it with the "
                   "numbers of the statements it rests on, like \"Ben loves maps (because of "
                   "1, 4)\".")

_BEN_RECORDS = (
    "Ben Harlow is cataloguing old maps at the library",
    "Ada Quill gave Ben Harlow a loaf of walnut bread",
    "Ben Harlow is reading a history of the town",
    "Ben Harlow talked with Ada Quill about the town's founding",
    "the library's map room is closed for repairs",
)
QUESTIONS_SHOTS = (
    ("Statements about Ben Harlow:\n" + numbered(_BEN_RECORDS)
     + "\nWhat are the 3 most salient questions about Ben Harlow?",
     "What does Ben Harlow care about most in his work?\n"
     "How close are Ben Harlow and Ada Quill?\n"
     "What will Ben Harlow do while the map room is closed?"),
)
INSIGHTS_SHOTS = (
    ("Question: " + quote("How close are Ben Harlow and Ada Quill?") + "\n"
     "Statements about Ben Harlow:\n" + numbered(_BEN_RECORDS)
     + "\nWhat 5 insights about Ben Harlow do these statements support?",
     "Ben Harlow is passionate about the history of the town (because of 1, 3, 4)\n"
     "Ben Harlow and Ada Quill are becoming friends (because of 2, 4)\n"
     "Ada Quill is generous to Ben Harlow (because of 2)\n"
     "Ben Harlow's work depends on the map room (because of 1, 5)"),
)


EXAMPLE_LINES = tuple(
    re.sub(r"\s*\(because of[^)]*\)$", "", answer_line)
    for _, answer in (*QUESTIONS_SHOTS, *INSIGHTS_SHOTS) for answer_line in answer.splitlines())
"""The examples' questions and insights: in the tiny town's first reflections the 0.5B
model wrote "Isabella Rodriguez is passionate about the history of the town" and
"Isabella Rodriguez's work depends on the map room", the example's with her name."""


def repeats_example(text: str, agent: str) -> bool:
    """Whether `text`, `agent`'s name aside, only repeats the words of one example line
    (`echoes`)."""
    own = set(words_of(agent).split())
    rest = " ".join(word for word in words_of(text).split() if word not in own)
    return any(echoes(rest, (example,)) for example in EXAMPLE_LINES)


def _new(text: str, agent: str, kept: Sequence[str]) -> bool:
    """Neither an example's line (`repeats_example`) nor a line already kept."""
    return not repeats_example(text, agent) and words_of(text) not in map(words_of, kept)


@dataclass(frozen=True, slots=True)
class Insight:
    text: str
    evidence: tuple[int, ...]
    """0-based indices into the records shown, in the order cited, without repeats."""


def questions_request(*, agent: str, records: Sequence[str]) -> Generate:
    """The salient questions about `records` (recent descriptions, oldest first).

    Every record costs prompt tokens: pass a few dozen at most."""
    name = line(agent, 60)
    task = (f"Statements about {name}:\n{numbered(records)}\n"
            f"What are the 3 most salient questions about {name}?")
    prompt = chat(system=QUESTIONS_SYSTEM, shots=QUESTIONS_SHOTS, agent_part="", task=task)
    return Generate(prompt, max_tokens=90, stop=("\n\n",), tag=TAG_QUESTIONS)


def insights_request(*, agent: str, question: str, records: Sequence[str]) -> Generate:
    """Insights answering `question` from `records` (retrieved for it), each citing them."""
    name = line(agent, 60)
    task = (f"Question: {quote(question)}\nStatements about {name}:\n{numbered(records)}\n"
            f"What 5 insights about {name} do these statements support?")
    prompt = chat(system=INSIGHTS_SYSTEM, shots=INSIGHTS_SHOTS, agent_part="", task=task)
    return Generate(prompt, max_tokens=120, stop=("\n\n",), tag=TAG_INSIGHTS,
                    stop_at_loop=True)


def parse_questions(text: str, *, agent: str) -> list[str]:
    """1 to 3 questions of at least three words about `agent`; several on one line are split
    at "?"; questions that repeat the example's or an earlier one are dropped."""
    questions: list[str] = []
    for raw in answer_lines(text):
        parts = [part for part in re.split(r"(?<=\?)\s+", raw) if part.strip()]
        for part in parts:
            question = clean_phrase(part, 200)
            if has_letters(question) and len(question.split()) >= 3 \
                    and _new(question, agent, questions):
                questions.append(question if question.endswith("?") else question + "?")
    if not questions:
        raise PromptParseError("no question of three or more words in the answer")
    return questions[:MAX_QUESTIONS]


_CITATION = re.compile(
    r"[(\[]\s*([^()\[\]]*\d[^()\[\]]*)[)\]]\s*[.;,]?\s*$"
    r"|(?:\s*[-,;:]?\s*(?:because of|based on|see)\s+)((?:statements?|records?|#|\s|\d|,|and|&)+)"
    r"\s*[.;]?\s*$",
    re.IGNORECASE)
_RANGE = re.compile(r"(\d{1,4})\s*[-\u2013]\s*(\d{1,4})|(\d{1,4})")


def _cited(citation: str, n_records: int) -> tuple[int, ...]:
    """The valid 0-based indices of a citation like "because of 1, 3-4"; others dropped."""
    numbers: list[int] = []
    for match in _RANGE.finditer(citation):
        if match[3] is not None:
            numbers.append(int(match[3]))
        else:
            low, high = int(match[1]), int(match[2])
            if 0 < high - low < 10:
                numbers.extend(range(low, high + 1))
    indices = dict.fromkeys(n - 1 for n in numbers if 1 <= n <= n_records)
    return tuple(indices)


def grounded(insight: str, cited: Sequence[str], agent: str) -> bool:
    """Whether `insight` shares a content word, `agent`'s name aside, with the records it
    cites: the 0.5B model cited "1, 3, 4" after the example's "passionate about the
    history of the town" whatever the records said."""
    own = content_words(agent)
    theirs = {word for record in cited for word in content_words(record)}
    return bool((content_words(insight) - own) & theirs)


def parse_insights(text: str, *, records: Sequence[str], agent: str) -> list[Insight]:
    """Up to 5 insights about `agent`, each with the 0-based indices of the `records` it
    cites (shown numbered from 1).

    Citations to unknown numbers are dropped, an insight left without evidence is
    dropped, so is one that repeats the example's (`repeats_example`) or an earlier one,
    or shares no word with what it cites (`grounded`); an answer left with no insight
    raises."""
    insights: list[Insight] = []
    for raw in answer_lines(text):
        match = _CITATION.search(raw)
        if match is None:
            continue
        evidence = _cited(match[1] or match[2], len(records))
        body = clean_phrase(strip_quotes(raw[:match.start()]), 240)
        body = re.sub(r"\s*\(?(?:because of|based on)\s*$", "", body, flags=re.IGNORECASE)
        if evidence and has_letters(body) and len(body.split()) >= 3 \
                and _new(body, agent, [insight.text for insight in insights]) \
                and grounded(body, [records[i] for i in evidence], agent):
            insights.append(Insight(body, evidence))
    if not insights:
        raise PromptParseError("no insight citing a shown record in the answer")
    return insights[:MAX_INSIGHTS]
