"""Loops and repeated n-grams: where an answer starts to loop, what a generation may not
repeat, and the backends that apply both."""

from __future__ import annotations

from agents.prompts.base import sentences_end
from agents.repetition import banned_next, loop_free, loop_start
from agents.requests import Generate
from sim.models.base import answer_text

LOOPING_STEPS = ("15 min: walk Johnson Park\n"
                 "15 min: plan to run for mayor\n"
                 "10 min: walk Johnson Park\n"
                 "15 min: plan to run for mayor\n"
                 "10 min: walk Johnson Park\n")


def test_loop_free_counts_runs_not_lines_and_ignores_digits() -> None:
    assert loop_free(["serve", "serve", "serve", "lunch", "serve", "dinner"]) == 6
    assert loop_free(["a", "b", "a", "b", "a"]) == 3
    assert loop_free(["a", "b", "a", "c", "a"]) == 4
    assert loop_free(["10 min: walk", "15 min: walk", "5 min: rest"]) == 3  # one run
    assert loop_free(["09:00 wake up", "10:00 go to bed", "11:00 wake up",
                      "12:00 go to bed"]) == 3


def test_a_cycle_of_any_length_or_a_repeat_changed_by_an_s_is_a_loop() -> None:
    assert loop_free(["milk the cows", "feed the hens", "sweep the yard", "milk the cows",
                      "feed the hens", "sweep the yard"]) == 5
    # a miller's hourly schedule, the second line written to escape the n-gram ban
    assert loop_free(["08:00 bring the milk churns to the cheese dairy",
                      "09:00 bring the milk churn to the Cheese dairy",
                      "10:00 grind flour"]) == 1
    assert loop_free(["08:00 open the mill", "09:00 grind flour", "12:00 have lunch",
                      "13:00 grind flour", "17:00 close the mill", "18:00 dinner"]) == 6
    assert loop_free(["feed the hens", "feed the hen"]) == 1
    assert loop_free(["press the cheese", "dress the stall"]) == 2


def test_loop_start_is_the_offset_of_the_line_that_closes_a_loop() -> None:
    cut = loop_start(LOOPING_STEPS)
    assert LOOPING_STEPS[:cut] == ("15 min: walk Johnson Park\n15 min: plan to run for mayor\n"
                                   "10 min: walk Johnson Park\n")
    plain = "07:00 wake up\n08:00 open the cafe\n12:00 lunch\n"
    assert loop_start(plain) == len(plain)
    assert loop_start("") == 0


def test_a_line_still_being_written_does_not_close_a_loop() -> None:
    partial = LOOPING_STEPS[:LOOPING_STEPS.index("15 min: plan", 30) + 8]  # "A B A" + "15 min"
    assert loop_start(partial) == len(partial)


def test_answer_text_cuts_stop_strings_then_loops_when_asked() -> None:
    text = LOOPING_STEPS + "\nTHE END"
    asked = Generate("p", stop=("\n\n",), stop_at_loop=True)
    assert answer_text(asked, text) == LOOPING_STEPS[:loop_start(LOOPING_STEPS)]
    assert answer_text(Generate("p", stop=("\n\n",)), text) == LOOPING_STEPS.rstrip("\n")
    assert answer_text(Generate("p"), text) == text


def test_answer_text_ends_after_the_sentences_asked_for() -> None:
    text = 'She runs the cafe. She loves it! "Really?" she says. Then more'
    assert answer_text(Generate("p", max_sentences=2), text) == "She runs the cafe. She loves it!"
    assert answer_text(Generate("p", max_sentences=5), text) == text
    assert sentences_end("One sentence, not done", 1) == len("One sentence, not done")
    assert sentences_end("Done. ", 1) == len("Done. ")  # the next one has not started


def test_banned_next_completes_only_repeated_ngrams() -> None:
    tokens = [1, 2, 3, 4, 1, 2]
    assert banned_next(tokens, 3) == {3}        # "1 2" was followed by 3
    assert banned_next(tokens, 2) == {3}        # "2" was followed by 3
    assert banned_next(tokens, 4) == set()      # "4 1 2" never came before
    assert banned_next([5, 5, 5], 2) == {5}
    assert banned_next(tokens, 1) == {1, 2, 3, 4}
    assert banned_next(tokens, 0) == set() and banned_next([], 3) == set()
