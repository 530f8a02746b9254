"""Opening a run database, creating its tables and refusing files that are not ours.

A run is one SQLite file (or a PostgreSQL URL). Each package declares its own tables on
its own declarative base; `create_schema` takes their metadata, `run_metadata` lists what a
run file holds. Sessions are made by the caller (`session_factory`) and passed in, so every
writer decides where its transaction begins and ends.

SQLite connections run in WAL mode with a busy timeout, so a viewer or a `whisper` can read
and write while the simulation commits one transaction per tick.
"""

from __future__ import annotations

import importlib
import struct
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from sqlalchemy import (
    URL,
    Engine,
    MetaData,
    create_engine,
    event,
    insert,
    inspect,
    make_url,
    select,
)
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from sim.tables import Meta, SimBase

SCHEMA_VERSION = 2
APP_NAME = "generative-town"
BUSY_TIMEOUT_MS = 5000

# The modules that declare a run file's tables, in creation order. Each defines one
# DeclarativeBase subclass; a module that does not exist yet is skipped.
TABLE_MODULES = ("sim.tables", "agents.tables", "replays.tables")

_SQLITE_MAGIC = b"SQLite format 3\x00"


class RunFileError(ValueError):
    """A run file that cannot be used: missing, damaged, foreign, or of another schema version."""


def open_engine(url_or_path: str | Path) -> Engine:
    """An engine for a run: a plain path is a SQLite file, a URL is used as it is."""
    url = _to_url(url_or_path)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to `engine`; objects stay readable after commit (the viewer relies on it)."""
    return sessionmaker(engine, expire_on_commit=False)


def engine_of(sessions: sessionmaker[Session]) -> Engine:
    """The engine that `session_factory` bound `sessions` to (no connection is opened)."""
    with sessions() as session:
        bind = session.get_bind()
    if not isinstance(bind, Engine):
        raise TypeError(f"sessions are bound to a {type(bind).__name__}, not an engine")
    return bind


def run_metadata() -> list[MetaData]:
    """The metadata of every package's tables that a run file holds."""
    metadatas: list[MetaData] = []
    for name in TABLE_MODULES:
        module = _import_if_present(name)
        if module is not None:
            metadatas.extend(_declared_metadata(module))
    return metadatas


def create_schema(engine: Engine, metadatas: Sequence[MetaData]) -> None:
    """Create every table of `metadatas` (those that exist are kept) and stamp the file as ours."""
    if SimBase.metadata not in metadatas:
        metadatas = [SimBase.metadata, *metadatas]
    with engine.begin() as conn:
        for metadata in metadatas:
            metadata.create_all(conn)
        stamped = dict(conn.execute(select(Meta.key, Meta.value)).all())
        if not stamped:
            conn.execute(insert(Meta), [
                {"key": "app", "value": APP_NAME},
                {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            ])
    check_schema(engine)


def check_schema(engine: Engine, path: str | Path | None = None) -> None:
    """Raise one `RunFileError` naming the file unless it is a run file of this schema version."""
    where = str(path) if path is not None else _describe(engine)
    sqlite_file = _sqlite_file(engine)
    if sqlite_file is not None:
        problem = _sqlite_header_problem(sqlite_file)
        if problem is not None:
            raise RunFileError(f"{where}: {problem}")
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(Meta.__tablename__):
                raise RunFileError(f"{where}: not a {APP_NAME} run file (it has no 'meta' table)")
            stamped = dict(conn.execute(select(Meta.key, Meta.value)).all())
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise RunFileError(f"{where}: not a readable run database ({reason})") from exc
    app = stamped.get("app")
    if app != APP_NAME:
        writer = app or "an unknown program"
        raise RunFileError(f"{where}: not a {APP_NAME} run file (written by {writer})")
    version_text = stamped.get("schema_version", "")
    if not version_text.isdigit():
        raise RunFileError(f"{where}: run file has no valid schema version ({version_text!r})")
    version = int(version_text)
    if version < SCHEMA_VERSION:
        raise RunFileError(f"{where}: run file has schema version {version}, older than this "
                           f"program's {SCHEMA_VERSION}; run the scenario again to make a new one")
    if version > SCHEMA_VERSION:
        raise RunFileError(f"{where}: run file has schema version {version}, newer than this "
                           f"program's {SCHEMA_VERSION}; upgrade {APP_NAME} to read it")


def open_run(url_or_path: str | Path, *, create: bool = False) -> Engine:
    """Open a run database: with `create` a new or empty one gets the schema; others are checked."""
    engine = open_engine(url_or_path)
    sqlite_file = _sqlite_file(engine)
    if sqlite_file is not None and not create and not sqlite_file.exists():
        engine.dispose()
        raise RunFileError(f"{url_or_path}: no such run file")
    try:
        if create and _is_empty(engine, sqlite_file):
            create_schema(engine, run_metadata())
        else:
            check_schema(engine, url_or_path)
    except Exception:
        engine.dispose()
        raise
    return engine


def _to_url(url_or_path: str | Path) -> URL:
    if isinstance(url_or_path, str) and "://" in url_or_path:
        return make_url(url_or_path)
    return URL.create("sqlite", database=str(Path(url_or_path)))


def _set_sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _describe(engine: Engine) -> str:
    sqlite_file = _sqlite_file(engine)
    return str(sqlite_file) if sqlite_file is not None else engine.url.render_as_string()


def _sqlite_file(engine: Engine) -> Path | None:
    """The file behind a SQLite engine; None for other databases and in-memory ones."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def _sqlite_header_problem(path: Path) -> str | None:
    """What is wrong with a file as a SQLite database, from its 100-byte header and its size."""
    if not path.exists():
        return "no such run file"
    size = path.stat().st_size
    if size == 0:
        return "empty file, not a run database"
    with path.open("rb") as f:
        header = f.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return "not a SQLite database (wrong file type, or damaged)"
    (page_size,) = struct.unpack(">H", header[16:18])
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages = struct.unpack(">II", header[24:32])
    (valid_for,) = struct.unpack(">I", header[92:96])
    # The header's page count is authoritative only when written with the current change counter.
    if pages and valid_for == change_counter and size < pages * page_size:
        return (f"truncated SQLite database ({size} bytes, but its header says "
                f"{pages * page_size}); the file was cut short")
    return None


def _is_empty(engine: Engine, sqlite_file: Path | None) -> bool:
    if sqlite_file is not None and (not sqlite_file.exists() or sqlite_file.stat().st_size == 0):
        return True
    try:
        with engine.connect() as conn:
            return not inspect(conn).get_table_names()
    except SQLAlchemyError:
        return False  # let check_schema say what is wrong with it


def _import_if_present(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:  # the module itself is absent, not something it imports
            return None
        raise


def _declared_metadata(module: ModuleType) -> list[MetaData]:
    """The metadata of the declarative bases that `module` defines."""
    found: list[MetaData] = []
    for value in vars(module).values():
        if (isinstance(value, type) and issubclass(value, DeclarativeBase)
                and DeclarativeBase in value.__bases__ and value.__module__ == module.__name__
                and value.metadata not in found):
            found.append(value.metadata)
    return found
