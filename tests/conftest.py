"""Fixtures shared across test modules: a fresh run database and the fake model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sim.db import open_run
from sim.models.fake import FakeModel


@pytest.fixture
def run_path(tmp_path: Path) -> Path:
    return tmp_path / "run.sqlite"


@pytest.fixture
def run_engine(run_path: Path) -> Iterator[Engine]:
    """A new run file with every package's tables."""
    engine = open_run(run_path, create=True)
    yield engine
    engine.dispose()


@pytest.fixture
def fake_model() -> FakeModel:
    return FakeModel()
