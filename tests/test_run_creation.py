"""Creating a run is atomic: a complete, resumable run exists afterwards, or nothing does.

Failures are injected at each step of `RunSession.create`: after the schema, after the run
row and the residents, while seeding memories (a model error, Ctrl-C). Each leaves no file
(SQLite) or no run row (PostgreSQL), and the same run can then be created and advanced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from run_helpers import assert_refused
from sqlalchemy import Engine, MetaData, func, select
from sqlalchemy.orm import Session

import sim.db
import sim.run
from agents.requests import ModelRequest, ModelResult, Rate
from agents.tables import MemoryRow
from sim.config import Scenario, load_scenario
from sim.db import open_engine, run_metadata
from sim.models.base import ModelError
from sim.models.fake import FakeModel
from sim.run import RunSession
from sim.tables import Run, RunStatus
from world.town import Town


class InjectedFault(RuntimeError):
    """The failure a test injects into one step of creating a run."""


def _fail_rating(error: BaseException) -> Callable[[ModelRequest], ModelResult | None]:
    """A model answer that raises `error` once seeding rates the residents' first memories."""
    def respond(request: ModelRequest) -> ModelResult | None:
        if isinstance(request, Rate):
            raise error
        return None
    return respond


def _after_schema(monkeypatch: pytest.MonkeyPatch) -> FakeModel:
    made = sim.db.create_schema

    def create_then_fail(engine: Engine, metadatas: Sequence[MetaData]) -> None:
        made(engine, metadatas)
        raise InjectedFault("after the schema")
    monkeypatch.setattr(sim.db, "create_schema", create_then_fail)
    return FakeModel()


def _after_run_row(monkeypatch: pytest.MonkeyPatch) -> FakeModel:
    made = sim.run.create_agents

    def create_then_fail(session: Session, scenario: Scenario, town: Town) -> None:
        made(session, scenario, town)
        session.flush()
        assert session.scalar(select(func.count()).select_from(Run)) == 1
        raise InjectedFault("after the run row")
    monkeypatch.setattr(sim.run, "create_agents", create_then_fail)
    return FakeModel()


def _while_seeding(_monkeypatch: pytest.MonkeyPatch) -> FakeModel:
    return FakeModel(respond=_fail_rating(ModelError("the endpoint went away")))


def _on_ctrl_c(_monkeypatch: pytest.MonkeyPatch) -> FakeModel:
    return FakeModel(respond=_fail_rating(KeyboardInterrupt()))


FAULTS = {
    "after the schema": (_after_schema, InjectedFault),
    "after the run row": (_after_run_row, InjectedFault),
    "while seeding memories": (_while_seeding, ModelError),
    "on Ctrl-C while seeding": (_on_ctrl_c, KeyboardInterrupt),
}


@pytest.mark.parametrize("step", list(FAULTS))
def test_a_failed_creation_leaves_no_file_and_can_be_redone(
        step: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inject, error = FAULTS[step]
    db = tmp_path / "run.sqlite"
    with monkeypatch.context() as patches, pytest.raises(error):
        RunSession.create(db, load_scenario("tiny"), 0, inject(patches))
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    session = RunSession.create(db, load_scenario("tiny"), 0, FakeModel())
    session.close()
    resumed = RunSession.open(db, FakeModel())
    resumed.run_until(5)
    resumed.close()
    assert resumed.last_tick == 5


def test_a_new_run_is_whole_before_it_takes_a_step(tmp_path: Path) -> None:
    db = tmp_path / "run.sqlite"
    RunSession.create(db, load_scenario("tiny"), 0, FakeModel()).close()
    engine = open_engine(db, read_only=True)
    with Session(engine) as session:
        run = session.scalars(select(Run)).one()
        memories = session.scalar(select(func.count()).select_from(MemoryRow))
    engine.dispose()
    assert (run.status, run.last_tick) == (RunStatus.STOPPED, None)
    assert memories and memories > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.sqlite"]


def test_a_seed_out_of_range_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    assert_refused(["run", "tiny", "--ticks", "3", "--db", str(db), "--model", "fake",
                    "--seed", "99999999999999999999999"],
                   names=["--seed", "99999999999999999999999"])
    assert not db.exists()


@pytest.fixture
def postgres_run(postgres_url: str) -> Iterator[str]:
    yield postgres_url
    engine = open_engine(postgres_url)
    for metadata in reversed(run_metadata()):
        metadata.drop_all(engine)
    engine.dispose()


@pytest.mark.parametrize("step", ["after the run row", "while seeding memories"])
def test_a_failed_creation_on_postgresql_leaves_no_run(
        step: str, postgres_run: str, monkeypatch: pytest.MonkeyPatch) -> None:
    inject, error = FAULTS[step]
    with monkeypatch.context() as patches, pytest.raises(error):
        RunSession.create(postgres_run, load_scenario("tiny"), 0, inject(patches))
    engine = open_engine(postgres_run)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 0
    engine.dispose()
    session_run = RunSession.create(postgres_run, load_scenario("tiny"), 0, FakeModel())
    session_run.run_until(3)
    session_run.close()
    assert session_run.last_tick == 3
