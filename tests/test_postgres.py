"""The same run on PostgreSQL as on SQLite: a real server on 127.0.0.1, started for these tests.

Skipped when PostgreSQL's binaries (or psycopg) are missing, unless REQUIRE_POSTGRES=1,
which makes a missing server a failure (CI sets it where PostgreSQL is installed).
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from run_helpers import table_dump
from sqlalchemy import text

from replays.reader import EventLogReader
from sim.cli import main
from sim.db import open_engine

pytestmark = pytest.mark.slow

FIRST_TICKS, LAST_TICKS = 600, 1900  # to 08:40, then to 12:16: a morning's talk
READY_TRIES = 300  # 0.1 s each: half a minute for the server to accept connections


def _missing(reason: str) -> None:
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(reason)


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(Path(p).parts[-3].split(".")[0]))
    which = shutil.which("postgres")
    candidates = [Path(p) for p in found] + ([Path(which)] if which else [])
    if not candidates:
        _missing("PostgreSQL's binaries are not installed (apt-get install postgresql)")
    return candidates[-1].parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A throwaway PostgreSQL cluster in a temporary directory, trust auth on 127.0.0.1."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="town-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # postgres refuses to run as root
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                _missing("running as root and there is no 'postgres' user to run the server")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        subprocess.run([*self.as_user, str(self.bin_dir / "initdb"), "-D", str(self.data),
                        "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"],
                       check=True, capture_output=True, timeout=120)
        log = (self.root / "server.log").open("wb")
        self.process = subprocess.Popen(
            [*self.as_user, str(self.bin_dir / "postgres"), "-D", str(self.data),
             "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
             "-c", f"unix_socket_directories={self.root}", "-c", "fsync=off",
             "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self._wait_ready()

    def _wait_ready(self) -> None:
        import psycopg

        assert self.process is not None
        for _ in range(READY_TRIES):
            try:
                psycopg.connect(self.url("postgres", driver=False), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                try:
                    self.process.wait(timeout=0.1)
                except subprocess.TimeoutExpired:
                    continue
                break
        log = (self.root / "server.log").read_text(errors="replace")
        raise AssertionError(f"PostgreSQL did not start:\n{log[-2000:]}")

    def url(self, database: str, *, driver: bool = True) -> str:
        scheme = "postgresql+psycopg" if driver else "postgresql"
        return f"{scheme}://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        engine = open_engine(self.url("postgres"))
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # "smart" shutdown; a clean stop
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Callable[[str], str]]:
    """Makes databases on a fresh local server: `postgres("name")` is its SQLAlchemy URL."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("psycopg is not installed (pip install 'psycopg[binary]')")
    server = Server(_binaries())
    try:
        server.start()
        yield server.create_database
    finally:
        server.stop()


def _run_and_resume(db: str) -> None:
    """Run, whisper into the stopped run, resume; as a user would."""
    assert main(["run", "tiny", "--model", "fake", "--ticks", str(FIRST_TICKS), "--db", db]) == 0
    assert main(["whisper", db, "Maria Lopez", "Ask Sam about the election"]) == 0
    assert main(["event", db, "a busker plays the violin", "--at", "Johnson Park"]) == 0
    assert main(["run", "--resume", "--db", db, "--model", "fake",
                 "--ticks", str(LAST_TICKS)]) == 0


def test_a_run_on_postgres_equals_the_same_run_on_sqlite(
        postgres: Callable[[str], str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    pg, lite = postgres("town"), str(tmp_path / "run.sqlite")
    _run_and_resume(pg)
    _run_and_resume(lite)
    on_pg, on_sqlite = table_dump(pg), table_dump(lite)
    assert set(on_pg) == set(on_sqlite)
    for table in sorted(on_sqlite):
        assert on_pg[table] == on_sqlite[table], table
    assert len(on_pg["log_event"]) > 100 and on_pg["conversation"] and on_pg["inbox"]

    # What the viewer and the commands read back works there too.
    engines = [open_engine(pg), open_engine(lite)]
    try:
        readers = [EventLogReader(engine) for engine in engines]
        for name in ("Isabella Rodriguez", "Maria Lopez", "Sam Moore"):
            partners = [r.conversation_partners(name, at_or_before=LAST_TICKS) for r in readers]
            assert partners[0] == partners[1]
        assert readers[0].conversation_partners("Sam Moore", at_or_before=LAST_TICKS)
        assert readers[0].frame_at(LAST_TICKS) == readers[1].frame_at(LAST_TICKS)
        assert readers[0].search("violin") == readers[1].search("violin") != []
    finally:
        for engine in engines:
            engine.dispose()
    views = []
    for db in (pg, lite):
        capsys.readouterr()
        assert main(["inspect", db, "--json"]) == 0
        view = json.loads(capsys.readouterr().out)
        assert view["overview"].pop("run") == db
        views.append(view)
    assert views[0] == views[1]


def test_interview_and_fork_on_postgres(postgres: Callable[[str], str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    source, fork = postgres("source"), postgres("fork")
    assert main(["run", "tiny", "--model", "fake", "--ticks", str(FIRST_TICKS),
                 "--db", source]) == 0
    before = table_dump(source)
    assert main(["interview", source, "Sam Moore", "Who did you talk to today?"]) == 0
    assert "A: " in capsys.readouterr().out
    assert table_dump(source) == before
    assert main(["fork", source, "--at", str(FIRST_TICKS // 2), fork]) == 0
    assert main(["run", "--resume", "--db", fork, "--model", "fake",
                 "--ticks", str(FIRST_TICKS)]) == 0
    forked = table_dump(fork)
    for table in ("log_event", "memory", "agent", "conversation", "utterance"):
        assert forked[table] == before[table], table
