"""The tick scheduler and run sessions on the tiny scenario with the fake model."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from run_helpers import table_dump
from sqlalchemy import func, select

from agents.requests import ChooseResult, GenerateResult, ModelRequest, ModelResult, RateResult
from agents.tables import AgentRow, MemoryKind, MemoryRow
from replays.tables import EventRow
from sim.config import Scenario, load_scenario
from sim.inspect import inspect_run
from sim.models.fake import FakeModel
from sim.run import RunSession
from sim.tables import ModelCall, Run


def tiny(**changes: object) -> Scenario:
    scenario = load_scenario("tiny")
    if not changes:
        return scenario
    data = scenario.model_dump(mode="json")
    data.update(changes)
    return Scenario.parse(data, source="tiny.toml", base_dir=Path(scenario.map).parent)


def run(path: Path, ticks: int, scenario: Scenario | None = None, seed: int = 0) -> RunSession:
    session = RunSession.create(path, scenario or tiny(), seed, FakeModel())
    session.run_until(ticks)
    return session


def test_a_morning_writes_plans_observations_and_the_event_log(tmp_path: Path) -> None:
    session = run(tmp_path / "run.sqlite", 360)
    with session.sessions() as db:
        kinds = dict(db.execute(select(MemoryRow.kind, func.count())
                                .group_by(MemoryRow.kind)).all())
        moves = db.scalar(select(func.count()).where(EventRow.kind == "move"))
        actions = db.scalar(select(func.count()).where(EventRow.kind == "action"))
        run_row = db.scalars(select(Run)).one()
        agents = db.scalars(select(AgentRow)).all()
    assert kinds.get(MemoryKind.PLAN, 0) >= 3, kinds
    assert kinds.get(MemoryKind.OBSERVATION, 0) > 9, kinds  # seed memories and perceptions
    assert moves > 0 and actions >= 3
    assert run_row.last_tick == 360
    assert all(not agent.asleep for agent in agents)
    assert all(agent.state["schedule"] for agent in agents)
    assert session.recorder.stats.total_calls > 0


def test_same_seed_same_database(tmp_path: Path) -> None:
    run(tmp_path / "a.sqlite", 200).close()
    run(tmp_path / "b.sqlite", 200).close()
    assert table_dump(tmp_path / "a.sqlite") == table_dump(tmp_path / "b.sqlite")


def test_another_seed_another_run(tmp_path: Path) -> None:
    run(tmp_path / "a.sqlite", 200, seed=1).close()
    run(tmp_path / "b.sqlite", 200, seed=2).close()
    assert table_dump(tmp_path / "a.sqlite")["memory"] != table_dump(tmp_path / "b.sqlite")[
        "memory"]


def test_an_idle_night_makes_no_model_call(tmp_path: Path) -> None:
    night = tiny(start="2023-02-13 01:00")  # everyone sleeps until 06:00 or later
    session = RunSession.create(tmp_path / "run.sqlite", night, 0, FakeModel())
    seeded = session.recorder.stats.total_calls
    session.run_until(4 * 360)  # until 05:00
    assert session.recorder.stats.total_calls == seeded
    assert session.stats.ticks < 4 * 360 / 10  # the stretch was skipped, not stepped
    with session.sessions() as db:
        calls = db.scalar(select(func.count()).select_from(ModelCall).where(ModelCall.tick > 0))
    assert calls == 0


def test_resume_continues_exactly(tmp_path: Path) -> None:
    run(tmp_path / "whole.sqlite", 240).close()
    first = run(tmp_path / "parts.sqlite", 100)
    first.close()
    resumed = RunSession.open(tmp_path / "parts.sqlite", FakeModel())
    assert resumed.next_tick == 101
    resumed.run_until(240)
    resumed.close()
    whole, parts = table_dump(tmp_path / "whole.sqlite"), table_dump(tmp_path / "parts.sqlite")
    for table in ("log_event", "memory", "agent", "conversation", "utterance"):
        assert whole[table] == parts[table], table


def test_garbage_answers_fall_back_and_are_logged_per_resident(tmp_path: Path) -> None:
    def garbage(request: ModelRequest) -> ModelResult | None:
        return GenerateResult("??? ...") if request.kind == "generate" else None

    session = RunSession.create(tmp_path / "run.sqlite", tiny(), 0, FakeModel(respond=garbage))
    session.run_until(30)
    with session.sessions() as db:
        logged = db.execute(select(EventRow.agent, EventRow.payload)
                            .where(EventRow.kind == "fallback")).all()
    session.close()
    assert session.fallbacks.total == len(logged) > 0
    assert {agent for agent, _ in logged} <= {r.name for r in tiny().residents}
    tags = Counter(str(payload["tag"]) for _, payload in logged)
    assert tags["day_plan"] >= 1
    assert inspect_run(tmp_path / "run.sqlite").overview.fallbacks == dict(sorted(tags.items()))


def test_unread_choices_and_ratings_are_logged_as_fallbacks(tmp_path: Path) -> None:
    def unread(request: ModelRequest) -> ModelResult | None:
        if request.kind == "choose":
            return ChooseResult(0, (), matched=False)
        if request.kind == "rate":
            return RateResult(request.high, (), matched=False)
        return None

    session = RunSession.create(tmp_path / "run.sqlite", tiny(), 0, FakeModel(respond=unread))
    session.run_until(30)
    session.close()
    with session.sessions() as db:
        tags = Counter(str(payload["tag"]) for payload in db.scalars(
            select(EventRow.payload).where(EventRow.kind == "fallback")))
    assert tags["importance"] >= 1
    assert inspect_run(tmp_path / "run.sqlite").overview.fallbacks == dict(sorted(tags.items()))
