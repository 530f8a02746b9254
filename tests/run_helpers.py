"""Helpers for tests that make and compare whole runs (SQLite files or PostgreSQL URLs)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Collection, Sequence
from pathlib import Path

from sqlalchemy import select

from sim.config import load_scenario
from sim.db import open_engine, run_metadata
from sim.models.fake import FakeModel
from sim.run import RunSession

REPO = Path(__file__).resolve().parents[1]

# Columns that hold wall-clock measurements, not simulation results.
WALL_CLOCK_COLUMNS = {("model_call", "latency_s"), ("run", "created_at"),
                      ("run", "heartbeat_at")}
# Whether the run's cache answered a call: a resumed run starts with an empty cache.
CACHE_COLUMNS = {("model_call", "cached")}
# What a simulation computes; a resumed, forked or replayed run must hold exactly these rows.
RESULT_TABLES = ("log_event", "memory", "agent", "conversation", "utterance", "plan_item")

Dump = dict[str, list[tuple[object, ...]]]


def table_dump(db: str | Path, tables: Sequence[str] | None = None, *,
               aside: Collection[tuple[str, str]] = ()) -> Dump:
    """Every run table's rows (or `tables`'), by primary key, minus wall-clock columns
    and the (table, column) pairs of `aside`.

    Read through SQLAlchemy's column types, so a SQLite and a PostgreSQL run compare equal
    when they hold the same values.
    """
    engine = open_engine(db)
    try:
        dump: Dump = {}
        with engine.connect() as connection:
            for metadata in run_metadata():
                for table in metadata.sorted_tables:
                    if tables is not None and table.name not in tables:
                        continue
                    columns = [c for c in table.columns
                               if (table.name, c.name) not in WALL_CLOCK_COLUMNS
                               and (table.name, c.name) not in aside]
                    query = select(*columns).order_by(*table.primary_key.columns)
                    dump[table.name] = [tuple(row) for row in connection.execute(query)]
        return dump
    finally:
        engine.dispose()


def fake_run(path: Path, ticks: int, scenario: str = "tiny") -> Path:
    """A finished run of `scenario` to tick `ticks` on the fake model, made at `path`."""
    session = RunSession.create(path, load_scenario(scenario), 0, FakeModel())
    session.run_until(ticks)
    session.close()
    return path


def sim_command(*args: str) -> list[str]:
    """The argv of `python -m sim ARGS` in this interpreter."""
    return [sys.executable, "-m", "sim", *args]


def file_digests(paths: Sequence[Path]) -> dict[Path, str | None]:
    """SHA-256 of each file's bytes (None for a path that does not exist)."""
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None
            for p in paths}


def assert_refused(args: Sequence[str], *, names: Sequence[str], untouched: Sequence[Path] = (),
                   cwd: Path | None = None) -> str:
    """Run `python -m sim ARGS` and assert it refuses bad input cleanly; return its error line.

    Clean means: exit 2, no traceback, one error line on stderr (argparse's usage line may come
    before it) that contains every string of `names` (the file, the field, the problem), and
    every path of `untouched` (and its SQLite side files) byte for byte as it was.
    """
    watched = [p for path in untouched
               for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal"))]
    before = file_digests(watched)
    done = subprocess.run(sim_command(*args), capture_output=True, text=True, check=False,
                          cwd=cwd or REPO, timeout=300)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    context = f"argv {list(args)}\nstdout: {done.stdout[-2000:]}\nstderr: {done.stderr[-4000:]}"
    assert done.returncode == 2, context
    assert "Traceback" not in done.stderr, context
    assert lines, context
    if lines[0].startswith("usage:"):  # argparse: a usage block, continued by indented lines
        lines = [line for line in lines[1:] if not line.startswith(" ")]
    assert len(lines) == 1, context
    error = lines[0]
    for name in names:
        assert name in error, f"{name!r} missing from the error line\n{context}"
    assert file_digests(watched) == before, f"a refused command changed a file\n{context}"
    return error
