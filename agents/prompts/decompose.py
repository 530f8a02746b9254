"""An hour-long chunk decomposed, just in time, into 5-15 minute actions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agents.phrasing import foreign_words
from agents.prompts.base import (
    PromptParseError,
    answer_lines,
    chat,
    clean_phrase,
    has_letters,
    line,
    names_other_time,
    persona_block,
    read_clock,
    read_minutes,
    split_evenly,
    starts_with_clock,
    without_sleep_habits,
)
from agents.repetition import NO_REPEAT_NGRAM, loop_free
from agents.requests import Generate
from agents.state import ScheduledActivity

TAG = "decompose"
MIN_ACTION = 5
MAX_ACTION = 15
GRID = 5
DEFAULT_WEIGHT = 10  # a step written without a duration counts as 10 minutes

SYSTEM = ("You break one activity of a person's day into small steps of 5 to 15 minutes. "
          "Answer with the steps only, one per line, each the minutes it takes and what "
          "the person does, like \"10 min: make coffee\". The minutes add up to the total.")

# The example is a lighthouse keeper, unlike anyone in a town (as in the day plan's
# examples): a baker's steps ("knead the dough", "shape the loaves") were copied into the
# quick start's decompositions of "open the cafe" and others.
SHOTS = (
    ("About Oskar Vint:\nOskar Vint is a 58-year-old lighthouse keeper on Gull Rock.\n\n"
     "From 08:00 to 09:00 (60 minutes) Oskar Vint will: polish the great lens.\n"
     "Write the steps.",
     "10 min: climb the tower stairs with the cleaning kit\n"
     "15 min: brush the salt off the lens panels\n"
     "20 min: rub each panel clean with a soft cloth\n"
     "10 min: trim the lamp wick\n"
     "5 min: note the work in the log"),
)
EXAMPLE_WORDS = ("lighthouse", "lens", "lamp", "wick", "panels")
"""Words of the example's steps: a step may not use one its resident's own text lacks."""
STEP_PATTERN = r"[1-9][0-9]? min: [a-z][^\n]{2,60}"
MAX_STEPS = 12
PATTERN = rf"{STEP_PATTERN}(?:\n{STEP_PATTERN}){{0,{MAX_STEPS - 1}}}\n?"
"""The steps' format, fixed at decoding: 1-12 "N min: what" lines, each step from a
lower-case letter (not the prompt's own "From 07:00 to 08:00 Isabella will: ...")."""


def decompose_request(*, agent: str, persona: str, activity: str, start_time: str,
                      end_time: str, duration: int, context: Sequence[str] = ()) -> Generate:
    """Ask for the steps of one chunk; `context` is a few neighbouring schedule lines. The
    persona's sleep habits are left out (`without_sleep_habits`): the 0.5B model made them
    steps ("20 min: go to bed around 10pm, wakes around 6am" in a morning's planning)."""
    name = line(agent, 60)
    persona = without_sleep_habits(persona)
    task = []
    if context:
        task.append("Schedule around it:\n" + "\n".join(line(item, 100) for item in context[:4]))
    task.append(f"From {line(start_time, 8)} to {line(end_time, 8)} ({duration} minutes) "
                f"{name} will: {line(activity, 120)}.\nWrite the steps.")
    prompt = chat(system=SYSTEM, shots=SHOTS, agent_part=persona_block(agent, persona),
                  task="\n".join(task))
    own = " ".join([persona, *task])
    budget = min(160, 30 + 10 * max(1, duration // MIN_ACTION))
    return Generate(prompt, max_tokens=budget, stop=("\n\n",), tag=TAG, stop_at_loop=True,
                    no_repeat_ngram=NO_REPEAT_NGRAM, pattern=PATTERN,
                    avoid_words=foreign_words(EXAMPLE_WORDS, own))


_TASK_ECHO = re.compile(r"\bfrom\s+\d{1,2}[:.]\d{2}\s+to\s+\d{1,2}[:.]\d{2}\b|\bwill\s*:"
                        r"|\bwrite the steps\b|\bschedule around it\b", re.IGNORECASE)
"""A line that repeats the prompt's own sentences ("From 07:00 to 08:00 Isabella will:
wake up, ...") rather than giving a step."""


@dataclass(slots=True)
class _Step:
    minutes: int
    description: str
    timed: bool = True


def _read_step(raw: str) -> _Step | None:
    """One line as a step; its minutes are DEFAULT_WEIGHT when it gives none."""
    written, text = read_minutes(raw)
    minutes = written or DEFAULT_WEIGHT
    timed = written is not None
    if starts_with_clock(text):  # "08:00 make coffee": the time is not part of the step
        clock = read_clock(text)
        if clock is not None:
            text = clock[2]
    description = clean_phrase(text, 100)
    return _Step(minutes, description, timed) if has_letters(description) else None


EXAMPLE_STEPS = frozenset(read.description.lower() for _, answer in SHOTS
                          for read in map(_read_step, answer.splitlines()) if read)
"""The example's steps, lower case: a step that repeats one is dropped (the quick start's
innkeeper "opened" the day by brushing the salt off the lens panels)."""


def parse_decomposition(text: str, *, start_minute: int, duration: int,
                        min_len: int = MIN_ACTION, max_len: int = MAX_ACTION,
                        ) -> list[ScheduledActivity]:
    """Contiguous actions covering exactly [start_minute, start_minute + duration).

    Normalisation, in order:
    0. lines that repeat the prompt's sentences or the example's steps, or that name
       another time of day than the chunk's (`names_other_time`), are dropped, and the
       lines from where the answer starts to loop (`loop_free`);
    1. each line's minutes are read as a weight; lines without minutes are dropped as
       commentary when any line has minutes, else each weighs 10; neighbouring lines with
       the same description merge;
    2. weights are rescaled to sum to `duration` by largest remainder, in 5-minute units
       when `duration` is a multiple of 5 (else in minutes); a step rounded to zero drops;
    3. a step shorter than `min_len` merges into the step before it (the first step into
       the next);
    4. a step longer than `max_len` is split into equal parts, each at least `min_len`.
    A chunk shorter than `min_len` is one action. No readable step raises.
    """
    if duration <= 0:
        raise ValueError(f"a chunk must last a positive number of minutes, got {duration}")
    lines = [raw for raw in answer_lines(text) if not _TASK_ECHO.search(raw)]
    read = [step for step in map(_read_step, lines)
            if step is not None and step.description.lower() not in EXAMPLE_STEPS
            and not names_other_time(step.description, start_minute, start_minute + duration)]
    read = read[:loop_free([step.description for step in read])]
    if any(step.timed for step in read):  # then an untimed line is commentary, not a step
        read = [step for step in read if step.timed]
    steps: list[_Step] = []
    for step in read:
        if steps and steps[-1].description.lower() == step.description.lower():
            steps[-1].minutes += step.minutes
        else:
            steps.append(step)
    if not steps:
        raise PromptParseError("no step with a description in the decomposition")
    if duration < min_len:
        return [ScheduledActivity(start_minute, duration, steps[0].description)]
    lengths = _rescale([step.minutes for step in steps], duration)
    pieces = [_Step(length, step.description)
              for length, step in zip(lengths, steps, strict=True) if length > 0]
    actions: list[ScheduledActivity] = []
    minute = start_minute
    for piece in _merge_short(pieces, min_len):
        parts = -(-piece.minutes // max_len)
        for part in split_evenly(piece.minutes, parts, GRID):
            actions.append(ScheduledActivity(minute, part, piece.description))
            minute += part
    return actions


def _rescale(weights: list[int], total: int) -> list[int]:
    """Integers proportional to `weights` summing to `total` (largest remainder method)."""
    unit = GRID if total % GRID == 0 else 1
    units = total // unit
    weight_sum = sum(weights)
    exact = [w * units / weight_sum for w in weights]
    floors = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (floors[i] - exact[i], i))
    for i in order[:units - sum(floors)]:
        floors[i] += 1
    return [n * unit for n in floors]


def _merge_short(pieces: list[_Step], min_len: int) -> list[_Step]:
    """Pieces shorter than `min_len` folded into a neighbour, keeping the neighbour's words."""
    merged: list[_Step] = []
    carry = 0
    for piece in pieces:
        length = piece.minutes + carry
        carry = 0
        if length >= min_len:
            merged.append(_Step(length, piece.description))
        elif merged:
            merged[-1].minutes += length
        else:
            carry = length
    if carry:  # only reachable when every piece was short: the chunk is one action
        merged.append(_Step(carry, pieces[0].description))
    return merged
