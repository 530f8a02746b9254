"""The day plan decomposed into hour-long chunks covering waking to bedtime."""

from __future__ import annotations

from collections.abc import Sequence

from agents.prompts.base import (
    PromptParseError,
    chat,
    line,
    names_other_time,
    persona_block,
    split_evenly,
    timed_items,
)
from agents.repetition import loop_free
from agents.requests import Generate
from agents.state import ScheduledActivity

TAG = "hourly_schedule"
MAX_CHUNK = 60
GRID = 5

SYSTEM = ("You turn a person's plan for the day into an hourly schedule. Answer with the "
          "schedule only: one line per hour from waking to bedtime, each line a time and "
          "what the person does then, like \"09:00 work at the shop\".")

# The example is a lighthouse keeper, unlike anyone in a town, so that a copied line
# shows (a baker's example was copied into bakers' and others' schedules alike).
SHOTS = (
    ("About Oskar Vint:\nOskar Vint is a 58-year-old lighthouse keeper on Gull Rock.\n\n"
     "Plan for Friday June 2:\n04:30 wake up and put out the lighthouse lamp\n"
     "05:30 write the dawn weather log\n08:00 polish the great lens\n"
     "13:00 meet the supply boat at the jetty\n14:00 paint seabirds on the cliff\n\n"
     "Write Oskar Vint's hourly schedule from 04:30 until bedtime at 15:00.",
     "04:30 wake up and put out the lighthouse lamp\n"
     "05:30 write the dawn weather log\n"
     "06:30 eat porridge in the keeper's kitchen\n"
     "07:00 check the foghorn\n"
     "08:00 polish the great lens\n"
     "10:00 mend the railing on the gallery\n"
     "12:00 eat lunch in the keeper's kitchen\n"
     "13:00 meet the supply boat at the jetty\n"
     "14:00 paint seabirds on the cliff"),
)


def hourly_schedule_request(*, agent: str, persona: str, date: str, plan: Sequence[str],
                            wake_time: str, sleep_time: str) -> Generate:
    """Ask for the hourly schedule; `plan` is the day plan as "HH:MM activity" lines."""
    name = line(agent, 60)
    plan_lines = "\n".join(line(item, 120) for item in plan[:10])
    task = (f"Plan for {line(date, 40)}:\n{plan_lines}\n\n"
            f"Write {name}'s hourly schedule from {line(wake_time, 8)} until bedtime at "
            f"{line(sleep_time, 8)}.")
    prompt = chat(system=SYSTEM, shots=SHOTS, agent_part=persona_block(agent, persona), task=task)
    return Generate(prompt, max_tokens=240, stop=("\n\n",), tag=TAG,
                    stop_at_loop=True)


def parse_hourly_schedule(text: str, *, start_minute: int, end_minute: int,
                          max_chunk: int = MAX_CHUNK) -> list[ScheduledActivity]:
    """Contiguous chunks covering exactly [start_minute, end_minute), none over `max_chunk`.

    Normalisation: times more than `NIGHT_MARGIN` before `start_minute` are after
    midnight (the window may run past 1440); times are rounded to 5 minutes; an item
    before the start becomes the first chunk if it is the latest such item (what the
    agent is doing on waking), items at or after the end are dropped, and the first chunk
    is stretched back to the start; each item lasts until the next; neighbours with the
    same description merge; an item that names another time of day than its own
    (`names_other_time`: "12:00 walk in the park every morning") is dropped; a chunk
    longer than `max_chunk` is split into equal parts.
    Fewer than 2 items, or an answer that loops (`loop_free`), raises.
    """
    if end_minute <= start_minute:
        raise ValueError(f"empty schedule window {start_minute}..{end_minute}")
    starts: list[int] = []
    descriptions: list[str] = []
    items = timed_items(text, day_start=start_minute)
    if loop_free([description for _, description in items]) < len(items):
        raise PromptParseError("the schedule loops")
    for minute, description in items:
        if names_other_time(description, minute):
            continue
        rounded = min(max(round(minute / GRID) * GRID, start_minute), end_minute)
        if rounded >= end_minute:
            continue
        if starts and starts[-1] == rounded:  # an earlier item overtaken: the latest wins
            descriptions[-1] = description
            continue
        starts.append(rounded)
        descriptions.append(description)
    if len(starts) < 2:
        raise PromptParseError(f"a schedule needs 2+ timed lines in the day, read {len(starts)}")
    starts[0] = start_minute
    ends = [*starts[1:], end_minute]
    merged: list[ScheduledActivity] = []
    for start, end, description in zip(starts, ends, descriptions, strict=True):
        if merged and merged[-1].description.lower() == description.lower():
            merged[-1].duration += end - start
        else:
            merged.append(ScheduledActivity(start, end - start, description))
    return split_long(merged, max_chunk)


def split_long(chunks: Sequence[ScheduledActivity], max_len: int) -> list[ScheduledActivity]:
    """Each chunk over `max_len` minutes cut into equal parts (5-minute multiples when it can)."""
    result: list[ScheduledActivity] = []
    for chunk in chunks:
        pieces = -(-chunk.duration // max_len)
        start = chunk.start_minute
        for duration in split_evenly(chunk.duration, pieces, GRID):
            result.append(ScheduledActivity(start, duration, chunk.description))
            start += duration
    return result
