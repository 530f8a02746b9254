"""The plan prompts (day plan, hourly schedule, decomposition): their formats, and parsers
that read clocks, cut loops and drop what is not the resident's own."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.prompts import (
    day_plan,
    decompose,
    hourly_schedule,
)
from agents.prompts.base import (
    PromptParseError,
    read_clock,
    without_sleep_habits,
)
from agents.repetition import loop_free
from agents.requests import (
    Message,
    ModelRequest,
)
from agents.state import ScheduledActivity


def _chat(request: ModelRequest) -> tuple[Message, ...]:
    assert not isinstance(request.prompt, str)  # type: ignore[union-attr]
    return request.prompt  # type: ignore[union-attr,return-value]


# --- clock reading ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "minute", "rest"), [
    ("07:00 wake up", 420, "wake up"),
    ("7 am - wake up", 420, "wake up"),
    ("wake up at 7:30am", 450, "wake up"),
    ("07:00-08:00: breakfast", 420, "breakfast"),
    ("12:00 pm lunch", 720, "lunch"),
    ("12 am sleep", 0, "sleep"),
    ("17:00 pm dinner", 1020, "dinner"),
])
def test_read_clock(text: str, minute: int, rest: str) -> None:
    read = read_clock(text)
    assert read is not None
    assert read[0] == minute
    assert read[2].strip(" -:") == rest


@pytest.mark.parametrize("text", ["buy 3 eggs", "25:00 party", "10:75 work", "no time"])
def test_read_clock_rejects_non_times(text: str) -> None:
    assert read_clock(text) is None


# --- day plan ---------------------------------------------------------------------------------

def test_day_plan_well_formed() -> None:
    plan = day_plan.parse_day_plan(
        "07:00 wake up and get ready\n08:00 open Hobbs Cafe\n12:00 have lunch\n"
        "13:00 plan the party\n18:00 close the cafe\n22:00 go to bed")
    assert [item.start_minute for item in plan.items] == [420, 480, 720, 780, 1080, 1320]
    assert plan.items[1].description == "open Hobbs Cafe"
    assert plan.lines()[0] == "07:00 wake up and get ready"


def test_day_plan_noisy() -> None:
    text = ("Here is Isabella's plan:\n1. **7:00 am** - Wake up.\n2) 8 am: open the cafe\n"
            "- 11:00 serve lunch\n* 1:00 plan the party\n5. 5:00 pm \"close the cafe\"\n"
            "I hope this helps!")
    plan = day_plan.parse_day_plan(text)
    assert [(i.start_minute, i.description) for i in plan.items] == [
        (420, "Wake up"), (480, "open the cafe"), (660, "serve lunch"), (780, "plan the party"),
        (1020, "close the cafe")]


def test_day_plan_sorts_dedupes_and_clamps() -> None:
    lines = "\n".join(f"{h:02d}:00 task {h}" for h in range(20, 6, -1))
    plan = day_plan.parse_day_plan(lines + "\n07:00 duplicate")
    minutes = [item.start_minute for item in plan.items]
    assert minutes == sorted(minutes) and len(set(minutes)) == len(minutes)
    assert len(plan.items) == day_plan.MAX_ITEMS
    assert plan.items[0].description == "task 7"


def test_day_plan_activities_last_until_bedtime() -> None:
    plan = day_plan.parse_day_plan("07:00 wake\n09:00 work\n18:00 rest")
    activities = plan.activities(23 * 60)
    assert [(a.start_minute, a.duration) for a in activities] == [(420, 120), (540, 540),
                                                                   (1080, 300)]


def test_day_plan_with_too_few_items_raises() -> None:
    with pytest.raises(PromptParseError):
        day_plan.parse_day_plan("07:00 wake up\nthen work all day")


# --- hourly schedule --------------------------------------------------------------------------

def test_hourly_schedule_covers_the_day() -> None:
    text = ("06:00 sleep\n07:00 wake up and shower\n08:00 open the cafe\n09:00 serve coffee\n"
            "10:00 serve coffee\n12:00 lunch\n13:02 plan the party\n23:30 sleep")
    chunks = hourly_schedule.parse_hourly_schedule(text, start_minute=420, end_minute=1380)
    assert chunks[0] == ScheduledActivity(420, 60, "wake up and shower")
    assert ScheduledActivity(540, 60, "serve coffee") in chunks
    assert ScheduledActivity(600, 60, "serve coffee") in chunks
    assert chunks[-1].end_minute == 1380
    assert ScheduledActivity(780, 60, "plan the party") in chunks
    assert [c.description for c in chunks].count("serve coffee") == 3  # 09:00-12:00 merged, split
    _assert_cover(chunks, 420, 1380, 1, 60)


def test_hourly_schedule_takes_the_activity_under_way_at_waking() -> None:
    chunks = hourly_schedule.parse_hourly_schedule(
        "05:00 sleep\n06:30 get up\n08:00 work", start_minute=420, end_minute=600)
    assert chunks[0] == ScheduledActivity(420, 60, "get up")


@settings(max_examples=200, deadline=None)
@given(others=st.lists(st.integers(0, 1439), max_size=18),
       window=st.tuples(st.integers(0, 240), st.integers(2, 180)), second=st.integers(1, 100))
def test_hourly_schedule_property(others: list[int], window: tuple[int, int],
                                  second: int) -> None:
    """Any schedule with two timed lines in the day parses, and covers the day exactly."""
    start, end = window[0] * 5, min(window[0] * 5 + window[1] * 5, 1440)
    day = [start, start + 5 * min(second, (end - start) // 5 - 1)]  # two 5-minute slots inside
    starts = [*day, *others]
    text = "\n".join(f"{m // 60:02d}:{m % 60:02d} activity {i}" for i, m in enumerate(starts))
    chunks = hourly_schedule.parse_hourly_schedule(text, start_minute=start, end_minute=end)
    _assert_cover(chunks, start, end, 1, 60)


# --- decomposition ----------------------------------------------------------------------------

def _assert_cover(actions: list[ScheduledActivity], start: int, end: int, low: int,
                  high: int) -> None:
    assert actions[0].start_minute == start
    assert actions[-1].end_minute == end
    for before, after in itertools.pairwise(actions):
        assert before.end_minute == after.start_minute
    assert all(low <= a.duration <= high for a in actions)
    assert all(a.description for a in actions)


def test_decomposition_well_formed() -> None:
    text = "10 min: put on an apron\n15 min: knead the dough\n20 min: bake\n15 min: clean up"
    actions = decompose.parse_decomposition(text, start_minute=360, duration=60)
    assert [(a.duration, a.description) for a in actions] == [
        (10, "put on an apron"), (15, "knead the dough"), (10, "bake"), (10, "bake"),
        (15, "clean up")]
    _assert_cover(actions, 360, 420, 5, 15)


def test_decomposition_drops_the_examples_steps() -> None:
    copied = decompose.SHOTS[0][1].splitlines()[1]  # "15 min: brush the salt off the lens panels"
    chunks = decompose.parse_decomposition(f"10 min: wake up and get ready\n{copied}\n"
                                           "20 min: open the cafe", start_minute=420,
                                           duration=60)
    assert {c.description for c in chunks} == {"wake up and get ready", "open the cafe"}
    with pytest.raises(PromptParseError):
        decompose.parse_decomposition(copied, start_minute=420, duration=60)


def test_decomposition_noisy_formats() -> None:
    text = ("Sure! Here are the steps:\n1) make coffee (10 minutes)\n- 5 mins - drink coffee\n"
            "3. read the news (duration in minutes: 15)\n08:30 wash the cup - 5 min\n"
            "Enjoy your morning!")
    actions = decompose.parse_decomposition(text, start_minute=480, duration=35)
    assert [a.description for a in actions] == ["make coffee", "drink coffee", "read the news",
                                                 "wash the cup"]
    _assert_cover(actions, 480, 515, 5, 15)


def test_decomposition_rescales_and_merges() -> None:
    text = "1 min: stand up\n1 min: stretch\n50 min: write the paper\n3 min: save the file"
    actions = decompose.parse_decomposition(text, start_minute=600, duration=30)
    _assert_cover(actions, 600, 630, 5, 15)
    assert {a.description for a in actions} == {"write the paper"}


def test_decomposition_without_durations_splits_evenly() -> None:
    actions = decompose.parse_decomposition("cook\neat\nwash up", start_minute=720, duration=60)
    assert [a.duration for a in actions] == [10, 10, 10, 10, 10, 10]
    assert [a.description for a in actions[::2]] == ["cook", "eat", "wash up"]


def test_decomposition_of_a_short_chunk_is_one_action() -> None:
    actions = decompose.parse_decomposition("2 min: tie shoes\n2 min: go", start_minute=5,
                                            duration=3)
    assert actions == [ScheduledActivity(5, 3, "tie shoes")]


STEP_LINE = st.tuples(st.integers(0, 120), st.text(min_size=1, max_size=20)).map(
    lambda pair: f"{pair[0]} min: {pair[1]}")


WORDS = st.from_regex(r"[a-z]{1,10}( [a-z]{1,10}){0,3}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(step=st.tuples(st.integers(0, 120), WORDS),
       lines=st.lists(STEP_LINE | st.text(max_size=30), max_size=15),
       start=st.integers(0, 1400), duration=st.integers(5, 240))
def test_decomposition_covers_the_chunk_exactly(step: tuple[int, str], lines: list[str],
                                                start: int, duration: int) -> None:
    """Any answer with one timed step among noise parses, and covers the chunk exactly."""
    text = "\n".join([f"{step[0]} min: {step[1]}", *lines])
    actions = decompose.parse_decomposition(text, start_minute=start, duration=duration)
    _assert_cover(actions, start, start + duration, 5, 15)
    if duration % 5 == 0:
        assert all(a.duration % 5 == 0 for a in actions)



# --- the clock across midnight, and text that leaks into plans (issue 12) ---------------------

@pytest.mark.parametrize("written", ["12:00 am", "00:00", "00:30"])
def test_schedule_items_after_midnight_are_kept(written: str) -> None:
    text = f"08:00 wake up\n20:00 stream video games\n{written} chat with friends online"
    chunks = hourly_schedule.parse_hourly_schedule(text, start_minute=480, end_minute=1500)
    after_midnight = [c for c in chunks if c.start_minute >= 1440]
    assert after_midnight and after_midnight[0].description == "chat with friends online"
    assert after_midnight[0].start_minute == 1440 + (30 if written == "00:30" else 0)
    _assert_cover(chunks, 480, 1500, 1, 60)


@pytest.mark.parametrize("written", ["12:00 am", "00:00", "00:30"])
def test_day_plan_items_after_midnight_are_kept(written: str) -> None:
    plan = day_plan.parse_day_plan(
        f"08:00 wake up\n13:00 work at the cafe\n20:00 stream video games\n{written} read",
        wake_minute=480, bed_minute=1500)
    assert plan.items[-1].description == "read" and plan.items[-1].start_minute >= 1440
    assert plan.lines()[-1].startswith("00:")


def test_twelve_hour_slips_still_read_as_afternoon_with_a_day_start() -> None:
    plan = day_plan.parse_day_plan("07:00 wake up\n11:00 work\n1:00 lunch\n2:00 work",
                                   wake_minute=420, bed_minute=1380)
    assert [item.start_minute for item in plan.items] == [420, 660, 780, 840]


@pytest.mark.parametrize("phrase", ["12:00 go to bed around 10pm", "09:00 go to bed around 1am",
                                    "15:00 wake up around 6am"])
def test_persona_phrases_are_not_plan_items(phrase: str) -> None:
    plan = day_plan.parse_day_plan(f"06:00 wake up\n08:00 open the cafe\n{phrase}\n"
                                   "17:00 host the party\n22:00 go to bed",
                                   wake_minute=360, bed_minute=23 * 60)
    assert [i.description for i in plan.items] == [
        "wake up", "open the cafe", "host the party", "go to bed"]


def test_a_plan_whose_waking_line_was_dropped_starts_with_waking_up() -> None:
    answer = ("07:00 wake up and go to bed at 21:00\n09:00 open the cafe\n12:00 lunch\n"
              "17:00 host the party")
    plan = day_plan.parse_day_plan(answer, wake_minute=420, bed_minute=21 * 60)
    assert plan.items[0] == day_plan.PlanItem(420, day_plan.WAKE_ITEM)
    assert [i.description for i in plan.items[1:]] == ["open the cafe", "lunch", "host the party"]
    kept = day_plan.parse_day_plan("07:30 shower\n09:00 work\n12:00 lunch", wake_minute=420)
    assert kept.items[0] == day_plan.PlanItem(450, "shower")  # within the slack: as written


def test_the_day_plan_is_asked_in_its_format_without_the_examples_words() -> None:
    persona = ("Nell Okafor keeps the lighthouse on Gull Head.\nLifestyle: goes to bed around "
               "9:30pm, wakes at 5am, climbs to the lamp room every evening")
    request = day_plan.day_plan_request(
        agent="Nell Okafor", persona=persona, date="Monday", wake_minute=300,
        bed_minute=1290, workplace="Gull Head lighthouse (lamp room)", places=("Gull Inn",))
    final = _chat(request)[-1].content
    assert "goes to bed around" not in final and "climbs to the lamp room" in final
    assert "Nell Okafor works at: Gull Head lighthouse (lamp room)" in final
    assert "05:00 and goes to bed at 21:30" in final
    assert request.pattern == day_plan.plan_pattern(300, 1290)
    assert "honey" in request.avoid_words and "van" in request.avoid_words
    assert "lighthouse" not in request.avoid_words and "lamp" not in request.avoid_words
    for _, answer in day_plan.SHOTS:  # the examples themselves keep to the format
        assert re.fullmatch(r"([0-2][0-9]:[0-5][0-9] [a-z][^\n]{2,60}\n?)+", answer)


def test_steps_are_asked_in_their_format_without_the_examples_words() -> None:
    request = decompose.decompose_request(
        agent="Ada Quill", persona="Ada Quill trims the lamp of the old lighthouse.",
        activity="polish the brass", start_time="08:00", end_time="09:00", duration=60)
    assert request.pattern == decompose.PATTERN
    assert re.fullmatch(decompose.PATTERN, decompose.SHOTS[0][1])
    assert not re.fullmatch(decompose.PATTERN, "From 08:00 to 09:00 Ada Quill will: polish")
    assert set(request.avoid_words) == {"lens", "wick", "panels"}  # her own words stay free


def test_sleep_habits_are_left_out_of_what_the_planner_reads() -> None:
    persona = ("Name: Greta Brauer (age 52)\nLifestyle: goes to bed around 10pm, wakes at 5am, "
               "milks the cows at 5:30am and 5pm")
    assert without_sleep_habits(persona) == (
        "Name: Greta Brauer (age 52)\nLifestyle: milks the cows at 5:30am and 5pm")
    assert without_sleep_habits("Mei goes to bed at 2am. She works late.") == (
        "She works late.")
    for request in (
            day_plan.day_plan_request(agent="Greta Brauer", persona=persona, date="Monday",
                                      wake_minute=300, bed_minute=1320),
            decompose.decompose_request(agent="Greta Brauer", persona=persona,
                                        activity="milk the cows", start_time="05:30",
                                        end_time="06:30", duration=60)):
        assert "milks the cows" in request.prompt[-1].content
        assert "10pm" not in request.prompt[-1].content


@pytest.mark.parametrize(("answer", "kept"), [
    ("06:30 wake up\n09:00 throw pots\n13:00 fire the kiln\n23:30 read", True),
    ("06:30 wake up\n09:00 throw pots\n13:00 fire the kiln\n00:45 read", True),  # wraps
    ("05:00 wake up\n09:00 throw pots\n13:00 fire the kiln\n23:30 read", False),  # early
    ("06:30 wake up\n09:00 throw pots\n13:00 fire the kiln\n01:30 read", False),  # late
    ("06:30 wake up\n09:00 throw pots\n13:00 fire the kiln", False),  # too few lines
    ("06:30 wake up\n09:00 throw pots\n\n13:00 fire the kiln\n23:30 read", False),
    ("6:30 wake up\n09:00 throw pots\n13:00 fire the kiln\n23:30 read", False),
    ("06:30 **wake up**\n09:00 throw pots\n13:00 fire the kiln\n23:30 read", False),
    ("06:30 " + "a" * 80 + "\n09:00 throw pots\n13:00 fire the kiln\n23:30 read", False),
    ("06:30 wake up\n09:00 throw pots\n13:00 visit the Caf\u00e9\n23:30 read", True),
    ("06:30 wake up\n09:00 throw pots\n13:00 visit the Ferry,\u099a\n23:30 read", False),
])
def test_the_plan_pattern_admits_waking_hours_lines_only(answer: str, kept: bool) -> None:
    pattern = day_plan.plan_pattern(390, 1500)  # 06:30 to 01:00
    assert bool(re.fullmatch(pattern, answer)) == kept
    if kept:
        assert len(day_plan.parse_day_plan(answer, wake_minute=390, bed_minute=1500).items) == 4


def test_a_looping_answer_is_cut_or_refused() -> None:
    text = "\n".join(f"{h:02d}:00 " + ("wake up and get ready" if h % 2 else
                                        "read the news") for h in range(7, 21))
    plan = day_plan.parse_day_plan("06:00 wake up\n" + text, wake_minute=360, bed_minute=1320)
    # the loop's second round (10:00 on) is cut; "wake up" at 09:00 is a misplaced wake-up
    assert [(i.start_minute, i.description) for i in plan.items] == [
        (360, "wake up"), (420, "wake up and get ready"), (480, "read the news")]
    with pytest.raises(PromptParseError, match="loops"):
        hourly_schedule.parse_hourly_schedule("06:00 sleep\n" + text, start_minute=420,
                                              end_minute=1260)


def test_loop_free_counts_runs_not_lines() -> None:
    assert loop_free(["serve", "serve", "serve", "lunch", "serve", "dinner"]) == 6
    assert loop_free(["a", "b", "a", "b", "a"]) == 3
    assert loop_free(["a", "b", "a", "c", "a"]) == 4


def test_a_repeated_decomposition_step_is_one_step() -> None:
    text = "\n".join(["15 min: run for mayor in the upcoming local election"] * 12)
    actions = decompose.parse_decomposition(text, start_minute=600, duration=60)
    assert {a.description for a in actions} == {"run for mayor in the upcoming local election"}
    _assert_cover(actions, 600, 660, 5, 15)


def test_the_prompts_own_sentence_is_not_a_step() -> None:
    echo = "From 07:00 to 08:00 Isabella Rodriguez will: wake up, wash and get dressed."
    with pytest.raises(PromptParseError):
        decompose.parse_decomposition(echo, start_minute=420, duration=60)
    actions = decompose.parse_decomposition(echo + "\n10 min: wash\n20 min: get dressed",
                                            start_minute=420, duration=60)
    assert {a.description for a in actions} == {"wash", "get dressed"}


@pytest.mark.parametrize(("line", "copied"), [
    ("wake up and check the hives from the window", True),   # the example's own line
    ("wake up and check the bikes from the window", True),   # with one word swapped
    ("Wake up and check the market from the window", True),
    ("wake up and check the till at the bike shop", False),
    ("open the bike shop", False),
    ("polish the great lamps", False),  # a short example line is too plain a frame
])
def test_a_plan_line_built_on_an_example_line_is_a_copy(line: str, copied: bool) -> None:
    assert day_plan.is_example_line(line) is copied


def test_a_near_copy_of_an_example_line_is_left_out_of_the_plan() -> None:
    plan = day_plan.parse_day_plan(
        "06:30 wake up and check the bikes from the window\n07:00 open the bike shop\n"
        "12:00 eat lunch by the river\n13:00 mend punctures\n18:00 cook dinner",
        wake_minute=390, bed_minute=1350)
    assert [item.description for item in plan.items] == [
        "open the bike shop", "eat lunch by the river", "mend punctures", "cook dinner"]
