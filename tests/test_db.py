"""The run database: pragmas, the schema stamp, and one clear error for files that are not runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text, update

from sim.db import (
    APP_NAME,
    SCHEMA_VERSION,
    RunFileError,
    check_schema,
    create_schema,
    new_run_database,
    open_engine,
    open_run,
    run_metadata,
    session_factory,
    use_wal,
)
from sim.tables import InboxItem, InboxKind, Meta, ModelCall, Run, RunStatus, SimBase


def test_a_simulated_run_uses_wal_and_a_busy_timeout(run_engine: Engine) -> None:
    with run_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "delete"
    use_wal(run_engine)
    with run_engine.connect() as conn:
        pragmas = {name: conn.execute(text(f"PRAGMA {name}")).scalar()
                   for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")}
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 5000,
                       "foreign_keys": 1}


def test_a_url_is_used_as_given_and_a_path_means_sqlite(tmp_path: Path) -> None:
    by_path = open_engine(tmp_path / "a.sqlite")
    by_url = open_engine(f"sqlite:///{tmp_path / 'b.sqlite'}")
    assert by_path.dialect.name == by_url.dialect.name == "sqlite"
    assert by_path.url.database == str(tmp_path / "a.sqlite")
    assert by_url.url.database == str(tmp_path / "b.sqlite")


def test_a_new_run_has_every_package_tables_and_the_stamp(run_engine: Engine) -> None:
    tables = set(inspect(run_engine).get_table_names())
    expected = {name for metadata in run_metadata() for name in metadata.tables}
    assert {"meta", "run", "model_call", "inbox"} <= expected <= tables
    with session_factory(run_engine)() as session:
        stamp = dict(session.execute(select(Meta.key, Meta.value)).all())
    assert stamp == {"app": APP_NAME, "schema_version": str(SCHEMA_VERSION)}


def test_rows_round_trip_with_defaults(run_engine: Engine) -> None:
    sessions = session_factory(run_engine)
    with sessions.begin() as session:
        session.add(Run(scenario="tiny", scenario_config="{}", seed=3, model_info="{}"))
        session.add(InboxItem(kind=InboxKind.WHISPER, agent="Ada", text="the party is at 5"))
        session.add(ModelCall(tick=0, batch_id=1, kind="rate", request="{}", fingerprint="f",
                              answer="{}"))
    with sessions() as session:
        run = session.scalars(select(Run)).one()
        whisper = session.scalars(select(InboxItem)).one()
        call = session.scalars(select(ModelCall)).one()
    assert (run.status, run.last_tick) == (RunStatus.RUNNING, None)
    assert run.created_at is not None
    assert (whisper.kind, whisper.processed_tick, whisper.place) == (InboxKind.WHISPER, None, None)
    assert (call.prompt_tokens, call.latency_s, call.tag) == (0, 0.0, "")


def test_reopening_a_run_checks_it_and_keeps_its_rows(run_engine: Engine, run_path: Path) -> None:
    with session_factory(run_engine).begin() as session:
        session.add(Run(scenario="tiny", scenario_config="{}", seed=3, model_info="{}"))
    run_engine.dispose()
    for write in (False, True):
        engine = open_run(run_path, write=write)
        with session_factory(engine)() as session:
            assert session.scalars(select(Run.seed)).all() == [3]
        engine.dispose()


def test_creating_the_schema_twice_changes_nothing(run_engine: Engine) -> None:
    create_schema(run_engine, [SimBase.metadata])
    with run_engine.connect() as conn:
        assert conn.execute(select(Meta.key)).scalars().all() == ["app", "schema_version"]


def test_a_missing_file_is_reported_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nope.sqlite"
    with pytest.raises(RunFileError, match=r"nope\.sqlite: no such run file"):
        open_run(path)
    assert not path.exists()


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 10)
    with pytest.raises(RunFileError, match=r"notes\.sqlite: not a SQLite database"):
        open_run(path)


def test_a_truncated_run_file(run_engine: Engine, run_path: Path) -> None:
    with session_factory(run_engine).begin() as session:
        session.add_all([ModelCall(tick=t, batch_id=t, kind="generate", request="x" * 2000,
                                   fingerprint=str(t), answer="{}") for t in range(50)])
    run_engine.dispose()  # the last connection checkpoints the WAL into the file
    size = run_path.stat().st_size
    with run_path.open("r+b") as f:
        f.truncate(size // 2)
    with pytest.raises(RunFileError, match=r"run\.sqlite: .*damaged"):
        open_run(run_path)


def test_a_foreign_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "photos.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photo (id INTEGER PRIMARY KEY, name TEXT)")
    with pytest.raises(RunFileError, match=r"photos\.db: not a generative-town run file"):
        open_run(path)


def test_a_meta_table_written_by_another_program(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO meta VALUES ('app', 'some-other-app')")
    with pytest.raises(RunFileError, match=r"other\.db: .*written by some-other-app"):
        open_run(path)


@pytest.mark.parametrize(("version", "message"), [
    (SCHEMA_VERSION - 1, r"run\.sqlite: .* older than this program's"),
    (SCHEMA_VERSION + 1, r"run\.sqlite: .* newer than this program's \d+; upgrade"),
])
def test_another_schema_version(run_engine: Engine, run_path: Path, version: int,
                                message: str) -> None:
    with run_engine.begin() as conn:
        conn.execute(update(Meta).where(Meta.key == "schema_version").values(value=str(version)))
    with pytest.raises(RunFileError, match=message):
        check_schema(run_engine, run_path)


def test_a_run_on_postgresql(postgres_url: str) -> None:
    engine = new_run_database(postgres_url)
    try:
        check_schema(engine)
        sessions = session_factory(engine)
        with sessions.begin() as session:
            session.add(Run(scenario="tiny", scenario_config="{}", seed=2**40, model_info="{}"))
            session.add(InboxItem(kind=InboxKind.EVENT, place="kitchen", text="fire",
                                  created_tick=3))
            session.add(ModelCall(tick=3, batch_id=1, kind="choose", request="{}", fingerprint="f",
                                  answer='{"logprobs":[-Infinity,0.0]}', latency_s=0.25))
        with sessions() as session:
            assert session.scalars(select(Run.seed)).one() == 2**40
            assert session.scalars(select(InboxItem.kind)).one() == InboxKind.EVENT
            assert session.scalars(select(ModelCall.answer)).one() == '{"logprobs":[-Infinity,0.0]}'
        tables = set(inspect(engine).get_table_names())
        assert {name for metadata in run_metadata() for name in metadata.tables} <= tables
    finally:
        for metadata in reversed(run_metadata()):
            metadata.drop_all(engine)
        engine.dispose()
