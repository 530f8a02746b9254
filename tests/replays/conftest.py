"""The scripted replay run (see `fixtures.replay_run`), shared by the replay tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.replay_run import make_run, make_town
from sqlalchemy import Engine, create_engine

from world.town import Town


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scripted run, written once (each test gets its own copy)."""
    path = tmp_path_factory.mktemp("template") / "run.sqlite"
    make_run(path).dispose()
    return path


@pytest.fixture
def engine(template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "run.sqlite"
    shutil.copyfile(template, path)
    engine = create_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def town() -> Town:
    return make_town()
