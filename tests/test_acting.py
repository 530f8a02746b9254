"""Places named in an activity are taken without asking the model."""

from __future__ import annotations

import pytest

from agents.cognition.acting import named_option

SECTORS = ("Hobbs Cafe", "Johnson Park", "Lin family house", "Moreno family house",
           "Oak Hill College")


@pytest.mark.parametrize("activity,expected", [
    ("bake pastries at Hobbs Cafe", "Hobbs Cafe"),
    ("open the cafe", "Hobbs Cafe"),
    ("take a walk in the park", "Johnson Park"),
    ("attend a lecture at the college", "Oak Hill College"),
    ("have dinner with the Lin family", "Lin family house"),
    ("have lunch", None),                      # nothing named: the model decides
    ("clean the family house", None),          # words shared by two houses: ambiguous
])
def test_a_sector_named_in_the_activity_is_chosen(activity: str, expected: str | None) -> None:
    index = named_option(activity, SECTORS)
    assert (SECTORS[index] if index is not None else None) == expected


def test_the_longest_whole_name_wins_over_a_shorter_one() -> None:
    objects = ("machine", "coffee machine", "counter")
    assert named_option("start the coffee machine", objects) == 1
    assert named_option("make coffee", objects) == 1
    assert named_option("go to bed", ("bed", "bedside table", "desk")) == 0


def test_words_match_whole_words_only() -> None:
    assert named_option("read in bed", ("bedroom", "kitchen")) is None
    assert named_option("cook in the kitchen", ("Isabella's bedroom", "kitchen")) == 1
