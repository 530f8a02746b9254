"""`bench fidelity`: each scorer on the failures issue 12 describes, the case set's shape,
and the runner end to end on a scripted fake model whose bias each metric must expose."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from run_helpers import assert_refused

from agents.prompts.base import chat, format_clock
from agents.requests import (
    Embed,
    EmbedResult,
    Generate,
    GenerateResult,
    ModelRequest,
    ModelResult,
    RateResult,
)
from agents.state import ScheduledActivity
from sim.bench.fidelity import report, scoring
from sim.bench.fidelity.cases import KINDS, read_town, shipped_towns
from sim.bench.fidelity.running import run_cases
from sim.bench.fidelity.stage import Stage
from sim.config import ScenarioError
from sim.models.fake import EMBED_DIM, FakeModel, Respond

EXAMPLE = ("05:30 wake up and get ready\n06:00 bake bread at the bakery\n"
           "17:00 walk in the park\n19:00 cook dinner and feed the cat\n"
           "21:00 read a book and go to sleep")
PROMPT = chat(system="You write plans.", shots=(("Write Ada's plan.", EXAMPLE),),
              agent_part="About Nell:", task="Write Nell's plan.")


def items(*lines: tuple[int, str]) -> list[ScheduledActivity]:
    starts = [m for m, _ in lines]
    ends = [*starts[1:], starts[-1] + 60]
    return [ScheduledActivity(s, e - s, d) for (s, d), e in zip(lines, ends, strict=True)]


# --- scorers ----------------------------------------------------------------------------------

def test_a_line_copied_from_the_example_is_counted_and_a_generic_one_is_not() -> None:
    examples = scoring.example_lines(PROMPT)
    assert (19 * 60, "cook dinner and feed the cat") in examples
    assert all("Nell" not in text for _, text in examples)  # the resident's own turn is not one
    plan = items((5 * 60, "wake up and check the weather"), (12 * 60, "have lunch"),
                 (18 * 60, "cook dinner and feed the cat"),  # copied, at another time
                 (17 * 60, "walk in the park"),  # short, but at the example's time
                 (20 * 60, "walk in the park with Jonah and his dog"))
    assert [scoring.is_copy(i.start_minute, i.description, examples) for i in plan] == [
        False, False, True, True, False]
    assert scoring.copied(plan, examples) == 2
    assert scoring.copied(items((12 * 60, "walk in the park")), examples) == 0


def test_loops_are_found_and_a_varied_plan_is_not_one() -> None:
    steps = ("wake up and get ready", "go to bed around 7am")
    alternating = "\n".join(f"{h:02d}:00 {steps[h % 2]}" for h in range(6, 20))
    repeated = "\n".join(["15 min: run for mayor in the upcoming local election"] * 12)
    varied = "06:00 wake up\n07:00 open the shop\n12:00 lunch\n13:00 shop\n18:00 dinner"
    assert scoring.is_loop(alternating)
    assert scoring.is_loop(repeated)
    assert not scoring.is_loop(varied)
    assert not scoring.is_loop("")


def test_plan_time_sanity() -> None:
    wake, bed = 6 * 60, 22 * 60
    good = "06:00 wake up\n09:00 work\n12:00 lunch\n18:00 dinner"
    plan = items((360, "wake up"), (540, "work"), (720, "lunch"), (1080, "dinner"))
    assert scoring.plan_sane(good, plan, wake, bed)
    asleep_at_noon = items((360, "wake up"), (720, "go to bed around 10pm"))
    assert not scoring.plan_sane("06:00 wake up\n12:00 go to bed around 10pm", asleep_at_noon,
                                 wake, bed)
    backwards = "06:00 wake up\n18:00 dinner\n09:00 work\n12:00 lunch"
    assert not scoring.plan_sane(backwards, plan, wake, bed)
    late_start = items((600, "work"), (720, "lunch"))
    assert not scoring.plan_sane("10:00 work\n12:00 lunch", late_start, wake, bed)
    # a night owl: an item after midnight is inside a waking day that ends at 01:00 (1500)
    owl = items((540, "wake up"), (1200, "serve drinks"), (30, "close the bar"))
    assert scoring.plan_sane("09:00 wake up\n20:00 serve drinks\n00:30 close the bar",
                             sorted(owl, key=lambda i: i.start_minute), 540, 1500)
    early = items((540, "wake up"), (240, "bake"))
    assert not scoring.plan_sane("09:00 wake up\n04:00 bake", early, 540, 1500)
    assert scoring.written_in_order("11:00 work\n1:00 lunch\n2:00 walk")  # 12-hour slip


def test_an_intention_counts_when_an_item_active_then_names_it() -> None:
    plan = items((360, "wake up"), (1020, "go to the Valentine's party at Hobbs Cafe"),
                 (1140, "dinner"))
    assert scoring.planned_at(plan, 17 * 60, ["party"])
    assert scoring.planned_at(plan, 17 * 60 + 30, ["Hobbs Cafe"])
    assert not scoring.planned_at(plan, 12 * 60, ["party"])
    assert not scoring.planned_at(plan, 17 * 60, ["mayor"])


def test_interview_answers_first_person_refusal_and_persona_echo() -> None:
    assert scoring.first_person("I run the lighthouse, and my son is a nurse.", "Nell Okafor")
    assert not scoring.first_person("Nell Okafor is running for mayor.", "Nell Okafor")
    assert not scoring.first_person("She keeps the lighthouse.", "Nell Okafor")
    assert not scoring.first_person("The lighthouse keeper works nights.", "Nell Okafor")
    assert scoring.is_refusal("I'm sorry, but I don't have any information about that.")
    assert scoring.is_refusal("As an AI language model, I cannot answer.")
    assert not scoring.is_refusal("I don't know, nobody has told me.")
    persona = ("Name: Nell Okafor (age 61)\nTraits: steady, watchful\nNell Okafor has kept the "
               "harbour lighthouse for thirty years.")
    assert scoring.echoes_persona("Nell Okafor has kept the harbour lighthouse for thirty years.",
                                  persona)
    assert not scoring.echoes_persona("I was up all night: a trawler lost its radio.", persona)


# --- the case set -----------------------------------------------------------------------------

def test_a_free_answer_tells_the_truth_only_with_its_own_words() -> None:
    question = "Is the Harbour Clinic open on Monday?"
    truth = "No, it is closed for repairs"
    assert scoring.tells("It's closed on Monday, Jonah said, for repairs.", truth, question)
    assert not scoring.tells("Yes, the clinic is open on Monday.", truth, question)
    assert not scoring.tells("I don't know, it might be closed for repairs.", truth, question)
    # Words of the question do not count: "Monday" alone tells nothing.
    assert not scoring.tells("On Monday? Probably.", "Open on Monday", question)


def test_at_least_twenty_cases_per_kind_on_three_towns_of_its_own() -> None:
    towns = shipped_towns()
    assert len(towns) >= 3
    shipped_people = {"Isabella Rodriguez", "Sam Moore", "Maria Lopez", "Klaus Mueller"}
    for town in towns:
        assert not {r.name for r in town.residents} & shipped_people
    for kind in KINDS:
        assert sum(len(t.cases(kind)) for t in towns) >= 20, kind
    for kind in ("react", "talk"):
        answers = [c.expect for t in towns for c in (t.react if kind == "react" else t.talk)]
        assert answers.count(True) >= 10 and answers.count(False) >= 10, kind
    probes = [c.known for t in towns for c in t.probe]
    assert probes.count(True) >= 10 and probes.count(False) >= 10


def test_the_right_place_is_not_usually_the_first_option() -> None:
    first = []
    for town in shipped_towns():
        stage = Stage.build(town)
        for case in town.location:
            sectors = stage.mind(case.resident, 1).places.sectors()
            first.append(sectors.index(case.expect.split(":")[0]) == 0)
    assert sum(first) / len(first) < 0.3


def test_a_case_naming_an_unknown_resident_is_one_clear_line() -> None:
    text = (Path(__file__).parents[1] / "sim" / "bench" / "fidelity" / "towns" /
            "harbour.toml").read_text(encoding="utf-8")
    broken = text.replace('[[location]]\nresident = "Nell Okafor"',
                          '[[location]]\nresident = "Nel Okafor"', 1)
    with pytest.raises(ScenarioError) as caught:
        read_town(broken, "harbour.toml")
    assert str(caught.value) == "harbour.toml: location[0].resident: no resident 'Nel Okafor'"


# --- the runner on scripted models ------------------------------------------------------------

def figures(respond: Respond, kind: str) -> dict[str, report.Figure]:
    model = FakeModel(respond=respond)
    stages = [Stage.build(town) for town in shipped_towns()]
    return report.summed(run_cases(model, stages, (kind,), quick=True))


def test_a_model_that_copies_the_example_and_loops_is_caught() -> None:
    shown: list[int] = []

    def respond(request: ModelRequest) -> ModelResult | None:
        if isinstance(request, Generate) and request.tag == "day_plan":
            examples = sorted(scoring.example_lines(request.prompt))  # whatever it shows
            shown.append(len(examples))
            return GenerateResult("\n".join(f"{format_clock(m)} {text}" for m, text in examples))
        if isinstance(request, Generate) and request.tag in ("hourly_schedule", "decompose"):
            return GenerateResult("09:00 sweep the floor\n10:00 sweep the floor\n"
                                  "11:00 sweep the floor")
        return None

    got = figures(respond, "plan")
    assert shown and all(n >= 3 for n in shown)  # the day-plan prompt shows example lines
    # Lines that copy an example are dropped when the plan is read, so no copied plan is kept:
    # the copy becomes an unreadable plan (a format failure), never a resident's day.
    assert got["plan_example_copy_plans"].value in (None, 0.0)
    failures = got["format_failure_rate"].value
    assert failures is not None and failures > 0
    # every decomposition loops (half of the plan-like answers: day plans and decompositions)
    assert got["plan_loop_rate"].value is not None and got["plan_loop_rate"].value >= 0.5


def test_a_model_that_always_picks_the_first_place_is_caught() -> None:
    def respond(request: ModelRequest) -> ModelResult | None:
        if isinstance(request, Embed) and request.tag.startswith("location"):
            # every place equally near the activity: ties go to the first option
            return EmbedResult(np.ones((len(request.texts), 4), dtype=np.float32) / 2)
        return None

    got = figures(respond, "location")
    assert got["location_first_option_rate"].value == 1.0
    chance = got["location_chance"].value
    assert chance is not None and chance < 0.6
    assert got["location_accuracy"].value is not None and got["location_accuracy"].value < 0.5


def test_a_model_that_reacts_to_everything_scores_on_yes_cases_only() -> None:
    def respond(request: ModelRequest) -> ModelResult | None:
        if request.kind == "rate":
            return RateResult(8, ())
        if isinstance(request, Embed) and request.tag == "react_decision":
            # the observation embeds exactly as the first urgent example: it always reacts
            vectors = np.eye(len(request.texts), dtype=np.float32)
            vectors[0] = vectors[1]
            return EmbedResult(vectors)
        return None

    got = figures(respond, "react")
    assert got["react_accuracy_yes"].value == 1.0
    assert got["react_accuracy_no"].value == 0.0


def test_an_embedder_that_finds_everyone_engrossed_never_talks_and_scores_on_no_cases_only(
        ) -> None:
    def respond(request: ModelRequest) -> ModelResult | None:
        if isinstance(request, Embed) and request.tag == "talk_availability":
            # both activities embed exactly as the first engrossing example
            vectors = np.eye(len(request.texts), dtype=np.float32)
            vectors[0] = vectors[1] = vectors[2]
            return EmbedResult(vectors)
        return None

    got = figures(respond, "talk")
    assert got["talk_accuracy_yes"].value == 0.0
    assert got["talk_accuracy_no"].value == 1.0


def test_flat_ratings_fail_the_importance_ranking() -> None:
    got = figures(lambda request: RateResult(5, ()) if request.kind == "rate" else None,
                  "importance")
    assert got["importance_rank_accuracy"].value == 0.0
    assert got["importance_mundane_mean"].value == got["importance_poignant_mean"].value == 5.0


def test_always_i_dont_know_is_right_only_on_unknown_probes() -> None:
    def respond(request: ModelRequest) -> ModelResult | None:
        if isinstance(request, Embed) and request.tag == "probe":
            # the question and its answers are like nothing remembered: nothing supports them
            return EmbedResult(np.zeros((len(request.texts), EMBED_DIM), dtype=np.float32))
        return None

    got = figures(respond, "probe")
    assert got["probe_accuracy_unknown"].value == 1.0
    assert got["probe_accuracy_known"].value == 0.0


def test_third_person_refusing_interviews_are_caught() -> None:
    def respond(request: ModelRequest) -> ModelResult | None:
        if request.kind == "generate" and request.tag == "interview":
            return GenerateResult("She is sorry. I'm sorry, but I don't have any information "
                                  "about that.")
        return None

    got = figures(respond, "interview")
    # A refusal is never kept as the resident's answer: it falls back to "I don't know."
    # and counts as a format failure.
    assert got["interview_refusal_rate"].value == 0.0
    assert got["format_failure_rate"].value == 1.0
    assert got["interview_persona_echo_rate"].value == 0.0


def test_unreadable_answers_are_format_failures() -> None:
    got = figures(lambda request: GenerateResult("") if request.kind == "generate" else None,
                  "interview")
    assert got["format_failure_rate"].value == 1.0


# --- the command and the party check ----------------------------------------------------------

def test_bench_fidelity_quick_on_the_fake_model_writes_every_metric(tmp_path: Path) -> None:
    from sim.bench.fidelity.bench import run_fidelity_bench

    out = tmp_path / "fidelity.json"
    run_fidelity_bench(["fake"], quick=True, json_path=out)
    data = json.loads(out.read_text())
    (model,) = data["models"].values()
    names = {name for name, _ in report.METRICS}
    unread = {"plan_example_copy_rate", "plan_example_copy_plans"}  # no fake plan is readable
    asked = {"react_decision_accuracy", "react_decision_accuracy_yes",
             "react_decision_accuracy_no"}  # asked only of observations rated 6+
    judged = {"interview_trueskill_mu", "interview_judge_win_rate"}  # only with --judge
    assert names - unread - asked - judged <= set(model["figures"]) <= names
    assert {case["kind"] for case in model["cases"]} == set(KINDS)


def test_bench_fidelity_runs_only_the_kinds_asked_for(tmp_path: Path) -> None:
    from sim.bench.fidelity.bench import run_fidelity_bench

    out = tmp_path / "fidelity.json"
    run_fidelity_bench(["fake"], quick=True, json_path=out, kinds=("talk", "probe"))
    (model,) = json.loads(out.read_text())["models"].values()
    assert {case["kind"] for case in model["cases"]} == {"talk", "probe"}
    assert_refused(["bench", "fidelity", "--model", "fake", "--kinds", "talk,plans"],
                   names=["--kinds", "'plans'"])


def test_bench_model_refuses_an_endpoint() -> None:
    error = assert_refused(["bench", "model", "--endpoint", "http://127.0.0.1:9"],
                           names=["--endpoint", "bench fidelity"])
    assert error.startswith("error:")


def test_the_party_invitation_is_only_in_the_invitees_seed_memories() -> None:
    from sim.bench.fidelity.party import INVITEES, SCENARIO
    from sim.config import load_scenario

    scenario = load_scenario(SCENARIO)
    assert 3 <= len(scenario.residents) <= 5
    assert scenario.start.strftime("%Y-%m-%d %H:%M") == "2023-02-14 15:00"
    for resident in scenario.residents:
        invited = [m for m in resident.seed_memories if "party" in m.lower()]
        assert bool(invited) == (resident.name in INVITEES), resident.name
    assert all("party" not in i.description.lower() for i in scenario.intentions)


def test_the_party_check_plumbing_on_a_short_fake_span(tmp_path: Path) -> None:
    from sim.bench.fidelity.party import INVITEES, run_party_check

    out = tmp_path / "party.json"
    result = run_party_check("party", "fake", seeds=2, json_path=out, until="17:30")
    data = json.loads(out.read_text())
    assert data == json.loads(json.dumps(result))
    assert [s["seed"] for s in data["seeds"]] == [0, 1]
    for seed in data["seeds"]:
        assert set(seed["minutes_in_cafe"]) == set(INVITEES)
        assert all(0 <= m <= 30 for m in seed["minutes_in_cafe"].values())  # 17:00-17:30 only
        assert not seed["window_reached"]
        assert seed["conversations"] >= 0
    assert data["overall"]["seeds"] == 2
