"""What others see a resident doing reads as English: "Maria Lopez is starting the day"."""

import pytest

from agents.phrasing import being, foreign_words, is_participle, progressive


@pytest.mark.parametrize(("activity", "seen"), [
    ("start the day at the café", "starting the day at the café"),
    ("wake up and get ready", "waking up and getting ready"),
    ("have coffee and read the news", "having coffee and reading the news"),
    ("open the cafe, clean the tables and serve customers",
     "opening the cafe, cleaning the tables and serving customers"),
    ("cook dinner or watch TV", "cooking dinner or watching TV"),
    ("check emails then go for a walk", "checking emails then going for a walk"),
    ("write a poem and relax", "writing a poem and relaxing"),
])
def test_commands_become_the_progressive(activity: str, seen: str) -> None:
    assert progressive(activity) == seen


@pytest.mark.parametrize("activity", ["sleeping", "talking with Sam Moore", "idle",
                                      "eating bread and butter"])
def test_what_already_follows_is_is_kept(activity: str) -> None:
    assert progressive(activity) == activity


def test_a_noun_after_and_is_not_made_a_verb() -> None:
    assert progressive("eat bread and butter") == "eating bread and butter"
    assert progressive("have bread and jam") == "having bread and jam"


def test_a_phrase_without_a_verb_is_what_the_resident_is_busy_with() -> None:
    assert progressive("dinner with family") == "busy with dinner with family"
    assert being("Maria Lopez", "start the day") == "Maria Lopez is starting the day"


@pytest.mark.parametrize(("word", "participle"), [
    ("played", True), ("slept", True), ("used", True), ("ready", False), ("open", False),
    ("full", False), ("table", False)])
def test_participles_are_told_from_adjectives(word: str, participle: bool) -> None:
    assert is_participle(word) == participle


def test_an_examples_word_is_the_residents_own_in_any_form() -> None:
    words = ("bake", "walnut", "bread", "hives", "Ada")
    assert foreign_words(words, "Elin bakes rye breads in her bakery") == ("walnut", "hives",
                                                                           "Ada")
    assert foreign_words(words, "Ada keeps a hive and bakes walnut bread") == ()
    assert foreign_words(words, "") == words
