"""The judge: every pair of models or conditions compared on the questions both answered,
and TrueSkill ranking the one a judge prefers first (`bench fidelity --judge`, `ablate --judge`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_helpers import assert_refused

from agents.requests import GenerateResult, ModelRequest, ModelResult, prompt_text
from sim.bench.fidelity import judging
from sim.bench.fidelity.cases import shipped_towns
from sim.experiments import judge
from sim.models.base import LanguageModel, choose_from_scores
from sim.models.fake import FakeModel

GROUNDED = "I'll be at the bakery from six, baking rye bread for the market."
VAGUE = "I will do things."


def prefers(word: str) -> FakeModel:
    """A judge that picks the answer shown as A when it contains `word`, else B."""
    def respond(request: ModelRequest) -> ModelResult | None:
        if request.kind != "choose" or request.tag != judge.TAG:
            return None
        shown_a = prompt_text(request.prompt).rsplit("\nA: ", 1)[1].split("\nB: ")[0]
        return choose_from_scores([0.0, -5.0] if word in shown_a else [-5.0, 0.0])

    return FakeModel(respond)


def test_every_pair_of_models_is_compared_on_the_questions_both_answered() -> None:
    answers = {"a": {("Ada", "q1"): "a1", ("Ada", "q2"): "a2"},
               "b": {("Ada", "q1"): "b1"},
               "c": {("Ada", "q1"): "c1", ("Ada", "q2"): "c2"}}
    pairs = judge.pairs_of(0, answers)
    assert sorted((p.question, *sorted((p.first, p.second))) for p in pairs) == [
        ("q1", "a", "b"), ("q1", "a", "c"), ("q1", "b", "c"), ("q2", "a", "c")]
    for pair in pairs:  # each answer is shown beside the model that gave it
        assert pair.answer_a == answers[pair.first][pair.agent, pair.question]
        assert pair.answer_b == answers[pair.second][pair.agent, pair.question]
    assert pairs == judge.pairs_of(0, answers)  # the order shown is fixed


def test_which_answer_is_shown_first_varies_between_comparisons() -> None:
    answers = {name: {("Ada", f"q{i}"): f"{name}{i}" for i in range(16)} for name in "ab"}
    firsts = {pair.first for pair in judge.pairs_of(0, answers)}
    assert firsts == {"a", "b"}


def test_the_model_the_judge_prefers_ranks_first() -> None:
    towns = shipped_towns()
    resident = towns[0].residents[0].name
    questions = [f"question {i}" for i in range(6)]
    answers = {"grounded": {(resident, q): GROUNDED for q in questions},
               "vague": {(resident, q): VAGUE for q in questions}}
    figures, verdicts = judging.judged(prefers("bakery"), answers, towns)
    assert figures["grounded"]["interview_judge_win_rate"].value == 1.0
    assert figures["vague"]["interview_judge_win_rate"].value == 0.0
    grounded_mu = figures["grounded"]["interview_trueskill_mu"]
    vague_mu = figures["vague"]["interview_trueskill_mu"]
    assert grounded_mu.value is not None and vague_mu.value is not None
    assert grounded_mu.value > 25.0 > vague_mu.value  # TrueSkill's mu starts at 25
    assert grounded_mu.n == vague_mu.n == len(questions)
    assert [v["winner"] for v in verdicts] == ["grounded"] * len(questions)
    assert {v["a"] for v in verdicts} == {"grounded", "vague"}  # won from either side


def test_a_judge_that_favours_the_first_position_is_read_in_both_orders() -> None:
    """Position outweighs content for this judge: asked once, it picks whatever is shown
    as A; over both orders the grounded answer still wins every comparison."""
    def biased(request: ModelRequest) -> ModelResult | None:
        if request.kind != "choose" or request.tag != judge.TAG:
            return None
        text = prompt_text(request.prompt).rsplit("\nA: ", 1)[1]
        shown_a, shown_b = text.split("\nB: ")
        return choose_from_scores([1.0 + 0.8 * ("bakery" in shown_a),
                                   0.8 * ("bakery" in shown_b)])

    towns = shipped_towns()
    resident = towns[0].residents[0].name
    answers = {"grounded": {(resident, f"q{i}"): GROUNDED for i in range(8)},
               "vague": {(resident, f"q{i}"): VAGUE for i in range(8)}}
    figures, verdicts = judging.judged(FakeModel(biased), answers, towns)
    assert {v["a"] for v in verdicts} == {"grounded", "vague"}
    assert figures["grounded"]["interview_judge_win_rate"].value == 1.0


def test_bench_fidelity_judge_ranks_the_models_interview_answers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.bench.fidelity import bench

    def interviewee(answer: str) -> FakeModel:
        def respond(request: ModelRequest) -> ModelResult | None:
            if request.kind == "generate" and request.tag == "interview":
                return GenerateResult(answer)
            return None
        return FakeModel(respond)

    models: dict[str, LanguageModel] = {"grounded": interviewee(GROUNDED),
                                        "vague": interviewee(VAGUE), "judge": prefers("bakery")}
    monkeypatch.setattr(bench, "load_model", lambda spec, *_: models[spec])
    out = tmp_path / "fidelity.json"
    bench.run_fidelity_bench(["grounded", "vague"], quick=True, json_path=out,
                             kinds=("interview",), judge="judge")
    data = json.loads(out.read_text())
    win = {label.split()[0]: model["figures"]["interview_judge_win_rate"]["value"]
           for label, model in data["models"].items()}
    assert win == {"grounded": 1.0, "vague": 0.0}
    cases = next(iter(data["models"].values()))["cases"]
    assert len(data["judge"]["verdicts"]) == len(cases) > 0
    assert {v["resident"] for v in data["judge"]["verdicts"]} == {c["resident"] for c in cases}


@pytest.mark.parametrize(("args", "names"), [
    (["bench", "fidelity", "--model", "fake", "--judge", "fake"], ["--judge", "two or more"]),
    (["bench", "fidelity", "--model", "fake", "--model", "default", "--judge", "fake",
      "--kinds", "plan"], ["--judge", "--kinds", "interview"]),
    (["bench", "fidelity", "--model", "fake", "--model", "fake"], ["--model fake", "twice"]),
    (["bench", "model", "--judge", "fake"], ["bench model", "--judge"]),
])
def test_judging_without_something_to_judge_is_refused(args: list[str],
                                                       names: list[str]) -> None:
    assert_refused(args, names=names)
