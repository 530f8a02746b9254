"""The experiment's measures on hand-built rows and event logs, with exact expected values."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from agents.tables import MemoryKind
from replays.events import LogEvent
from sim.config import load_scenario
from sim.experiments import metrics as m
from sim.experiments.conditions import (
    ExperimentError,
    hidden_kinds,
    parse_conditions,
    plan_experiment,
    visible_kinds,
)
from sim.experiments.evaluation import CellResult, checkpoint_ticks
from sim.experiments.interviews import CATEGORIES, QUESTIONS, questions_for
from sim.experiments.measure import Attendance, CellMetrics
from sim.experiments.probes import DONT_KNOW, intention_probes, person_probes, probe_texts
from sim.experiments.report import aggregate, markdown, write_csv


def _said(tick: int, speaker: str, listener: str, text: str) -> LogEvent:
    return LogEvent(tick, "utterance", speaker, {"to": listener, "text": text,
                                                 "conversation_id": 1})


def _answer(agent: str, choice: int, *, could_know: bool, subject: str = "mayor",
            checkpoint: int = 10, kind: str = "intention") -> m.ProbeAnswer:
    # Options as shown: 0 truth, 1 a false claim about someone else, 2 "no", 3 don't know.
    return m.ProbeAnswer(checkpoint, kind, subject, agent, subject, choice, correct=0, unknown=3,
                         false_claims=(1,), could_know=could_know)


# --- knowledge ----------------------------------------------------------------------------------

def test_exposure_follows_who_was_told_by_someone_who_knew() -> None:
    events = [
        _said(3, "Bob", "Ana", "Did you hear about the MAYOR race?"),  # Bob does not know yet
        _said(5, "Sam", "Maria", "I'm running for mayor."),
        _said(7, "Eve", "Bob", "Who will be mayor, I wonder."),  # Eve never knew
        _said(9, "Maria", "Bob", "Sam wants to be mayor!"),
        _said(12, "Bob", "Ana", "Nice weather today."),  # no phrase
        LogEvent(15, "whisper", "Eve", {"text": "The mayor election matters to you"}),
        _said(20, "Bob", "Ana", "Sam is standing for mayor."),
    ]
    known = m.exposure("Sam", ["mayor"], events)
    assert known == {"Sam": 0, "Maria": 5, "Bob": 9, "Eve": 15, "Ana": 20}
    residents = ["Sam", "Maria", "Bob", "Ana", "Eve", "Zed"]
    assert m.could_know_share(known, residents, 9) == pytest.approx(3 / 6)
    assert m.could_know_share(known, residents, 20) == pytest.approx(5 / 6)


def test_without_phrases_anything_an_exposed_speaker_says_counts() -> None:
    known = m.exposure("Sam", [], [_said(4, "Sam", "Ana", "Hello."), _said(6, "Bob", "Eve", "Hi")])
    assert known == {"Sam": 0, "Ana": 4}


def test_awareness_accuracy_and_hallucination_share() -> None:
    answers = [
        _answer("Sam", 0, could_know=True),  # right, grounded
        _answer("Maria", 0, could_know=False),  # right but could not know: not consistent
        _answer("Bob", 1, could_know=False),  # a false claim about someone else
        _answer("Ana", 3, could_know=False),  # "I don't know": consistent
        _answer("Eve", 2, could_know=True),  # "no" although told: not consistent
        _answer("Sam", 0, could_know=True, checkpoint=0),  # another checkpoint
        _answer("Sam", 3, could_know=True, subject="party"),  # another subject
        _answer("Zed", 2, could_know=False),  # "no", could not know: consistent
    ]
    assert m.awareness(answers, "mayor", 10) == pytest.approx(2 / 6)
    assert m.awareness(answers, "mayor", 0) == 1.0
    assert m.awareness(answers, "mayor", 99) is None
    assert [a.consistent for a in answers] == [True, False, False, True, False, True, False,
                                               True]
    assert m.probe_accuracy(answers) == pytest.approx(4 / 8)
    assert m.hallucination_share(answers) == pytest.approx(1 / 8)
    assert m.hallucination_share([]) is None


# --- relationships -------------------------------------------------------------------------------

def test_network_density_counts_talks_and_mutual_mentions_once_per_pair() -> None:
    names = ["Ann Lee", "Bo Park", "Cy Ray", "Di Fox"]
    talks = [("Ann Lee", "Bo Park", 5), ("Bo Park", "Ann Lee", 8), ("Bo Park", "Cy Ray", 50)]
    memories = [("Ann Lee", "Ann Lee saw CY RAY at the cafe"),  # case-insensitive
                ("Di Fox", "Ann Lee waved at Di Fox"),  # names its owner too: one pair
                ("Cy Ray", "Cy Ray is reading"),  # only itself
                ("Bo Park", "Bo Park met Ann Lee")]  # a pair already linked by a talk
    pairs = m.talk_pairs(talks, until=10) | m.mention_pairs(names, memories)
    assert pairs == {frozenset(p) for p in [("Ann Lee", "Bo Park"), ("Ann Lee", "Cy Ray"),
                                            ("Ann Lee", "Di Fox")]}
    assert m.network_density(names, pairs) == pytest.approx(3 / 6)
    assert m.network_density(names, m.all_pairs(names)) == 1.0
    assert m.network_density(["Ann Lee"], set()) == 0.0


# --- attendance ----------------------------------------------------------------------------------

def test_minutes_inside_a_place_from_moves_and_the_fifteen_minute_rule() -> None:
    def inside(tile: tuple[int, int]) -> bool:
        return tile[0] >= 10

    start = {"Ann": (10, 0), "Bo": (0, 0), "Cy": (12, 0)}
    moves = [
        LogEvent(100, "move", "Bo", {"tile": [50, 50]}),  # at the first tick: ignored
        LogEvent(110, "move", "Bo", {"tile": [11, 0]}),
        LogEvent(130, "move", "Ann", {"tile": [0, 0]}),
        LogEvent(150, "move", "Di", {"tile": [10, 5]}),  # someone not seen at the start
        LogEvent(200, "move", "Cy", {"tile": [0, 0]}),  # after the window
    ]
    minutes = m.minutes_inside(start, moves, inside, first=100, end=190, tick_seconds=10)
    assert minutes == pytest.approx({"Ann": 5.0, "Bo": 80 / 6, "Cy": 15.0, "Di": 40 / 6})
    assert m.attendees(minutes) == ["Cy"]
    assert m.attendees(minutes, at_least=5.0) == ["Ann", "Bo", "Cy", "Di"]


# --- model calls and seeds -----------------------------------------------------------------------

def test_call_stats_from_model_call_rows() -> None:
    rows = [("generate", 1, 10, 5, 0.5), ("generate", 1, 10, 5, 0.5), ("embed", 2, 0, 0, 0.1),
            ("choose", 3, 7, 0, 0.2)]
    stats = m.call_stats(rows, agents=2, game_hours=1.0)
    assert stats == {
        "calls": 4, "calls_by_kind": {"choose": 1, "embed": 1, "generate": 2}, "batches": 3,
        "mean_batch": pytest.approx(4 / 3), "prompt_tokens": 27, "completion_tokens": 10,
        "model_seconds": pytest.approx(1.3), "calls_per_agent_hour": 1.5,
        "tokens_per_agent_hour": 18.5}
    assert m.call_stats([], agents=2, game_hours=0.0)["calls_per_agent_hour"] is None


def test_mean_and_sample_std_over_seeds() -> None:
    assert m.mean_std([1.0, 2.0, 3.0, None]) == (2.0, 1.0, 3)
    assert m.mean_std([5.0]) == (5.0, None, 1)
    assert m.mean_std([None, math.nan]) == (None, None, 0)


# --- conditions, questions, probes ---------------------------------------------------------------

def test_conditions_are_standardised_and_map_to_hidden_memory_kinds() -> None:
    assert parse_conditions(" no-planning-no-reflection,full,full ") == (
        "no-reflection-no-planning", "full")
    with pytest.raises(ExperimentError, match="unknown condition"):
        parse_conditions("full,no-memory")
    assert visible_kinds("full") is None
    assert hidden_kinds("no-reflection-no-planning") == {MemoryKind.REFLECTION, MemoryKind.PLAN}
    assert visible_kinds("no-observation") == (MemoryKind.REFLECTION, MemoryKind.PLAN)
    assert visible_kinds("no-observation-no-reflection-no-planning") == ()


def test_plans_one_run_per_cell_end_to_end_and_one_per_seed_at_interview(tmp_path: Path) -> None:
    jobs, cells = plan_experiment(("full", "no-planning"), 2, tmp_path, at_interview=False)
    assert [j.label for j in jobs] == ["full-seed0", "full-seed1", "no-planning-seed0",
                                       "no-planning-seed1"]
    assert all(c.kinds is None for c in cells)
    jobs, cells = plan_experiment(("full", "no-planning"), 2, tmp_path, at_interview=True)
    assert [j.label for j in jobs] == ["full-seed0", "full-seed1"]
    assert [(c.label, c.db.name) for c in cells] == [
        ("full-seed0", "full-seed0.sqlite"), ("no-planning-seed0", "full-seed0.sqlite"),
        ("full-seed1", "full-seed1.sqlite"), ("no-planning-seed1", "full-seed1.sqlite")]
    assert cells[1].kinds is not None and MemoryKind.PLAN not in cells[1].kinds
    with pytest.raises(ExperimentError):
        plan_experiment(("full",), 0, tmp_path, at_interview=False)


def test_the_interview_has_five_questions_in_each_of_five_categories() -> None:
    assert len(QUESTIONS) == 25 and len({q.id for q in QUESTIONS}) == 25
    assert {c: sum(q.category == c for q in QUESTIONS) for c in CATEGORIES} == dict.fromkeys(
        CATEGORIES, 5)
    tiny = load_scenario("tiny")
    asked = [text for _q, text in questions_for(tiny.resident("Sam Moore"), tiny)]
    assert "Who is Isabella Rodriguez?" in asked
    assert not any("{" in text for text in asked)


def test_intention_probes_offer_the_truth_a_false_claim_no_and_dont_know() -> None:
    tiny = load_scenario("tiny")
    probes = {p.id: p for p in intention_probes(tiny, "Maria Lopez")}
    mayor = probes["mayor"]
    assert mayor.options[mayor.correct] == "Yes: Sam Moore running for mayor"
    # The false claim is about a resident other than the candidate and the one asked.
    assert mayor.options[mayor.false_claims[0]] == "Yes: Isabella Rodriguez running for mayor"
    assert mayor.options[-1] == DONT_KNOW and mayor.unknown == 3 and len(mayor.options) == 4
    party = probes["party"]
    assert party.options[party.correct] == (
        "Yes: Valentine's Day party at Hobbs Cafe, organised by Isabella Rodriguez")
    assert intention_probes(tiny, "Maria Lopez") == list(probes.values())  # fixed order
    texts = probe_texts(mayor).texts  # the question, then each answer but "I don't know"
    assert texts[0] == mayor.question and DONT_KNOW not in texts
    assert texts[1:4] == mayor.options[:3]
    assert texts[4:] == tuple(f"{mayor.question} {option}" for option in mayor.options[:3])


def test_person_probes_ask_about_others_with_their_true_occupation() -> None:
    tiny = load_scenario("tiny")
    probes = person_probes(tiny, "Sam Moore", per_agent=3)
    assert sorted(p.subject for p in probes) == ["Isabella Rodriguez", "Maria Lopez"]
    for probe in probes:
        truth = tiny.resident(probe.subject).occupation
        assert probe.options[probe.correct] == f"{probe.subject} is {truth}"
        assert probe.options[probe.false_claims[0]] != probe.options[probe.correct]
        assert probe.options[-1] == DONT_KNOW


def test_checkpoints_are_spread_from_the_start_to_the_last_tick() -> None:
    assert checkpoint_ticks(200, 5) == [0, 50, 100, 150, 200]
    assert checkpoint_ticks(3, 5) == [0, 1, 2, 3]
    assert checkpoint_ticks(0, 5) == [0]
    assert checkpoint_ticks(90, 2) == [0, 90]


# --- aggregation and tables ----------------------------------------------------------------------

def _cell(condition: str, seed: int, aware_end: float, density_end: float,
          came: int | None) -> CellResult:
    from sim.experiments.conditions import Evaluation

    seen = (Attendance(True, ["A", "B"], ["B", "C"], ["B"] * came) if came is not None
            else Attendance(False))
    metrics = CellMetrics(
        condition=condition, seed=seed, run="r", ablated_at="run", visible_kinds=None,
        residents=4, last_tick=100, checkpoints=[0, 100], checkpoint_times=["a", "b"],
        checkpoint_hours=[0.0, 0.3],
        diffusion={"mayor": {"aware": [0.25, aware_end], "could_know": [0.25, 0.5]}},
        density=[0.5, density_end], probe_accuracy=0.5, probe_accuracy_by_kind={},
        hallucination_share=0.0, false_claims=0, probe_answers=8,
        attendance={"party": seen}, memories={"plan": 2}, conversations=1,
        model_calls={"calls": 10, "mean_batch": 2.0, "calls_per_agent_hour": 5.0})
    return CellResult(Evaluation(condition, seed, Path("r"), None), metrics)


def test_aggregate_takes_mean_and_std_over_seeds_per_condition(tmp_path: Path) -> None:
    results = [_cell("no-reflection", 0, 0.5, 0.75, 1), _cell("full", 0, 0.25, 1.0, None),
               _cell("full", 1, 0.75, 0.5, 1), _cell("no-reflection", 1, 0.5, 0.25, 0)]
    table = aggregate(results)
    assert list(table) == ["full", "no-reflection"]  # the shipped order, not the input's
    assert table["full"]["mayor_aware_end"] == (0.5, pytest.approx(math.sqrt(0.125)), 2)
    assert table["full"]["party_invited_came"] == (1.0, None, 1)  # a run that missed it
    assert table["no-reflection"]["density_end"] == (0.5, pytest.approx(math.sqrt(0.125)), 2)
    text = markdown(results, "Results")
    assert "| density_end | 0.75 ± 0.35 (n=2) | 0.5 ± 0.35 (n=2) | 0.74 |" in text
    runs, combined = write_csv(tmp_path, results)
    header, *rows = combined.read_text().splitlines()
    assert header.startswith("condition,mayor_aware_start_mean,mayor_aware_start_std,")
    assert [row.split(",")[0] for row in rows] == ["full", "no-reflection"]
    assert len(runs.read_text().splitlines()) == 5
