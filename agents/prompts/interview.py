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
    without_sleep_habits,
)
from agents.requests import Generate

TAG = "interview"
MAX_SENTENCES = 4
MAX_CHARS = 600

SYSTEM = ("You are a person who lives in a small town, talking to an interviewer. Answer "
          "as yourself: in the first person (\"I\", \"my\"), in your own words, in one to "
          "three sentences, from what you remember. Do not describe yourself by name or as "
          "\"she\" or \"he\", and do not repeat your description. If your memories do not "
          "say, answer that you don't know.")

_ADA = "About Ada Quill:\nAda Quill is a 34-year-old baker who runs the town bakery.\n\n"


def _task(agent: str, time: str, question: str, memories: Sequence[str],
          wake: str = "", bed: str = "") -> str:
    """Second person ("You are Ada Quill"): the 0.5B model answered in the third person
    and repeated the persona more often when asked to answer "as Ada Quill". Waking and
    bed times ("HH:MM") come as one fact line, not as the persona's sleep habits."""
    task = f"You are {agent}. It is {line(time, 40)}."
    if wake and bed:
        task += f" You usually wake at {line(wake, 8)} and go to bed at {line(bed, 8)}."
    if memories:
        task += f"\nWhat you remember:\n{numbered(memories[:10])}"
    first = agent.split()[0] if agent.split() else agent
    return (task + f"\nThe interviewer asks: {quote(question, 300)}\n"
            f"Answer in the first person, as {first}.")


SHOTS = (
    (_ADA + _task("Ada Quill", "Tuesday March 7, 16:00", "What will you be doing tomorrow "
                  "morning?", ("Ada Quill plans to bake walnut bread tomorrow at 06:00",
                               "Ben Harlow asked Ada Quill for a loaf of walnut bread"),
                  "05:00", "21:00"),
     "Tomorrow morning I'll be at the bakery from six, baking walnut bread. Ben asked me "
     "for a loaf, so I'll set one aside for him."),
    (_ADA + _task("Ada Quill", "Tuesday March 7, 16:05", "Who is running for town treasurer?",
                  ("Ada Quill baked walnut bread", "Ben Harlow bought two rolls"), "05:00",
                  "21:00"),
     "I don't know, I haven't heard anyone mention it."),
    (_ADA + _task("Ada Quill", "Tuesday March 7, 16:10", "Tell me about yourself.",
                  ("Ada Quill baked walnut bread",), "05:00", "21:00"),
     "I'm Ada. I get up before dawn to bake for the whole town, and I love trying new "
     "recipes, like the walnut bread I made today."),
)


def interview_request(*, agent: str, persona: str, time: str, question: str,
                      memories: Sequence[str] = (), wake: str = "", bed: str = "") -> Generate:
    """`question` put to `agent` at `time` (e.g. "Monday February 13, 10:00"), who wakes
    at `wake` and goes to bed at `bed` ("HH:MM"; both or neither). The persona is read
    without its sleep habits (`without_sleep_habits`): on the benchmark's 24 interview
    cases, the 0.5B model recited "goes to bed around 10pm, wakes at 5am, milks the cows
    at 5:30am" as its answer to "Tell me about yourself" (persona echo 1 of 24, then 0)."""
    task = _task(line(agent, 60), time, question, memories, wake, bed)
    prompt = chat(system=SYSTEM, shots=SHOTS,
                  agent_part=persona_block(agent, without_sleep_habits(persona)), task=task)
    return Generate(prompt, max_tokens=120, stop=("\n\n", "The interviewer"), tag=TAG,
                    max_sentences=MAX_SENTENCES)


_OUT_OF_ROLE = re.compile(
    r"\bi(?:'m|\u2019m| am) sorry,? but\b|\bi apologi[sz]e\b"
    r"|\bi (?:don't|don\u2019t|do not) have (?:any )?(?:information|access|details|personal)\b"
    r"|\bi (?:can't|can\u2019t|cannot|am unable to|'m unable to) (?:provide|answer|help|assist|"
    r"share)\b", re.IGNORECASE)
"""An assistant's refusal ("I'm sorry, but I don't have any information about ...")
rather than a resident's answer; cognition answers with `DONT_KNOW` instead."""
DONT_KNOW = "I don't know."


def parse_interview_answer(text: str, *, agent: str) -> str:
    """The answer's first paragraph without `agent`'s name as a prefix or quotes, at most
    four sentences and 600 characters. An answer without words, or out of the role (an
    assistant's apology or refusal), raises."""
    text = unwrap(text).replace("\r", "")
    paragraphs = [strip_marker(part) for part in re.split(r"\n\s*\n", text)]
    for paragraph in paragraphs:
        answer = strip_quotes(strip_speaker(" ".join(paragraph.split()), (agent,)))
        answer = first_sentences(answer, MAX_SENTENCES)
        if has_letters(answer) and not is_refusal(answer) and not _OUT_OF_ROLE.search(answer):
            if len(answer) > MAX_CHARS:
                answer = answer[:MAX_CHARS].rsplit(" ", 1)[0] + "..."
            return answer
    raise PromptParseError("no words in the interview answer")
