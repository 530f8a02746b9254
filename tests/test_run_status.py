"""Where a run stands: failed with the reason, stopped on Ctrl-C, and never live once killed.

The status column is written by the process advancing the run; a run killed with -9 cannot
write it, so liveness also needs the heartbeat that process keeps beating.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from run_helpers import REPO, sim_command
from sqlalchemy import select

from agents.requests import Generate, ModelRequest, ModelResult
from sim.config import load_scenario
from sim.db import open_run, session_factory
from sim.inspect import inspect_run
from sim.liveness import STALE_AFTER_S, Heartbeat, run_is_live
from sim.models.base import ModelError
from sim.models.fake import FakeModel
from sim.run import RunSession
from sim.runfile import opened_run
from sim.tables import Run, RunStatus

Respond = Callable[[ModelRequest], ModelResult | None]


def _failing_after(calls: int, error: BaseException) -> Respond:
    """Answers normally for `calls` generate requests, then raises `error`."""
    seen = [0]

    def respond(request: ModelRequest) -> ModelResult | None:
        if isinstance(request, Generate):
            seen[0] += 1
            if seen[0] > calls:
                raise error
        return None
    return respond


def _advance(db: Path, model: FakeModel, ticks: int, *, create: bool) -> None:
    session = (RunSession.create(db, load_scenario("tiny"), 0, model) if create
               else RunSession.open(db, model))
    try:
        with session.advancing():
            session.run_until(ticks)
    finally:
        session.close()


def test_a_run_stopped_by_an_error_is_marked_failed_with_the_reason(tmp_path: Path) -> None:
    db = tmp_path / "run.sqlite"
    broken = FakeModel(respond=_failing_after(10, ModelError("POST /v1 answered 503")))
    with pytest.raises(ModelError):
        _advance(db, broken, 200, create=True)
    overview = inspect_run(db).overview
    assert overview.status == "failed: ModelError: POST /v1 answered 503"
    with opened_run(db) as (_sessions, stored):
        assert (stored.status, stored.live) == (RunStatus.FAILED, False)


def test_a_resume_that_fails_is_marked_failed_not_running(tmp_path: Path) -> None:
    db = tmp_path / "run.sqlite"
    _advance(db, FakeModel(), 20, create=True)
    with pytest.raises(ModelError):
        _advance(db, FakeModel(respond=_failing_after(0, ModelError("gone"))), 400,
                 create=False)
    with opened_run(db) as (_sessions, stored):
        assert (stored.status, stored.failure) == (RunStatus.FAILED, "ModelError: gone")
    _advance(db, FakeModel(), 400, create=False)  # and it can still be resumed
    with opened_run(db) as (_sessions, stored):
        assert (stored.status, stored.failure, stored.last_tick) == (RunStatus.FINISHED, None, 400)


def test_ctrl_c_marks_the_run_stopped(tmp_path: Path) -> None:
    db = tmp_path / "run.sqlite"
    with pytest.raises(KeyboardInterrupt):
        _advance(db, FakeModel(respond=_failing_after(10, KeyboardInterrupt())), 200,
                 create=True)
    assert inspect_run(db).overview.status == RunStatus.STOPPED


def test_the_heartbeat_beats_while_a_tick_waits(run_engine_with_run: Path) -> None:
    engine = open_run(run_engine_with_run, write=True)
    beaten = threading.Event()
    with Heartbeat(session_factory(engine), every_s=0.01) as heartbeat:
        for _ in range(1000):  # the main thread waits, as for a slow model; the thread beats
            if heartbeat.beats >= 3 or beaten.wait(0.01):
                break
    engine.dispose()
    assert heartbeat.beats >= 3


def test_a_killed_run_is_not_live(tmp_path: Path) -> None:
    db = tmp_path / "run.sqlite"
    process = subprocess.Popen(sim_command("run", "tiny", "--model", "fake", "--ticks", "100000",
                                           "--db", str(db)),
                               cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(6000):
            if db.exists() and _live(db):
                break
            try:
                process.wait(timeout=0.01)
            except subprocess.TimeoutExpired:
                continue
            raise AssertionError(f"the run ended early ({process.returncode})")
        else:
            raise AssertionError("the run never looked live")
    finally:
        process.kill()  # SIGKILL: the run cannot mark itself
        process.wait()
    with opened_run(db) as (sessions, stored), sessions() as session:
        beat = session.scalars(select(Run.heartbeat_at)).one()
    assert stored.status == RunStatus.RUNNING and beat is not None
    assert run_is_live(stored.status, beat, beat + timedelta(seconds=1))
    assert not run_is_live(stored.status, beat, beat + timedelta(seconds=STALE_AFTER_S))
    assert stored.condition == "running"  # killed a moment ago: the beat is still fresh
    gone = replace(stored, live=False)  # as read once the beat is stale
    assert "no heartbeat" in gone.condition and "--resume" in gone.condition


def _live(db: Path) -> bool:
    with opened_run(db) as (_sessions, stored):
        return stored.live


@pytest.fixture
def run_engine_with_run(tmp_path: Path) -> Path:
    db = tmp_path / "run.sqlite"
    RunSession.create(db, load_scenario("tiny"), 0, FakeModel()).close()
    return db
