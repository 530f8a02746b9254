"""The new state of an object while someone acts on it ("coffee machine" -> "brewing coffee")."""

from __future__ import annotations

import re

from agents.phrasing import is_participle
from agents.prompts.base import (
    PromptParseError,
    answer_lines,
    chat,
    clean_phrase,
    first_sentences,
    has_letters,
    line,
    quote,
    strip_quotes,
)
from agents.requests import Generate

TAG = "object_state"
MAX_WORDS = 6

SYSTEM = ("You describe the state of an object while a person uses it, in two to four "
          "words, like \"brewing coffee\" or \"being played\". Answer with the state only.")

SHOTS = (
    ("Object: coffee machine\nAction: " + quote("Ada Quill is making coffee"), "brewing coffee"),
    ("Object: bed\nAction: " + quote("Ben Harlow is sleeping"), "being slept in"),
    ("Object: piano\nAction: " + quote("Nora Finch is practising a song"), "being played"),
    ("Object: desk\nAction: " + quote("Ben Harlow is writing a letter"), "covered in papers"),
)


def object_state_request(*, obj: str, action: str) -> Generate:
    """The state of `obj` (e.g. "stove") while `action` (e.g. "Ada is cooking") happens."""
    task = f"Object: {line(obj, 60)}\nAction: {quote(action, 160)}"
    prompt = chat(system=SYSTEM, shots=SHOTS, agent_part="", task=task)
    return Generate(prompt, max_tokens=12, stop=("\n",), tag=TAG)


def parse_object_state(text: str, *, obj: str) -> str:
    """A short state phrase: the first line's first clause, without "The <obj> is" (or "it
    is"), nor "being" before a word that is not a participle ("being ready"), at most six
    words, lower case. No words raises."""
    for raw in answer_lines(text):
        state = clean_phrase(first_sentences(strip_quotes(raw), 1), 120)
        state = re.sub(r"^(?:state|answer)\s*:\s*", "", state, flags=re.IGNORECASE)
        state = re.sub(rf"^(?:it|(?:the\s+)?{re.escape(obj.strip())})\s+(?:is|are)\s+", "", state,
                       flags=re.IGNORECASE)
        state = re.split(r"[,;:(]| - ", state, maxsplit=1)[0]
        state = clean_phrase(state, 80).lower()
        being = re.match(r"being\s+([a-z]+)", state)
        if being and not is_participle(being[1]):  # "being ready" says "ready"
            state = state.removeprefix("being").strip()
        if has_letters(state):
            return " ".join(state.split()[:MAX_WORDS])
    raise PromptParseError("no state in the answer")
