"""Damaged run files: every command refuses them in one line naming the file and the damage.

Each row damages a copy of a small finished run in one way and gives it to one command; the
command must exit 2 with one line on stderr naming the file and the problem, no traceback,
and leave the file byte for byte as it was (`assert_refused`). Commands that write (`run
--resume`, `whisper`, `event`, `fork`) check the file's integrity before anything else;
read commands must not crash on the same damage.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from run_helpers import assert_refused, fake_run

from sim.db import SCHEMA_VERSION

pytestmark = pytest.mark.slow

AGENT = "Sam Moore"
OVERWRITTEN = 10 * 1024  # bytes of noise written over the middle of the file


def _sql(*statements: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        db = sqlite3.connect(path)
        with db:
            for statement in statements:
                db.execute(statement)
        db.close()
    return damage


def _overwrite_middle(path: Path) -> None:
    noise = random.Random(11).randbytes(OVERWRITTEN)
    size = path.stat().st_size
    assert size > 4 * OVERWRITTEN
    with path.open("r+b") as f:
        f.seek(size // 2)
        f.write(noise)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _truncate(path: Path) -> None:
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 3)


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "dropped table": (_sql("DROP TABLE memory"), "table 'memory' missing"),
    "two run rows": (_sql("INSERT INTO run (scenario, scenario_config, seed, model_info, status)"
                          " SELECT scenario, scenario_config, seed, model_info, status FROM run"),
                     "2 run rows"),
    "unknown status": (_sql("UPDATE run SET status = 'paused'"), "unknown run status 'paused'"),
    "damaged model info": (_sql("UPDATE run SET model_info = '{\"name\": \"fa'"),
                           "model info is not JSON"),
    "damaged scenario": (_sql("UPDATE run SET scenario_config = '{\"source\": '"),
                         "stored scenario: not JSON"),
    "damaged agent state": (_sql(f"UPDATE agent SET state = '{{\"tile\": [1, ' "
                                 f"WHERE name = '{AGENT}'"), f"resident '{AGENT}'"),
    "agent state of another shape": (_sql(f"UPDATE agent SET state = '{{}}' "
                                          f"WHERE name = '{AGENT}'"), "damaged state"),
    "10 KB overwritten": (_overwrite_middle, "damaged"),
    "truncated": (_truncate, "damaged"),
    "empty": (_empty, "empty"),
    "older schema": (_sql("UPDATE meta SET value = '1' WHERE key = 'schema_version'"),
                     f"older than this program's {SCHEMA_VERSION}"),
    "no stamp": (_sql("DELETE FROM meta"), "written by an unknown program"),
}

COMMANDS: dict[str, list[str]] = {
    "run --resume": ["run", "--resume", "--db", "FILE", "--ticks", "400"],
    "whisper": ["whisper", "FILE", AGENT, "the party is at five"],
    "event": ["event", "FILE", "the stove is on fire", "--at", "town:Shared house:hallway"],
    "fork": ["fork", "FILE", "--at", "10", "OUT"],
    "inspect": ["inspect", "FILE"],
    "inspect AGENT": ["inspect", "FILE", AGENT],
    "export": ["export", "FILE", "--out", "OUT"],
    "view": ["view", "FILE"],
    "interview": ["interview", "FILE", AGENT, "How are you?", "--model", "fake"],
}

CASES = [
    ("dropped table", "run --resume"), ("dropped table", "inspect"),
    ("two run rows", "whisper"), ("two run rows", "inspect"),
    ("unknown status", "run --resume"), ("unknown status", "view"),
    ("damaged model info", "run --resume"), ("damaged model info", "interview"),
    ("damaged scenario", "event"), ("damaged scenario", "inspect"),
    ("damaged agent state", "run --resume"), ("damaged agent state", "inspect AGENT"),
    ("agent state of another shape", "run --resume"),
    ("10 KB overwritten", "run --resume"), ("10 KB overwritten", "whisper"),
    ("10 KB overwritten", "event"), ("10 KB overwritten", "fork"),
    ("10 KB overwritten", "inspect"), ("10 KB overwritten", "export"),
    ("truncated", "run --resume"), ("empty", "inspect"),
    ("older schema", "run --resume"), ("no stamp", "whisper"),
]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fake_run(tmp_path_factory.mktemp("run") / "run.sqlite", 300)


@pytest.mark.parametrize(("damage", "command"), CASES)
def test_a_damaged_run_file_is_refused_in_one_line(damage: str, command: str, tmp_path: Path,
                                                   finished_run: Path) -> None:
    path = tmp_path / "damaged.sqlite"
    shutil.copy(finished_run, path)
    make_damage, problem = DAMAGE[damage]
    make_damage(path)
    out = tmp_path / "out"
    argv = [{"FILE": str(path), "OUT": str(out)}.get(arg, arg) for arg in COMMANDS[command]]
    assert_refused(argv, names=[str(path), problem], untouched=[path])
    assert not out.exists()
