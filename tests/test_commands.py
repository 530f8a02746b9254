"""The run subcommands (whisper, event, interview, inspect, fork) and bad command-line input."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest
from run_helpers import REPO, RESULT_TABLES, sim_command, table_dump
from sqlalchemy import select

from agents.requests import prompt_text
from agents.tables import AgentRow, MemoryKind, MemoryRow
from replays.tables import EventRow
from sim.cli import main
from sim.config import load_scenario, open_town
from sim.interview import answer_questions
from sim.models.fake import FakeModel
from sim.models.recording import RecordingModel
from sim.run import RunSession
from sim.runfile import opened_run
from sim.tables import InboxItem, InboxKind, RunStatus
from world.perception import Perceiver

BASE_TICK = 600  # 08:40 on the first day: everyone is up and about
AGENT = "Sam Moore"


@pytest.fixture(scope="module")
def base_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fake-model run of the tiny scenario to BASE_TICK; copy it before changing it."""
    path = tmp_path_factory.mktemp("base") / "base.sqlite"
    session = RunSession.create(path, load_scenario("tiny"), 0, FakeModel())
    session.run_until(BASE_TICK)
    session.close()
    return path


@pytest.fixture
def run_copy(base_run: Path, tmp_path: Path) -> Path:
    path = tmp_path / "run.sqlite"
    shutil.copy(base_run, path)
    return path


def _inbox(path: Path) -> list[InboxItem]:
    session = RunSession.open(path, FakeModel())
    try:
        with session.sessions() as db:
            return list(db.scalars(select(InboxItem).order_by(InboxItem.id)))
    finally:
        session.close()


# --- whisper and event ---------------------------------------------------------------------------


def test_whisper_becomes_a_thought_at_the_next_tick(run_copy: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["whisper", str(run_copy), AGENT, "I should run for mayor"]) == 0
    out = capsys.readouterr().out
    assert "queued whisper" in out and AGENT in out and "--resume" in out
    (item,) = _inbox(run_copy)
    assert (item.kind, item.agent, item.processed_tick) == (InboxKind.WHISPER, AGENT, None)

    session = RunSession.open(run_copy, FakeModel())
    session.run_until(BASE_TICK + 5)
    with session.sessions() as db:
        agent_id = db.scalar(select(AgentRow.id).where(AgentRow.name == AGENT))
        thoughts = db.scalars(select(MemoryRow.description).where(
            MemoryRow.agent_id == agent_id, MemoryRow.kind == MemoryKind.THOUGHT)).all()
        logged = db.scalars(select(EventRow.agent).where(EventRow.kind == "whisper")).all()
        item = db.scalars(select(InboxItem)).one()
    session.close()
    assert thoughts == ["I should run for mayor"]
    assert logged == [AGENT]
    assert item.processed_tick == BASE_TICK + 1


def test_an_event_is_logged_and_seen_by_a_resident_nearby(
        run_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    witness, place = _a_place_in_view_of_someone(run_copy)
    assert main(["event", str(run_copy), "the stove is on fire", "--at", place]) == 0
    assert "queued event" in capsys.readouterr().out

    session = RunSession.open(run_copy, FakeModel())
    session.run_until(BASE_TICK + 6)
    with session.sessions() as db:
        events = db.execute(select(EventRow.tick, EventRow.payload)
                            .where(EventRow.kind == "event")).all()
        seen_by = db.scalars(select(AgentRow.name).join(
            MemoryRow, MemoryRow.agent_id == AgentRow.id).where(
            MemoryRow.kind == MemoryKind.OBSERVATION,
            MemoryRow.description == "the stove is on fire")).all()
    session.close()
    assert [(tick, payload["text"]) for tick, payload in events] == [
        (BASE_TICK + 1, "the stove is on fire")]
    assert witness in seen_by


def _a_place_in_view_of_someone(path: Path) -> tuple[str, str]:
    """An awake resident staying put for a while, and the nearest object it can see."""
    scenario = load_scenario("tiny")
    town = open_town(scenario)
    perceiver = Perceiver(town, vision_radius=scenario.perception.vision_radius)
    session = RunSession.open(path, FakeModel())
    session.close()
    for mind in session.minds.values():
        state = mind.state
        if (state.asleep or state.path or state.conversation is not None or state.action is None
                or state.action.end_tick < BASE_TICK + 6):
            continue
        at = state.tile
        objects = [(min(town.tiles_of(p.address)), p.address) for p in town.objects()]
        visible = sorted(((tile[0] - at[0]) ** 2 + (tile[1] - at[1]) ** 2, str(address))
                         for tile, address in objects if perceiver.in_view(at, tile))
        if visible:
            return mind.name, visible[0][1]
    raise AssertionError("nobody at the base tick is staying put near an object")


def test_whisper_and_event_reject_names_the_run_does_not_have(
        run_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["whisper", str(run_copy), "Nobody Here", "hello"]) == 2
    assert "no resident 'Nobody Here'" in capsys.readouterr().err
    assert main(["event", str(run_copy), "a fire", "--at", "Hobbs Cafe:cafe:nowhere"]) == 2
    assert "no place" in capsys.readouterr().err
    assert main(["whisper", str(run_copy), AGENT, "   "]) == 2
    assert "empty" in capsys.readouterr().err
    assert _inbox(run_copy) == []


# --- interview -----------------------------------------------------------------------------------


def test_interview_answers_with_the_recorded_model_and_changes_nothing(
        run_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = table_dump(run_copy)
    # No --model: the run recorded the fake model, so no real model is loaded.
    assert main(["interview", str(run_copy), AGENT, "What are you up to today?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{AGENT}, at 2023-02-13 08:40")
    assert "Q: What are you up to today?" in out and "A: " in out
    assert table_dump(run_copy) == before


def test_interview_only_uses_the_memory_kinds_asked_for(run_copy: Path) -> None:
    model = RecordingModel(FakeModel())
    question = "What are you planning to do today?"
    answers = answer_questions(run_copy, [(AGENT, question), ("Maria Lopez", question)], model,
                               kinds=[MemoryKind.PLAN])
    answers += answer_questions(run_copy, [(AGENT, question)], model)
    assert len(answers) == 3 and all(answers)
    prompts = [prompt_text(r.request.prompt) for r in model.pending  # type: ignore[union-attr]
               if r.request.tag == "interview" and AGENT in prompt_text(r.request.prompt)]
    assert len(prompts) == 2
    with sqlite3.connect(run_copy) as db:
        rows = db.execute("SELECT m.kind, m.description FROM memory m JOIN agent a "
                          "ON a.id = m.agent_id WHERE a.name = ?", (AGENT,)).fetchall()
    plans = [text[:40] for kind, text in rows if kind == "plan"]
    others = [text[:40] for kind, text in rows if kind != "plan"]
    only_plans, everything = prompts
    assert any(text in only_plans for text in plans)
    assert not any(text in only_plans for text in others)
    assert any(text in everything for text in others)


def test_interview_rejects_an_unknown_memory_kind(run_copy: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["interview", str(run_copy), AGENT, "Hi?", "--only", "observation,dreams"]) == 2
    err = capsys.readouterr().err
    assert "dreams" in err and "observation, reflection, plan" in err


# --- inspect -------------------------------------------------------------------------------------


def test_inspect_summarises_the_run_and_every_resident(
        base_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(base_run)]) == 0
    text = capsys.readouterr().out
    for expected in ("tiny (tiny.toml), seed 0", "fake", "2023-02-13 08:40 (tick 600)",
                     "model calls", "Isabella Rodriguez", "Maria Lopez", AGENT, "plan today"):
        assert expected in text, expected

    assert main(["inspect", str(base_run), AGENT, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    with sqlite3.connect(base_run) as db:
        memories = dict(db.execute("SELECT kind, count(*) FROM memory GROUP BY kind").fetchall())
        calls = db.execute("SELECT count(*) FROM model_call").fetchone()[0]
    assert data["overview"]["memories"] == memories
    assert sum(c["calls"] for c in data["overview"]["model_calls"]) == calls
    (resident,) = data["residents"]
    assert resident["name"] == AGENT
    assert resident["plan"] and resident["recent_memories"]
    assert sum(item["current"] for item in resident["plan"]) == 1


# --- fork ----------------------------------------------------------------------------------------

FORK_TICK = 420  # 08:10


def _live_run(path: Path, until: int, whisper_at: int = 150) -> None:
    """A fake run with a whisper sent while it goes (as `whisper` would into a live run)."""
    session = RunSession.create(path, load_scenario("tiny"), 0, FakeModel())
    session.run_until(whisper_at)
    with session.sessions() as db, db.begin():
        db.add(InboxItem(kind=InboxKind.WHISPER, agent=AGENT, text="Plan a picnic",
                         created_tick=whisper_at))
    session.run_until(until)
    session.set_status(RunStatus.FINISHED)  # as `run` leaves it
    session.close()


def test_a_fork_equals_the_run_as_it_was(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    _live_run(tmp_path / "long.sqlite", BASE_TICK)
    _live_run(tmp_path / "short.sqlite", FORK_TICK)
    fork = tmp_path / "fork.sqlite"
    assert main(["fork", str(tmp_path / "long.sqlite"), "--at", "2023-02-13 08:10",
                 str(fork)]) == 0
    assert "forked" in capsys.readouterr().out
    short, forked = table_dump(tmp_path / "short.sqlite"), table_dump(fork)
    for table in (*RESULT_TABLES, "inbox", "model_call", "log_keyframe", "run"):
        assert forked[table] == short[table], table

    assert main(["run", "--resume", "--db", str(fork), "--model", "fake", "--ticks", "450"]) == 0
    assert main(["inspect", str(fork)]) == 0
    assert "(tick 450)" in capsys.readouterr().out


def test_a_fork_of_a_damaged_call_log_fails_and_leaves_no_file(
        run_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(run_copy) as db:
        lost = db.execute("DELETE FROM model_call WHERE id IN (SELECT id FROM model_call "
                          "WHERE NOT cached ORDER BY id DESC LIMIT 5)").rowcount
    assert lost == 5
    fork = tmp_path / "fork.sqlite"
    assert main(["fork", str(run_copy), "--at", str(BASE_TICK), str(fork)]) == 2
    assert "replay has no answer" in capsys.readouterr().err
    assert not fork.exists()
    assert main(["fork", str(run_copy), "--at", str(BASE_TICK + 1), str(fork)]) == 2
    assert "cannot fork" in capsys.readouterr().err


# --- bad input -----------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bad_inputs(tmp: Path) -> dict[str, list[str]]:
    bad_toml = tmp / "bad.toml"
    bad_toml.write_text('name = "broken"\nresidents = [\n')
    text_file = tmp / "notes.sqlite"
    text_file.write_text("these are my notes, not a run\n" * 10)
    foreign = tmp / "foreign.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    endpoint = f"http://127.0.0.1:{_closed_port()}/v1"
    return {
        "bad scenario file": ["run", str(bad_toml), "--model", "fake", "--db", str(tmp / "a.db")],
        "no such scenario": ["run", "atlantis", "--model", "fake", "--db", str(tmp / "b.db")],
        "not a database": ["inspect", str(text_file)],
        "foreign sqlite": ["whisper", str(foreign), AGENT, "hello"],
        "no such run": ["interview", str(tmp / "missing.sqlite"), AGENT, "Hi?"],
        "unreachable endpoint": ["run", "tiny", "--endpoint", endpoint, "--ticks", "5",
                                 "--db", str(tmp / "c.db")],
    }


@pytest.mark.parametrize("case", ["bad scenario file", "no such scenario", "not a database",
                                  "foreign sqlite", "no such run", "unreachable endpoint"])
def test_bad_input_is_one_line_on_stderr(case: str, tmp_path: Path) -> None:
    argv = _bad_inputs(tmp_path)[case]
    done = subprocess.run(sim_command(*argv), cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr


def test_the_run_inbox_is_read_once_per_item(run_copy: Path) -> None:
    """Two whispers to different residents are delivered together, each exactly once."""
    assert main(["whisper", str(run_copy), AGENT, "first"]) == 0
    assert main(["whisper", str(run_copy), "Maria Lopez", "second"]) == 0
    session = RunSession.open(run_copy, FakeModel())
    session.run_until(BASE_TICK + 40)
    with session.sessions() as db:
        ticks = db.scalars(select(InboxItem.processed_tick)).all()
        thoughts = db.scalars(select(MemoryRow.description)
                              .where(MemoryRow.kind == MemoryKind.THOUGHT)).all()
    session.close()
    assert ticks == [BASE_TICK + 1, BASE_TICK + 1]
    assert sorted(thoughts) == ["first", "second"]


# --- view and export -----------------------------------------------------------------------------


def test_a_finished_run_opens_as_a_replay_of_its_own_town(run_copy: Path) -> None:
    session = RunSession.open(run_copy, FakeModel())
    session.set_status(RunStatus.FINISHED)
    session.close()
    with opened_run(run_copy) as (_, stored):
        assert not stored.live
        town = stored.town()
    assert (town.width, town.height) == (open_town(load_scenario("tiny")).width,
                                         open_town(load_scenario("tiny")).height)


def test_export_writes_one_png_per_tick_of_the_range(run_copy: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    out = tmp_path / "frames"
    first, last = BASE_TICK - 4, BASE_TICK
    assert main(["export", str(run_copy), "--out", str(out),
                 "--from", str(first), "--to", str(last)]) == 0
    assert len(list(out.glob("*.png"))) == last - first + 1
