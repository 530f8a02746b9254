"""Shared fixtures: a fresh run database, the fake model, a throwaway PostgreSQL server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sim.db import new_run_database
from sim.models.fake import FakeModel


@pytest.fixture
def run_path(tmp_path: Path) -> Path:
    return tmp_path / "run.sqlite"


@pytest.fixture
def run_engine(run_path: Path) -> Iterator[Engine]:
    """A new run file with every package's tables."""
    engine = new_run_database(run_path)
    yield engine
    engine.dispose()


@pytest.fixture
def fake_model() -> FakeModel:
    return FakeModel()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on loopback; skipped where there is none to start.

    With REQUIRE_POSTGRES=1 (CI) a missing server is a failure instead of a skip.
    """
    binaries = [shutil.which(name) for name in ("initdb", "pg_ctl")]
    missing = [name for name, path in zip(("initdb", "pg_ctl"), binaries, strict=True) if not path]
    try:
        import psycopg  # noqa: F401
    except ModuleNotFoundError:
        missing.append("psycopg")
    if missing:
        message = f"no PostgreSQL to test against (missing {', '.join(missing)})"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    initdb, pg_ctl = (str(path) for path in binaries)
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = Path(tempfile.mkdtemp(prefix="generative-town-pg-"))
    if as_postgres:  # the server refuses to run as root
        shutil.chown(data, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    db = str(data / "db")
    _run([*as_postgres, initdb, "-D", db, "-A", "trust", "-U", "postgres", "--no-sync"])
    _run([*as_postgres, pg_ctl, "-D", db, "-w", "-l", str(data / "log"),
          "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"])
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, pg_ctl, "-D", db, "-m", "fast", "stop"],
                       capture_output=True, check=False)
        shutil.rmtree(data, ignore_errors=True)


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
