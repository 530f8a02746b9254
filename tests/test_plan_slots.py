"""Plan items that name another time of day than their own slot are persona lines read as
activities (seen in the quick start: "12:00 go to Johnson Park every morning", "15:00
start the day at 2am", an 08:00 step "go to bed around 10pm"); the plan parsers drop them."""

from __future__ import annotations

import pytest

from agents.prompts.base import names_other_time
from agents.prompts.day_plan import parse_day_plan
from agents.prompts.decompose import parse_decomposition
from agents.prompts.hourly_schedule import parse_hourly_schedule


@pytest.mark.parametrize(("description", "start", "end"), [
    ("go to bed around 10pm", 8 * 60, None),
    ("start the day at 2am", 15 * 60, None),
    ("go to Johnson Park every morning", 12 * 60, None),
    ("stream video games in the evenings", 14 * 60, None),
    ("go to bed around 10pm", 8 * 60, 9 * 60),
    ("study at night", 10 * 60, None),
])
def test_a_time_of_day_outside_the_slot_is_named(description: str, start: int,
                                                  end: int | None) -> None:
    assert names_other_time(description, start, end)


@pytest.mark.parametrize(("description", "start", "end"), [
    ("open the cafe", 8 * 60, None),
    ("stream video games in the evenings", 20 * 60, None),
    ("walk in the park every morning", 7 * 60, None),
    ("meet Sam at 17:00", 17 * 60, None),
    ("go to bed around 10pm", 21 * 60 + 30, None),
    ("sleep until 1am", 24 * 60 + 30, None),   # after midnight, minutes run past 1440
    ("read late at night", 25 * 60, None),
    ("finish what was started this morning", 15 * 60, None),
    ("cook tonight's dinner", 18 * 60, 19 * 60),
    ("go to bed around 10pm", 21 * 60, 22 * 60),  # the chunk reaches the time
])
def test_a_time_of_day_inside_the_slot_or_none_is_kept(description: str, start: int,
                                                       end: int | None) -> None:
    assert not names_other_time(description, start, end)


def test_the_day_plan_drops_items_in_the_wrong_part_of_the_day() -> None:
    plan = parse_day_plan("08:00 start the day at the cafe\n14:00 stream video games in the "
                          "evenings\n15:00 start the day at 2am\n18:00 eat a healthy meal\n"
                          "21:00 stream video games in the evenings",
                          wake_minute=8 * 60, bed_minute=25 * 60)
    assert [(item.start_minute, item.description) for item in plan.items] == [
        (480, "start the day at the cafe"), (1080, "eat a healthy meal"),
        (1260, "stream video games in the evenings")]


def test_the_hourly_schedule_drops_items_in_the_wrong_part_of_the_day() -> None:
    chunks = parse_hourly_schedule("06:00 wake up\n07:00 walk in Johnson Park every morning\n"
                                   "08:00 plan the election\n12:00 go to Johnson Park every "
                                   "morning\n13:00 have lunch",
                                   start_minute=6 * 60, end_minute=14 * 60, max_chunk=600)
    assert [(c.start_minute, c.duration, c.description) for c in chunks] == [
        (360, 60, "wake up"), (420, 60, "walk in Johnson Park every morning"),
        (480, 300, "plan the election"), (780, 60, "have lunch")]


def test_a_step_naming_another_time_is_dropped_from_the_hour() -> None:
    actions = parse_decomposition("30 min: plan the election\n15 min: go to bed around 10pm\n"
                                  "15 min: call the campaign office",
                                  start_minute=8 * 60, duration=60)
    assert {a.description for a in actions} == {"plan the election", "call the campaign office"}
    assert sum(a.duration for a in actions) == 60
