"""A fresh run written while other processes read it (and whisper to it) stays whole.

The writer is a real `python -m sim run` of a new run; four reader processes repeat
`inspect`, `whisper`, `export` and the viewer's frame reads on it from before the file
exists until the writer is done (`fixtures/hammer_run.py`). Afterwards SQLite's integrity
check passes, the run finished at its target with every keyframe, and every whisper sent
is in the inbox. Nothing outside SQLite touches a live run file, so no process can drop
another's locks (SQLite's "How To Corrupt An SQLite Database File", section 2.2).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from run_helpers import REPO, file_digests, sim_command

pytestmark = pytest.mark.slow

TICKS = 300  # 07:00 to 08:15 of the first day, 25 residents
READERS = ("inspect", "whisper", "export", "frames")
TRIALS = (1, 2)


@pytest.mark.parametrize("trial", TRIALS)
def test_readers_never_damage_a_fresh_run_being_written(trial: int, tmp_path: Path) -> None:
    db, stop = tmp_path / "c.sqlite", tmp_path / "stop"
    hammer = REPO / "tests" / "fixtures" / "hammer_run.py"
    readers = [subprocess.Popen([sys.executable, str(hammer), kind, str(db), str(stop),
                                 str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(REPO),
                                     "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"})
               for kind in READERS]
    try:
        writer = subprocess.run(sim_command("run", "smallville", "--ticks", str(TICKS), "--db",
                                            str(db), "--model", "fake", "--seed", str(trial)),
                                cwd=REPO, capture_output=True, text=True, timeout=900)
    finally:
        stop.touch()
        outputs = [reader.communicate(timeout=300) for reader in readers]
    assert writer.returncode == 0, writer.stderr[-3000:]
    rounds = {}
    for reader, (out, err) in zip(readers, outputs, strict=True):
        assert reader.returncode == 0, err[-3000:]
        kind, count = out.split()
        rounds[kind] = int(count)
    assert all(count > 0 for count in rounds.values()), rounds
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT status, last_tick FROM run").fetchall() == [
            ("finished", TICKS)]
        (head,) = conn.execute("SELECT last_tick, keyframe_every FROM log_head").fetchall()
        keyframes = [t for (t,) in conn.execute("SELECT tick FROM log_keyframe ORDER BY tick")]
        whispers = conn.execute("SELECT count(*) FROM inbox").fetchone()[0]
    assert head[0] == TICKS
    assert set(range(0, TICKS + 1, head[1])) <= set(keyframes)
    assert whispers == rounds["whisper"]


def test_read_commands_leave_a_finished_run_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "run.sqlite"
    done = subprocess.run(sim_command("run", "tiny", "--ticks", "20", "--db", str(db), "--model",
                                      "fake"), cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    before = file_digests([db])
    for argv in (["inspect", str(db)], ["export", str(db), "--out", str(tmp_path / "f"),
                                        "--to", "0"]):
        done = subprocess.run(sim_command(*argv), cwd=REPO, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert file_digests([db]) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f", "run.sqlite"]
