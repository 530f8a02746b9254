"""The day plan in broad strokes, written on waking: 5-8 "HH:MM activity" lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.prompts.base import (
    PromptParseError,
    chat,
    format_clock,
    line,
    persona_block,
    quote,
    timed_items,
)
from agents.requests import Generate
from agents.state import ScheduledActivity

TAG = "day_plan"
MIN_ITEMS = 3
MAX_ITEMS = 10

SYSTEM = ("You write the daily plans of people in a small town. Answer with the plan only: "
          "5 to 8 lines in time order, each line a time and an activity, like "
          "\"08:00 have breakfast\".")

SHOTS = (
    ("About Ada Quill:\nAda Quill is a 34-year-old baker who runs the town bakery. She is "
     "cheerful and loves her cat.\n\nToday is Tuesday March 7. Yesterday Ada baked bread "
     "and read in the evening.\nWrite Ada Quill's plan for today, starting with waking up "
     "at 05:30.",
     "05:30 wake up and get ready\n"
     "06:00 bake bread at the bakery\n"
     "07:00 open the bakery and serve customers\n"
     "12:00 have lunch at home\n"
     "13:00 work at the bakery\n"
     "17:00 walk in the park\n"
     "19:00 cook dinner and feed the cat\n"
     "21:00 read a book and go to sleep"),
)


@dataclass(frozen=True, slots=True)
class PlanItem:
    start_minute: int
    description: str


@dataclass(frozen=True, slots=True)
class DayPlan:
    """Plan items in time order, each starting at a distinct minute of the day."""

    items: tuple[PlanItem, ...]

    def lines(self) -> list[str]:
        """The plan as "HH:MM description" lines, the form other prompts show it in."""
        return [f"{format_clock(item.start_minute)} {item.description}" for item in self.items]

    def activities(self, end_minute: int) -> list[ScheduledActivity]:
        """Each item lasting until the next one; the last until `end_minute` (bedtime)."""
        starts = [item.start_minute for item in self.items]
        ends = [*starts[1:], max(end_minute, starts[-1] + 1)]
        return [ScheduledActivity(item.start_minute, end - item.start_minute, item.description)
                for item, end in zip(self.items, ends, strict=True)]


def day_plan_request(*, agent: str, persona: str, date: str, wake_time: str,
                     yesterday: str = "", intentions: Sequence[str] = ()) -> Generate:
    """Ask for today's plan; `yesterday` is a summary of the previous day, `intentions`
    are wishes the agent holds today (whispers, commitments made in conversation)."""
    name = line(agent, 60)
    task = [f"Today is {line(date, 40)}."]
    if yesterday:
        task.append(f"Yesterday: {quote(yesterday, 300)}")
    for intention in intentions[:3]:
        task.append(f"{name} intends: {quote(intention)}")
    task.append(f"Write {name}'s plan for today, starting with waking up at {line(wake_time, 8)}.")
    prompt = chat(system=SYSTEM, shots=SHOTS, agent_part=persona_block(agent, persona),
                  task="\n".join(task))
    return Generate(prompt, max_tokens=120, stop=("\n\n",), tag=TAG)


def parse_day_plan(text: str) -> DayPlan:
    """The plan's items, sorted; the first `MAX_ITEMS` kept. Fewer than `MIN_ITEMS` raises."""
    items = timed_items(text)
    if len(items) < MIN_ITEMS:
        raise PromptParseError(f"a day plan needs {MIN_ITEMS}+ timed lines, read {len(items)}")
    return DayPlan(tuple(PlanItem(minute, description)
                         for minute, description in items[:MAX_ITEMS]))
