"""A user's interview question, answered in character from retrieved memories."""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.prompts.base import (
    PromptParseError,
    chat,
    first_sentences,
    has_letters,
    is_refusal,
    line,
    numbered,
    persona_block,
    quote,
    strip_marker,
    strip_quotes,
    strip_speaker,
    unwrap,
)
from agents.requests import Generate

TAG = "interview"
MAX_SENTENCES = 4
MAX_CHARS = 600

SYSTEM = ("You play a person who lives in a small town and answer an interviewer's question "
          "in the first person, in character, in one to three sentences, using what the "
          "person remembers. If the person does not know, say so.")

SHOTS = (
    ("About Ada Quill:\nAda Quill is a 34-year-old baker who runs the town bakery.\n\n"
     "It is Tuesday March 7, 16:00.\nWhat Ada Quill remembers:\n"
     + numbered(("Ada Quill plans to bake walnut bread tomorrow at 06:00",
                 "Ben Harlow asked Ada Quill for a loaf of walnut bread"))
     + "\nThe interviewer asks: " + quote("What will you be doing tomorrow morning?")
     + "\nAnswer as Ada Quill.",
     "Tomorrow morning I'll be at the bakery from six, baking walnut bread. Ben asked me "
     "for a loaf, so I'll set one aside for him."),
)


def interview_request(*, agent: str, persona: str, time: str, question: str,
                      memories: Sequence[str] = ()) -> Generate:
    """`question` put to `agent` at `time` (e.g. "Monday February 13, 10:00")."""
    name = line(agent, 60)
    task = f"It is {line(time, 40)}."
    if memories:
        task += f"\nWhat {name} remembers:\n{numbered(memories[:10])}"
    task += f"\nThe interviewer asks: {quote(question, 300)}\nAnswer as {name}."
    prompt = chat(system=SYSTEM, shots=SHOTS, agent_part=persona_block(agent, persona), task=task)
    return Generate(prompt, max_tokens=120, stop=("\n\n", "The interviewer"), tag=TAG)


def parse_interview_answer(text: str, *, agent: str) -> str:
    """The answer's first paragraph without `agent`'s name as a prefix or quotes, at most
    four sentences and 600 characters. An answer without words raises."""
    text = unwrap(text).replace("\r", "")
    paragraphs = [strip_marker(part) for part in re.split(r"\n\s*\n", text)]
    for paragraph in paragraphs:
        answer = strip_quotes(strip_speaker(" ".join(paragraph.split()), (agent,)))
        answer = first_sentences(answer, MAX_SENTENCES)
        if has_letters(answer) and not is_refusal(answer):
            if len(answer) > MAX_CHARS:
                answer = answer[:MAX_CHARS].rsplit(" ", 1)[0] + "..."
            return answer
    raise PromptParseError("no words in the interview answer")
