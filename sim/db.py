"""Opening a run database, creating its tables and refusing files that are not ours.

A run is one SQLite file (or a PostgreSQL URL). Each package declares its own tables on
its own declarative base; `create_schema` takes their metadata, `run_metadata` lists what a
run file holds. Sessions are made by the caller (`session_factory`) and passed in, so every
writer decides where its transaction begins and ends.

Only SQLite itself touches a run file: it is validated through a read-only connection
(`PRAGMA schema_version`, `PRAGMA quick_check`, the `meta` stamp, every table present), so
a command that refuses a file never changes it. Readers (`open_run`) stay read-only. A
simulation switches its validated file to WAL mode while it advances it (`use_wal`, undone
by `leave_wal`), so a viewer or a `whisper` can read and write while it commits one
transaction per tick. A new
run is built under a temporary name beside its target and renamed into place when complete
(`creating_run`), so a run file is either whole and resumable or absent.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

from sqlalchemy import (
    URL,
    Connection,
    Engine,
    MetaData,
    create_engine,
    event,
    insert,
    inspect,
    make_url,
    select,
    text,
)
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from replays.reader import describe_engine
from sim.tables import Meta, SimBase

SCHEMA_VERSION = 2
"""2: the run row records why a run failed and a heartbeat of the process advancing it;
a model call records whether the run's cache answered it, and its computed prompt tokens."""
APP_NAME = "generative-town"
BUSY_TIMEOUT_MS = 5000

# The modules that declare a run file's tables, in creation order. Each defines one
# DeclarativeBase subclass; a module that does not exist yet is skipped.
TABLE_MODULES = ("sim.tables", "agents.tables", "replays.tables")

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a database file while it is open or mid-transaction."""


class RunFileError(ValueError):
    """A run file that cannot be used: missing, damaged, foreign, or of another schema version."""


def open_engine(url_or_path: str | Path, *, read_only: bool = False) -> Engine:
    """An engine for a run: a plain path is a SQLite file, a URL is used as it is.

    `read_only` opens SQLite files with `mode=ro` (nothing is ever written, the file is not
    created) and PostgreSQL sessions as read-only transactions. No connection changes the
    journal mode; `open_run(write=True)` does that once the file is validated.
    """
    url = _to_url(url_or_path, read_only=read_only)
    if url.get_backend_name() != "sqlite":
        options = {"postgresql_readonly": True} if read_only else {}
        return create_engine(url, execution_options=options)
    engine = create_engine(url)
    event.listen(engine, "connect", _reader_pragmas if read_only else _writer_pragmas)
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


def check_schema(engine: Engine, location: str | Path | None = None) -> None:
    """Raise one `RunFileError` naming the file unless it is a whole run file of this version.

    Checked through the database itself: for SQLite that the file is a database
    (`PRAGMA schema_version`) and undamaged (`PRAGMA quick_check`); then the `meta` stamp
    (program and schema version) and that every table of `run_metadata()` is present.
    """
    where = str(location) if location is not None else describe_engine(engine)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                _check_sqlite(conn, where)
            tables = set(inspect(conn).get_table_names())
            if Meta.__tablename__ not in tables:
                raise RunFileError(f"{where}: not a {APP_NAME} run file (it has no 'meta' table)")
            stamped = dict(conn.execute(select(Meta.key, Meta.value)).all())
    except SQLAlchemyError as exc:
        raise RunFileError(f"{where}: not a readable run database ({_reason(exc)})") from exc
    _check_stamp(where, stamped)
    missing = [name for metadata in run_metadata() for name in metadata.tables
               if name not in tables]
    if missing:
        raise RunFileError(f"{where}: damaged run file: table {', '.join(map(repr, missing))} "
                           "missing")


def open_run(url_or_path: str | Path, *, write: bool = False) -> Engine:
    """An existing run database, validated by `check_schema` through a read-only connection.

    Without `write` the engine stays read-only; with it a writing engine is returned, made
    only after validation. The journal mode is left as it is (see `use_wal`).
    Raises RunFileError for a missing, foreign, damaged or other-version file.
    """
    location = str(url_or_path)
    path = _sqlite_path(url_or_path)
    if path is not None and not path.is_file():
        what = "a folder, not a run file" if path.is_dir() else "no such run file"
        raise RunFileError(f"{location}: {what}")
    reader = open_engine(url_or_path, read_only=True)
    try:
        check_schema(reader, location)
    except BaseException:
        reader.dispose()
        raise
    if not write:
        return reader
    reader.dispose()
    return open_engine(url_or_path)


def use_wal(engine: Engine) -> None:
    """Switch a validated SQLite run to WAL mode while a simulation advances it.

    WAL lets readers (a viewer, `inspect`) and short writers (`whisper`) work while the
    simulation commits a tick. The mode is stored in the file; `leave_wal` undoes it.
    """
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")


def leave_wal(engine: Engine) -> None:
    """Back to one self-contained file (rollback journal) when no one else has it open.

    Then a read-only command on the finished run needs no `-wal`/`-shm` side files. If
    another process still reads the run (a viewer) it stays in WAL mode, which is as good.
    The engine is disposed.
    """
    try:
        if engine.dialect.name == "sqlite":
            engine.dispose()  # the pool's idle connections would count as other users
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA busy_timeout=0")
                with suppress(OperationalError):  # "locked": another process has it open
                    conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
                conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        engine.dispose()


def new_run_database(url_or_path: str | Path) -> Engine:
    """A writing engine on a new database with every run table (a SQLite file must not exist).

    The file stays in SQLite's default rollback-journal mode, one file between transactions;
    `creating_run` renames it into place and `use_wal` switches it to WAL.
    """
    path = _sqlite_path(url_or_path)
    if path is not None:
        _check_new_file(path)
    engine = open_engine(url_or_path)
    try:
        create_schema(engine, run_metadata())
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def creating_run(url_or_path: str | Path) -> Iterator[Engine]:
    """An engine on a new run database; the run appears at `url_or_path` only whole.

    SQLite: the database is built under a temporary name beside the target and renamed into
    place (without replacing anything) when the block ends without an error; on any error or
    interrupt the temporary file is removed and the target never exists. PostgreSQL: the
    schema is made (idempotent); the caller writes the run in one transaction. Raises
    RunFileError if the SQLite target exists or its folder does not.
    """
    path = _sqlite_path(url_or_path)
    if path is None:
        engine = new_run_database(url_or_path)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    _check_new_file(path)
    building = path.with_name(f".{path.name}.creating-{os.getpid()}")
    _remove_sqlite_files(building)
    try:
        engine = new_run_database(building)
        try:
            yield engine
        finally:
            engine.dispose()  # every connection closed: the database is one file again
        _move_into_place(building, path)
    finally:
        _remove_sqlite_files(building)


def _to_url(url_or_path: str | Path, *, read_only: bool) -> URL:
    if isinstance(url_or_path, str) and "://" in url_or_path:
        url = make_url(url_or_path)
        if read_only and url.get_backend_name() == "sqlite" and url.database:
            return URL.create("sqlite", database=f"file:{quote(url.database)}",
                              query={"mode": "ro", "uri": "true"})
        return url
    path = str(Path(url_or_path))
    if read_only:
        return URL.create("sqlite", database=f"file:{quote(path)}",
                          query={"mode": "ro", "uri": "true"})
    return URL.create("sqlite", database=path)


def _sqlite_path(url_or_path: str | Path) -> Path | None:
    """The file of a SQLite run; None for other databases and in-memory ones."""
    if isinstance(url_or_path, str) and "://" in url_or_path:
        url = make_url(url_or_path)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(str(url.database))
    return Path(url_or_path)


def _reader_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    _pragmas(dbapi_connection, [f"busy_timeout={BUSY_TIMEOUT_MS}"])


def _writer_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    _pragmas(dbapi_connection, [f"busy_timeout={BUSY_TIMEOUT_MS}", "synchronous=NORMAL",
                                "foreign_keys=ON"])


def _pragmas(dbapi_connection: DBAPIConnection, pragmas: Sequence[str]) -> None:
    """Per-connection settings: none of them writes to the database file."""
    cursor = dbapi_connection.cursor()
    try:
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def _check_sqlite(conn: Connection, where: str) -> None:
    """That the file is an undamaged SQLite database, asked of SQLite itself."""
    try:
        version = conn.execute(text("PRAGMA schema_version")).scalar()
    except SQLAlchemyError as exc:
        raise RunFileError(f"{where}: not a SQLite database, or a damaged one "
                           f"({_reason(exc)})") from exc
    if not version:
        raise RunFileError(f"{where}: an empty database, not a run file")
    try:
        problems = [str(row) for row in conn.execute(text("PRAGMA quick_check")).scalars()]
    except SQLAlchemyError as exc:
        raise RunFileError(f"{where}: damaged database ({_reason(exc)})") from exc
    if problems != ["ok"]:
        more = f"; {len(problems) - 1} more problems" if len(problems) > 1 else ""
        first = " ".join(problems[0].split())  # one row may hold several lines
        raise RunFileError(f"{where}: damaged database (integrity check: {first}{more})")


def _check_stamp(where: str, stamped: dict[str, str]) -> None:
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


def check_new_run_location(url_or_path: str | Path) -> None:
    """RunFileError unless a new SQLite run file can be made at `url_or_path` (any URL can)."""
    path = _sqlite_path(url_or_path)
    if path is not None:
        _check_new_file(path)


def _check_new_file(path: Path) -> None:
    if path.exists():
        raise RunFileError(f"{path}: already exists; pass --resume to continue it, "
                           "or choose another name")
    if not path.parent.is_dir():
        raise RunFileError(f"{path}: folder {path.parent} does not exist")


def _move_into_place(built: Path, path: Path) -> None:
    """Give the finished database its name, never replacing a file made there meanwhile."""
    try:
        os.link(built, path)
    except FileExistsError:
        raise RunFileError(f"{path}: already exists; choose another name") from None
    except OSError:  # a file system without hard links: check, then rename
        if path.exists():
            raise RunFileError(f"{path}: already exists; choose another name") from None
        os.replace(built, path)


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", *SQLITE_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _reason(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


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
