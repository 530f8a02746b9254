"""A run killed at any moment and resumed ends exactly as an uninterrupted one.

The run is a real `python -m sim run` process, killed with SIGKILL once the
run file shows it has passed a (seeded) random tick; no timing is assumed.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
from pathlib import Path

import pytest
from run_helpers import CACHE_COLUMNS, REPO, RESULT_TABLES, sim_command, table_dump

from sim.cli import main
from sim.config import load_scenario
from sim.models.fake import FakeModel
from sim.run import RunSession

pytestmark = pytest.mark.slow

TICKS = 1500  # 07:00 to 11:10 of the first day
POLL_S = 0.01
MAX_POLLS = 6000  # a minute at most for a run to pass a tick


def _args(db: Path, *, resume: bool) -> list[str]:
    args = ["run", "tiny", "--model", "fake", "--ticks", str(TICKS), "--db", str(db)]
    return [*args, "--resume"] if resume else args


def _last_tick(db: Path) -> int | None:
    """The run's last committed tick, or None while the file has no run yet."""
    if not db.exists():
        return None
    try:
        with sqlite3.connect(db, timeout=5) as connection:
            row = connection.execute("SELECT last_tick FROM run").fetchone()
    except sqlite3.DatabaseError:  # the file or its schema is still being made
        return None
    return None if row is None else row[0]


def _start(db: Path, *, resume: bool) -> subprocess.Popen[bytes]:
    return subprocess.Popen(sim_command(*_args(db, resume=resume)), cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_past(process: subprocess.Popen[bytes], db: Path, tick: int) -> bool:
    """Wait until the run has committed `tick` (True), or the process ended first (False)."""
    for _ in range(MAX_POLLS):
        last = _last_tick(db)
        if last is not None and last >= tick:
            return True
        try:
            process.wait(timeout=POLL_S)
        except subprocess.TimeoutExpired:
            continue
        return False
    raise AssertionError(f"the run did not reach tick {tick} (last tick {_last_tick(db)})")


def _kill(process: subprocess.Popen[bytes]) -> None:
    process.kill()  # SIGKILL: no cleanup, no final transaction
    process.wait()
    assert process.stderr is not None
    process.stderr.close()


def _finish(db: Path) -> None:
    done = subprocess.run(sim_command(*_args(db, resume=True)), cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _last_tick(db) == TICKS


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("whole") / "whole.sqlite"
    session = RunSession.create(path, load_scenario("tiny"), 0, FakeModel())
    session.run_until(TICKS)
    session.close()
    return path


@pytest.mark.parametrize("seed", [1, 2])
def test_killed_and_resumed_equals_uninterrupted(seed: int, tmp_path: Path,
                                                 uninterrupted: Path) -> None:
    db = tmp_path / "killed.sqlite"
    kill_after = sorted(random.Random(seed).sample(range(1, TICKS - 100), 3))
    killed_at = []
    for i, tick in enumerate(kill_after):
        process = _start(db, resume=i > 0)
        if _wait_past(process, db, tick):
            _kill(process)
            killed_at.append(_last_tick(db))
        else:
            _kill(process)
    assert killed_at and all(t is not None and t < TICKS for t in killed_at), killed_at
    _finish(db)
    whole = table_dump(uninterrupted, aside=CACHE_COLUMNS)
    resumed = table_dump(db, aside=CACHE_COLUMNS)
    for table in (*RESULT_TABLES, "log_head", "inbox", "model_call"):
        assert resumed[table] == whole[table], table
    # A resumed log starts with a keyframe of its own; the regular ones are all there.
    missing = [row[0] for row in whole["log_keyframe"] if row not in resumed["log_keyframe"]]
    assert not missing, missing


def test_a_killed_run_delivers_each_whisper_once(tmp_path: Path) -> None:
    db = tmp_path / "killed.sqlite"
    rng = random.Random(7)
    residents = ["Isabella Rodriguez", "Maria Lopez", "Sam Moore"]
    for i, name in enumerate(residents):
        process = _start(db, resume=i > 0)
        _wait_past(process, db, rng.randrange(1, TICKS - 300))  # if it ended, resume delivers
        assert main(["whisper", str(db), name, f"thought {i}"]) == 0
        _kill(process)  # at once: perhaps in the very tick that reads the inbox
    _finish(db)
    with sqlite3.connect(db) as connection:
        inbox = connection.execute("SELECT text, processed_tick FROM inbox ORDER BY id").fetchall()
        logged = connection.execute("SELECT tick, json_extract(payload, '$.text') FROM log_event "
                                    "WHERE kind = 'whisper'").fetchall()
        thoughts = connection.execute("SELECT description FROM memory "
                                      "WHERE kind = 'thought'").fetchall()
    assert [text for text, _tick in inbox] == [f"thought {i}" for i in range(3)]
    assert all(tick is not None for _text, tick in inbox)
    assert sorted((tick, text) for text, tick in inbox) == sorted(logged)
    assert sorted(text for (text,) in thoughts) == [f"thought {i}" for i in range(3)]
