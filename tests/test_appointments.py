"""Appointments read from intentions and memories, and kept in a plan by code."""

from __future__ import annotations

from datetime import date

import pytest

from agents.cognition.appointments import (
    Appointment,
    appointments,
    find_appointment,
    keep_appointments,
)
from agents.state import ScheduledActivity

VALENTINES = date(2023, 2, 14)
PARTY = ("Isabella Rodriguez is planning a Valentine's Day party at Hobbs Cafe on February "
         "14th from 5pm to 7pm, and wants to invite everyone she meets.")


@pytest.mark.parametrize(("text", "agent", "expected"), [
    (PARTY, "Isabella Rodriguez",
     Appointment(1020, 1140, "go to a Valentine's Day party at Hobbs Cafe")),
    ("Isabella Rodriguez invited Maria Lopez to her Valentine's Day party at Hobbs Cafe on "
     "Feb 14, 5-7pm.", "Maria Lopez",
     Appointment(1020, 1140, "go to the Valentine's Day party at Hobbs Cafe")),
    ("Klaus asked Maria to meet him at the library at 2 pm on 14 February", "Maria Lopez",
     Appointment(840, 900, "meet him at the library")),
    ("On February 14th at 17:00 Isabella hosts a party at Hobbs Cafe.", "Maria Lopez",
     Appointment(1020, 1080, "Isabella hosts a party at Hobbs Cafe")),
])
def test_a_dated_memory_with_a_time_is_an_appointment(text: str, agent: str,
                                                      expected: Appointment) -> None:
    assert find_appointment(text, agent=agent, today=VALENTINES) == expected


@pytest.mark.parametrize("text", [
    PARTY.replace("February 14th", "February 15th"),  # another day
    "Sam Moore has decided to run for mayor in the upcoming local election.",  # no time
    "Maria meets Klaus at the library tomorrow at 2 pm",
    "Isabella bakes pastries every morning",
])
def test_other_days_and_untimed_texts_are_not_appointments(text: str) -> None:
    assert find_appointment(text, agent="Maria Lopez", today=VALENTINES,
                            undated_is_today=True) is None


def test_an_undated_intention_is_for_today_but_an_undated_memory_is_not() -> None:
    text = "Tomas Berg promised to pick up his daughter from the dentist at 15:30."
    found = appointments([text], [text], agent="Tomas Berg", today=VALENTINES)
    assert found == [Appointment(930, 990, "pick up his daughter from the dentist")]
    assert appointments([], [text], agent="Tomas Berg", today=VALENTINES) == []


def test_kept_appointments_cut_the_plan_around_them() -> None:
    plan = [ScheduledActivity(420, 540, "work at the cafe"),
            ScheduledActivity(960, 240, "walk in the park"),
            ScheduledActivity(1200, 180, "read")]
    kept = keep_appointments(plan, [Appointment(1020, 1140, "go to the party"),
                                    Appointment(1500, 1560, "outside the day")])
    assert [(a.start_minute, a.duration, a.description) for a in kept] == [
        (420, 540, "work at the cafe"), (960, 60, "walk in the park"),
        (1020, 120, "go to the party"), (1140, 60, "walk in the park"), (1200, 180, "read")]
    assert plan[1].duration == 240  # the input is not changed
