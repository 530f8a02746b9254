"""Helpers for tests that make and compare whole runs (SQLite files or PostgreSQL URLs)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from sim.db import open_engine, run_metadata

REPO = Path(__file__).resolve().parents[1]

# Columns that hold wall-clock measurements, not simulation results.
WALL_CLOCK_COLUMNS = {("model_call", "latency_s"), ("run", "created_at")}
# What a simulation computes; a resumed, forked or replayed run must hold exactly these rows.
RESULT_TABLES = ("log_event", "memory", "agent", "conversation", "utterance", "plan_item")

Dump = dict[str, list[tuple[object, ...]]]


def table_dump(db: str | Path, tables: Sequence[str] | None = None) -> Dump:
    """Every run table's rows (or `tables`'), by primary key, minus wall-clock columns.

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
                               if (table.name, c.name) not in WALL_CLOCK_COLUMNS]
                    query = select(*columns).order_by(*table.primary_key.columns)
                    dump[table.name] = [tuple(row) for row in connection.execute(query)]
        return dump
    finally:
        engine.dispose()


def sim_command(*args: str) -> list[str]:
    """The argv of `python -m sim ARGS` in this interpreter."""
    return [sys.executable, "-m", "sim", *args]
