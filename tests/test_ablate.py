"""`python -m sim ablate` end to end, lock-step batching across runs, interview-time ablation."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from PIL import Image
from run_helpers import RESULT_TABLES, table_dump

from agents.cognition.interviewing import interview
from agents.mind import FallbackCounter
from agents.prompts.base import block, line, without_sleep_habits
from agents.requests import (
    Choose,
    ChooseResult,
    Embed,
    EmbedResult,
    Generate,
    GenerateResult,
    Rate,
    RateResult,
    prompt_text,
)
from agents.tables import MemoryKind
from sim.batching import drive
from sim.cli import main
from sim.config import load_scenario
from sim.experiments.conditions import RunJob, visible_kinds
from sim.experiments.interviews import questions_for
from sim.experiments.lockstep import LockstepAborted, LockstepBatcher, run_in_lockstep
from sim.experiments.probes import answer_probe, probes_for
from sim.experiments.runs import JobResult, ModelSpec, execute_job
from sim.experiments.runview import RunView
from sim.models.base import LanguageModel, ModelError
from sim.models.fake import FakeModel

SPAN = 200  # ticks: 07:00 -> 07:33 on the first day; two residents plan their day at once


class PromptLog(LanguageModel):
    """The fake model, keeping the text of every prompt it is asked."""

    def __init__(self) -> None:
        self.inner = FakeModel()
        self.info = self.inner.info
        self.prompts: list[str] = []

    def generate(self, requests: Sequence[Generate]) -> list[GenerateResult]:
        self.prompts += [prompt_text(r.prompt) for r in requests]
        return self.inner.generate(requests)

    def choose(self, requests: Sequence[Choose]) -> list[ChooseResult]:
        self.prompts += [prompt_text(r.prompt) for r in requests]
        return self.inner.choose(requests)

    def rate(self, requests: Sequence[Rate]) -> list[RateResult]:
        return self.inner.rate(requests)

    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        return self.inner.embed(requests)


class Failing(FakeModel):
    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        raise RuntimeError("out of memory")


def _job(tmp: Path, condition: str, seed: int) -> RunJob:
    return RunJob(condition, seed, tmp / f"{condition}-seed{seed}.sqlite")


def _memory_kinds(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        return dict(connection.execute("SELECT kind, count(*) FROM memory GROUP BY kind"))


# --- the lock-step batcher ----------------------------------------------------------------------

def test_a_round_waits_for_every_run_and_answers_each_its_own_requests() -> None:
    model = FakeModel()
    batcher = LockstepBatcher(model)
    members = [batcher.join() for _ in range(3)]
    calls = [3, 1, 2]
    got: dict[int, list[EmbedResult]] = {}

    def work(i: int) -> None:
        try:
            got[i] = [members[i].embed([Embed((f"run {i} call {j}",))])[0]
                      for j in range(calls[i])]
        finally:
            members[i].leave()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert batcher.stats.runs_per_round == [3, 2, 1]  # each run stays until its last call
    assert model.batch_sizes["embed"] == [3, 2, 1]
    for i in range(3):
        expected = FakeModel().embed([Embed((f"run {i} call {j}",)) for j in range(calls[i])])
        assert got[i] == expected


def test_a_failing_shared_model_fails_every_waiting_run() -> None:
    def task(model: LanguageModel) -> None:
        model.embed([Embed(("anything",))])

    with pytest.raises(ModelError, match="out of memory"):
        run_in_lockstep([task, task], Failing())


def test_when_one_run_fails_the_others_stop_at_their_next_call() -> None:
    outcome: dict[str, object] = {}

    def broken(model: LanguageModel) -> None:
        raise ValueError("bad scenario")

    def endless(model: LanguageModel) -> None:
        try:
            for i in range(1_000_000):
                model.embed([Embed((f"call {i}",))])
        except LockstepAborted:
            outcome["stopped after"] = i

    with pytest.raises(ValueError, match="bad scenario"):
        run_in_lockstep([broken, endless], FakeModel())
    assert "stopped after" in outcome


def test_runs_in_lockstep_share_batches_and_match_runs_alone(tmp_path: Path) -> None:
    scenario = load_scenario("tiny")
    alone_sizes: list[int] = []
    for seed in (0, 1):
        model = FakeModel()
        execute_job(_job(tmp_path / "alone", "full", seed), scenario, model, SPAN)
        alone_sizes += [n for sizes in model.batch_sizes.values() for n in sizes]
    shared = FakeModel()
    jobs = [_job(tmp_path / "together", "full", seed) for seed in (0, 1)]

    def task(job: RunJob):  # type: ignore[no-untyped-def]
        return lambda model: execute_job(job, scenario, model, SPAN)

    results, stats = run_in_lockstep([task(job) for job in jobs], shared)
    together_sizes = [n for sizes in shared.batch_sizes.values() for n in sizes]
    assert all(isinstance(r, JobResult) and r.last_tick == SPAN for r in results)
    assert max(together_sizes) > max(alone_sizes)
    assert len(together_sizes) < len(alone_sizes)
    assert max(stats.runs_per_round) == 2
    for seed in (0, 1):  # batching changed nothing a run computed
        assert (table_dump(tmp_path / "together" / f"full-seed{seed}.sqlite", RESULT_TABLES)
                == table_dump(tmp_path / "alone" / f"full-seed{seed}.sqlite", RESULT_TABLES))


# --- the command --------------------------------------------------------------------------------

def test_ablate_writes_tables_json_and_plots(tmp_path: Path) -> None:
    out = tmp_path / "exp"
    code = main(["ablate", "tiny", "--conditions", "full,no-reflection-no-planning",
                 "--seeds", "2", "--ticks", str(SPAN), "--model", "fake", "--judge", "fake",
                 "--out", str(out)])
    assert code == 0
    runs = sorted(p.name for p in (out / "runs").iterdir())
    assert runs == ["full-seed0.sqlite", "full-seed1.sqlite",
                    "no-reflection-no-planning-seed0.sqlite",
                    "no-reflection-no-planning-seed1.sqlite"]
    # The ablated runs made no record of what was switched off; the full ones did plan.
    for seed in (0, 1):
        ablated = _memory_kinds(out / "runs" / f"no-reflection-no-planning-seed{seed}.sqlite")
        assert ablated.get("reflection", 0) == 0 and ablated.get("plan", 0) == 0
        assert ablated["observation"] > 0
        assert _memory_kinds(out / "runs" / f"full-seed{seed}.sqlite")["plan"] > 0
    metrics = json.loads((out / "metrics" / "full-seed1.json").read_text())
    assert metrics["condition"] == "full" and metrics["seed"] == 1
    assert metrics["last_tick"] == SPAN and metrics["checkpoints"][-1] == SPAN
    assert set(metrics["diffusion"]) == {"party", "mayor"}
    assert len(metrics["interview_answers"]) == 3 * 25
    # The judge compared the two conditions' answers of the seed, each question once.
    assert metrics["trueskill"]["comparisons"] == 3 * 25 and metrics["trueskill"]["mu"] != 25.0
    assert metrics["attendance"]["party"] == {"reached": False, "attendees": [], "invited": [],
                                              "came": [], "minutes": {}}
    header, *rows = (out / "results.csv").read_text().splitlines()
    assert "density_end_mean" in header and "trueskill_mu_mean" in header
    assert [row.split(",")[0] for row in rows] == ["full", "no-reflection-no-planning"]
    table = (out / "results.md").read_text()
    assert "| figure | full | no-reflection-no-planning | paper |" in table
    assert "| density_end |" in table and "0.74" in table
    experiment = json.loads((out / "experiment.json").read_text())
    assert experiment["lockstep"]["mean_runs_per_round"] > 1
    for name in ("diffusion", "density", "probes", "trueskill"):
        with Image.open(out / "plots" / f"{name}.png") as image:
            image.verify()
            assert image.format == "PNG" and image.size[0] > 300


def test_ablate_rejects_an_unknown_condition(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ablate", "tiny", "--conditions", "full,no-memory", "--model", "fake",
                 "--out", str(tmp_path / "x")])
    assert code == 2
    assert "unknown condition 'no-memory'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


# --- interview-time ablation --------------------------------------------------------------------

@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    job = _job(tmp_path_factory.mktemp("full"), "full", 0)
    execute_job(job, load_scenario("tiny"), FakeModel(), SPAN)
    return job.db


def _prompts_when_asked(view: RunView, kinds: tuple[MemoryKind, ...] | None) -> list[str]:
    model = PromptLog()
    ctx = view.context(view.last_tick)
    steps = {}
    for agent_id, mind in view.minds_now(kinds, FallbackCounter()).items():
        for q, (_question, text) in enumerate(questions_for(
                view.scenario.resident(mind.name), view.scenario)):
            steps[agent_id, "interview", q] = interview(mind, ctx, text, kinds)
    for agent_id, mind in view.minds_at(view.last_tick, kinds, FallbackCounter()).items():
        for p, probe in enumerate(probes_for(view.scenario, mind.name)):
            steps[agent_id, "probe", p] = answer_probe(mind, ctx, probe, kinds)
    drive(model, steps)
    return model.prompts


@pytest.mark.parametrize("condition", ["no-planning", "no-observation",
                                       "no-observation-no-reflection-no-planning"])
def test_interview_time_ablation_hides_the_ablated_memory_kinds(full_run: Path,
                                                                condition: str) -> None:
    view = RunView(full_run)
    kinds = visible_kinds(condition)
    assert kinds is not None
    shown = "\n".join(_prompts_when_asked(view, kinds))
    hidden = [m for m in view.memories if m.kind not in kinds]
    assert hidden, "the run has nothing of the ablated kinds to hide"
    assert not [m.description for m in hidden if line(m.description, 160) in shown]
    summaries = [block(without_sleep_habits(mind.state.summary))  # as an interview reads it
                 for mind in view.minds.values()
                 if mind.state.summary]  # written from every kind of memory
    assert summaries and not [s for s in summaries if s in shown]
    # Without the ablation the same questions do read those kinds, and the summaries.
    full = "\n".join(_prompts_when_asked(view, None))
    assert [m for m in hidden if line(m.description, 160) in full]
    assert all(s in full for s in summaries)


# --- Ray ----------------------------------------------------------------------------------------

def test_without_ray_the_error_says_what_to_install(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.experiments.ray_runner import INSTALL_HINT, run_on_ray

    monkeypatch.setitem(__import__("sys").modules, "ray", None)
    with pytest.raises(ValueError, match="generative-town\\[sweep\\]"):
        run_on_ray([_job(tmp_path, "full", 0)], load_scenario("tiny"), ModelSpec("fake"), 10)
    assert "sweep" in INSTALL_HINT


@pytest.mark.slow
def test_runs_fan_out_over_ray_each_in_its_own_file(tmp_path: Path, full_run: Path) -> None:
    pytest.importorskip("ray")
    from sim.experiments.ray_runner import run_on_ray

    jobs = [_job(tmp_path, "full", 0), _job(tmp_path, "no-planning", 0)]
    results = run_on_ray(jobs, load_scenario("tiny"), ModelSpec("fake"), SPAN)
    assert [r.label for r in results] == ["full-seed0", "no-planning-seed0"]
    assert all(r.last_tick == SPAN for r in results)
    assert table_dump(jobs[0].db, RESULT_TABLES) == table_dump(full_run, RESULT_TABLES)
    assert _memory_kinds(jobs[1].db).get("plan", 0) == 0
