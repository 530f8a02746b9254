"""A few game minutes of the tiny town on the real embedded model (slow on CPU)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from agents.tables import MemoryKind, MemoryRow
from sim.config import load_scenario
from sim.models.factory import load_model
from sim.run import RunSession
from sim.tables import ModelCall

pytestmark = [pytest.mark.model, pytest.mark.slow]


def test_three_residents_wake_plan_and_remember(tmp_path: Path) -> None:
    model = load_model("default", cache=False)
    session = RunSession.create(tmp_path / "run.sqlite", load_scenario("tiny"), 0, model)
    session.run_until(12)  # two game minutes: the early risers wake and plan their day
    with session.sessions() as db:
        kinds = dict(db.execute(select(MemoryRow.kind, func.count())
                                .group_by(MemoryRow.kind)).all())
        importances = db.scalars(select(MemoryRow.importance)).all()
        tags = set(db.scalars(select(ModelCall.tag)))
    session.close()
    assert kinds.get(MemoryKind.OBSERVATION, 0) >= 9  # seed memories, rated
    assert kinds.get(MemoryKind.PLAN, 0) >= 2  # the day plans of the two who woke
    assert all(1 <= value <= 10 for value in importances)
    assert len(set(importances)) > 1, "the model rated every memory the same"
    assert {"importance", "day_plan", "decompose"} <= tags
    assert "hourly_schedule" not in tags  # the day plan's items are the hourly chunks
    assert all(mind.state.schedule for mind in session.minds.values() if not mind.state.asleep)
