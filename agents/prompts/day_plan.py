"""The day plan in broad strokes, written on waking: 5-8 "HH:MM activity" lines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from agents.phrasing import foreign_words
from agents.prompts.base import (
    PromptParseError,
    Shot,
    chat,
    content_words,
    format_clock,
    line,
    names_other_time,
    persona_block,
    quote,
    timed_items,
    without_sleep_habits,
)
from agents.repetition import NO_REPEAT_NGRAM, loop_free
from agents.requests import Generate
from agents.state import ScheduledActivity

TAG = "day_plan"
MIN_ITEMS = 3
MAX_ITEMS = 10

SYSTEM = ("You write the plan for one day of a person who lives in a small town, from what "
          "you are told about them. Answer with the plan only: 5 to 8 lines in time order, "
          "each line a 24-hour time (HH:MM), a space, and what the person does from then on, "
          "in a few words. Plan this person's own work, places and wishes; keep each "
          "appointment at its time.")


def _task(name: str, *, date: str, wake: str, bed: str, workplace: str = "",
          places: Sequence[str] = (), yesterday: str = "", intentions: Sequence[str] = (),
          appointments: Sequence[str] = ()) -> str:
    """The request part: the person's work and places, then today (`wake` and `bed` as
    "HH:MM"); shared by the examples and the request, so that both read alike."""
    task = []
    if workplace:
        task.append(f"{name} works at: {line(workplace, 80)}")
    if places:
        task.append(f"Places {name} goes: " + ", ".join(line(p, 60) for p in places[:6]))
    task.append(f"Today is {line(date, 40)}. {name} wakes up at {wake} and goes to bed at {bed}.")
    if yesterday:
        task.append(f"Yesterday: {quote(yesterday, 300)}")
    task += [f"{name} intends: {quote(intention)}" for intention in intentions[:3]]
    if appointments:
        task.append("Appointments today: " + "; ".join(line(a, 100) for a in appointments[:4]))
    task.append(f"Write {name}'s plan for today, from {wake} to {bed}.")
    return "\n".join(task)


# Two examples, deliberately unlike anyone in a town (a lighthouse keeper, a beekeeper):
# with one baker as the only example, the 0.5B model copied its lines into a third to a
# half of all plans. Without examples (6 benchmark plans, times given or not) it could not
# plan at all: every line at 09:00, "go to bed at noon" at every hour, or "05:00 AM - Nell
# goes to bed at 21:30 AM"; no plan was readable. So the examples stay, their own words
# are kept out of a plan at decoding (`EXAMPLE_WORDS`), and lines that still repeat an
# example line are dropped by the parser.
SHOTS: tuple[Shot, ...] = (
    (persona_block("Oskar Vint", "Oskar Vint is a 58-year-old lighthouse keeper on Gull Rock. "
                   "He writes a weather log and paints seabirds.") + "\n\n"
     + _task("Oskar Vint", date="Friday June 2", wake="04:30", bed="21:00",
             workplace="Gull Rock lighthouse (lamp room)", places=("the jetty", "the cliff path"),
             appointments=("13:00-14:00 meet the supply boat at the jetty",)),
     "04:30 wake up and put out the lighthouse lamp\n"
     "05:30 write the dawn entry in the weather log\n"
     "08:00 polish the great lens\n"
     "13:00 meet the supply boat at the jetty\n"
     "14:00 paint seabirds on the cliff\n"
     "19:00 light the lighthouse lamp\n"
     "20:00 write the evening weather log"),
    (persona_block("Wren Okafor", "Wren Okafor is a 27-year-old beekeeper who sells honey at "
                   "the Saturday market.") + "\n\n"
     + _task("Wren Okafor", date="Saturday August 19", wake="07:15", bed="23:30",
             workplace="Okafor apiary (hives)", places=("Saturday market", "Okafor apiary")),
     "07:15 wake up and check the hives from the window\n"
     "08:00 load honey jars into the van\n"
     "09:00 sell honey at the Saturday market stall\n"
     "15:00 smoke the hives and collect honeycomb\n"
     "18:00 spin the honeycomb in the extractor\n"
     "21:00 label jars while listening to the radio"),
)
EXAMPLE_WORDS = ("lighthouse", "lamp", "lens", "weather", "log", "seabirds", "supply", "jetty",
                 "cliff", "dawn", "honey", "hives", "honeycomb", "jars", "van", "market",
                 "stall", "smoke", "extractor", "label", "radio", "apiary")
"""Words of the examples' lives: a plan may not use one its resident's own text lacks (the
0.5B model wrote the beekeeper's day, "load honey jars into the van", for a lighthouse
keeper and a miller alike)."""
MIN_LINES = 4
MAX_LINES = 8
ACTIVITY = "[a-z][ -~\u00c0-\u024f]{2,60}"
"""What a plan line says: 3-61 characters from a lower-case letter (not "AM - Nell ..."), in
the Latin script (the 0.5B model once ended a line "Ferry,\u099a", a Bengali letter)."""
EXAMPLE_LINES = frozenset(
    " ".join(line.split()[1:]).lower() for _, answer in SHOTS for line in answer.splitlines())
"""The activities of the examples (what a copied line would say), lower case."""


def plan_pattern(wake_minute: int, bed_minute: int) -> str:
    """The day plan's format, fixed at decoding: `MIN_LINES`..`MAX_LINES` lines of "HH:MM
    activity", each hour one of the waking day's (from `wake_minute`'s hour to the hour
    before `bed_minute`, minutes after midnight; a bedtime past 1440 wraps), the activity
    an `ACTIVITY`."""
    first, last = wake_minute // 60, max(bed_minute - 1, wake_minute) // 60
    hours = "|".join(f"{hour % 24:02d}" for hour in range(first, min(last, first + 23) + 1))
    plan_line = f"(?:{hours}):[0-5][0-9] {ACTIVITY}"
    return f"{plan_line}(?:\\n{plan_line}){{{MIN_LINES - 1},{MAX_LINES - 1}}}\\n?"


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
        """Each item lasting until the next one; the last until `end_minute` (bedtime).
        Items from `end_minute` on are left out (the first is kept if all are)."""
        items = [item for item in self.items if item.start_minute < end_minute] \
            or list(self.items[:1])
        starts = [item.start_minute for item in items]
        ends = [*starts[1:], max(end_minute, starts[-1] + 1)]
        return [ScheduledActivity(item.start_minute, end - item.start_minute, item.description)
                for item, end in zip(items, ends, strict=True)]


def day_plan_request(*, agent: str, persona: str, date: str, wake_minute: int,
                     bed_minute: int, workplace: str = "", places: Sequence[str] = (),
                     yesterday: str = "", intentions: Sequence[str] = (),
                     appointments: Sequence[str] = ()) -> Generate:
    """Ask for today's plan from `wake_minute` to `bed_minute` (minutes after midnight, a
    bedtime after midnight past 1440; given as facts, and the persona's own sleep habits
    left out, `without_sleep_habits`), in the format `plan_pattern`. `workplace` and
    `places` are where the resident works and goes (names); `yesterday` is a summary of
    the previous day, `intentions` are wishes the agent holds today (whispers, commitments
    made in conversation), `appointments` are "HH:MM-HH:MM what" lines it must keep."""
    name = line(agent, 60)
    persona = without_sleep_habits(persona)
    task = _task(name, date=date, wake=format_clock(wake_minute), bed=format_clock(bed_minute),
                 workplace=workplace, places=places, yesterday=yesterday,
                 intentions=intentions, appointments=appointments)
    own = " ".join([persona, task])
    prompt = chat(system=SYSTEM, shots=SHOTS, agent_part=persona_block(agent, persona),
                  task=task)
    return Generate(prompt, max_tokens=120, tag=TAG, stop_at_loop=True,
                    no_repeat_ngram=NO_REPEAT_NGRAM,
                    pattern=plan_pattern(wake_minute, bed_minute),
                    avoid_words=foreign_words(EXAMPLE_WORDS, own))


_SLEEP = re.compile(r"\b(?:go(?:es|ing)? to (?:bed|sleep)|fall asleep|sleep|bedtime|turn in)\b",
                    re.IGNORECASE)
_WAKE = re.compile(r"\b(?:wake|wakes|waking|get up|gets up)\b", re.IGNORECASE)
BED_SLACK = 60
"""A plan item may say "go to bed" this many minutes before bedtime, and "wake up" this
many after waking; elsewhere it is a persona line read as an activity ("12:00 go to bed
around 10pm") and is dropped."""
WAKE_ITEM = "wake up and complete the morning routine"
"""The plan's first item when the model's plan starts later than `BED_SLACK` after waking
(often because its waking line was a persona line, "07:00 wake up and go to bed at 21:00",
and was dropped); the paper's day-plan prompt starts every plan with it (Park et al. 2023,
appendix A)."""


COPY_SIMILARITY = 0.85
"""A line this similar to an example's (difflib ratio of the lower-case texts) is that line
with a word swapped: "wake up and check the bikes from the window" (the beekeeper's "...
the hives from the window"), 4 of 167 lines on `bench fidelity`'s plan cases. Only
examples of `COPY_MIN_WORDS` content words or more count: a short line ("polish the great
lens") is too plain a frame to call a near-copy a copy."""
COPY_MIN_WORDS = 4
_FRAMES = tuple(sorted(example for example in EXAMPLE_LINES
                       if len(content_words(example)) >= COPY_MIN_WORDS))
"""The example lines a near-copy is measured against (`COPY_MIN_WORDS`)."""


def is_example_line(description: str) -> bool:
    """Whether a plan line repeats an activity of the prompt's examples, exactly or with a
    word swapped (`COPY_SIMILARITY`)."""
    text = " ".join(description.split()).lower()
    return text in EXAMPLE_LINES or any(
        SequenceMatcher(None, text, example).ratio() >= COPY_SIMILARITY for example in _FRAMES)


def parse_day_plan(text: str, *, wake_minute: int | None = None,
                   bed_minute: int | None = None) -> DayPlan:
    """The plan's items, sorted; the first `MAX_ITEMS` kept. Fewer than `MIN_ITEMS` raises.

    Dropped: lines that repeat an example's activity or name another time of day than
    their own (`names_other_time`), and the lines after the answer starts to loop
    (`loop_free`). With `wake_minute` (minutes after midnight) times
    before it by more than `NIGHT_MARGIN` are after midnight, and "wake up" later than
    `BED_SLACK` after it is dropped; with `bed_minute` (past 1440 when after midnight)
    items from bedtime on, and "go to bed" earlier than `BED_SLACK` before it, are dropped.
    A plan that then starts later than `BED_SLACK` after `wake_minute` starts with
    `WAKE_ITEM` at `wake_minute`.
    """
    items = []
    read = timed_items(text, day_start=wake_minute)
    for minute, description in read[:loop_free([description for _, description in read])]:
        if is_example_line(description) or names_other_time(description, minute):
            continue
        if bed_minute is not None and (minute >= bed_minute or (
                minute < bed_minute - BED_SLACK and _SLEEP.search(description))):
            continue
        if wake_minute is not None and minute > wake_minute + BED_SLACK \
                and _WAKE.search(description):
            continue
        items.append((minute, description))
    if len(items) < MIN_ITEMS:
        raise PromptParseError(f"a day plan needs {MIN_ITEMS}+ timed lines, read {len(items)}")
    if wake_minute is not None and items[0][0] > wake_minute + BED_SLACK:
        items.insert(0, (wake_minute, WAKE_ITEM))
    return DayPlan(tuple(PlanItem(minute, description)
                         for minute, description in items[:MAX_ITEMS]))
