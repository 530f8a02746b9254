"""Files that are not runs are refused by every command, byte for byte unchanged.

Every command that takes a run file, given another program's SQLite database, a PNG image or
a text file, exits 2 with one line naming the file, and the file (and any SQLite side file)
has the same SHA-256 afterwards: nothing but a read-only SQLite connection touches it before
it is validated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from run_helpers import assert_refused, fake_run

pytestmark = pytest.mark.slow

AGENT = "Sam Moore"


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE photo (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO photo (name) VALUES ('beach.jpg')")
    db.close()


def _png(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)


def _text(path: Path) -> None:
    path.write_text("these are my notes, not a run\n" * 40, encoding="utf-8")


FILES: dict[str, Callable[[Path], None]] = {
    "foreign sqlite": _foreign_sqlite, "png": _png, "text": _text}

# Each command, with the file as its run (FILE), or as the new file it would make.
COMMANDS: dict[str, list[str]] = {
    "run": ["run", "tiny", "--model", "fake", "--ticks", "3", "--db", "FILE"],
    "run --resume": ["run", "--resume", "--db", "FILE", "--model", "fake", "--ticks", "3"],
    "view": ["view", "FILE"],
    "export": ["export", "FILE", "--out", "OUT"],
    "interview": ["interview", "FILE", AGENT, "How are you?", "--model", "fake"],
    "whisper": ["whisper", "FILE", AGENT, "the party is at five"],
    "event": ["event", "FILE", "the stove is on fire", "--at", "town:Shared house:hallway"],
    "inspect": ["inspect", "FILE"],
    "fork": ["fork", "FILE", "--at", "0", "OUT"],
    "fork into it": ["fork", "RUN", "--at", "0", "FILE"],
}


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fake_run(tmp_path_factory.mktemp("run") / "run.sqlite", 10)


@pytest.mark.parametrize("kind", list(FILES))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_refuses_a_file_that_is_not_a_run_and_leaves_it_as_it_was(
        command: str, kind: str, tmp_path: Path, small_run: Path) -> None:
    path = tmp_path / f"data{'.png' if kind == 'png' else '.db'}"
    FILES[kind](path)
    out = tmp_path / "out"
    values = {"FILE": str(path), "OUT": str(out), "RUN": str(small_run)}
    argv = [values.get(arg, arg) for arg in COMMANDS[command]]
    assert_refused(argv, names=[str(path)], untouched=[path, small_run])
    assert not out.exists()
