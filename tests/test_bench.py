"""The run benchmark's extrapolation to a 25-resident game day, and the requests its
baseline counts that the run did not make."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_cognition import scripted

from sim.bench.run_bench import WAKING_HOURS, _game_day, not_asked
from sim.config import load_scenario
from sim.run import RunSession
from sim.tables import ModelCall


def test_a_whole_tiny_day_scales_the_town_span_by_the_day_shape() -> None:
    tiny = {"game_minutes": WAKING_HOURS * 60, "wall_at_minutes": {"120": 100.0, "960": 400.0}}
    town = {"wall_seconds": 1800.0}
    day = _game_day(tiny, town, 120)
    assert day["game_day_wall_hours"] == pytest.approx(1800 * 4 / 3600)
    assert "waking day" in str(day["game_day_extrapolation"])


def test_a_morning_only_tiny_span_is_stretched_to_the_waking_day() -> None:
    tiny = {"game_minutes": 60, "wall_at_minutes": {"10": 50.0, "60": 100.0}}
    day = _game_day(tiny, {"wall_seconds": 360.0}, 10)
    assert day["game_day_wall_hours"] == pytest.approx(360 * 2 * WAKING_HOURS / 3600)
    assert "overstates" in str(day["game_day_extrapolation"])


def test_the_ratings_counted_as_reused_are_the_ones_the_paper_would_have_asked(
        tmp_path: Path) -> None:
    # the scripted day repeats its activities, so observations come back after a short
    # retention (2 events; a resident's own doing is no news, so few events go round)
    rated = []
    for reuse in (True, False):
        scenario = load_scenario("tiny")
        scenario = scenario.model_copy(update={
            "memory": scenario.memory.model_copy(update={"reuse_importance": reuse}),
            "perception": scenario.perception.model_copy(update={"retention": 2})})
        run = RunSession.create(tmp_path / f"{reuse}.sqlite", scenario, 0, scripted())
        run.run_until(900)
        with run.sessions() as db_session:
            rated.append(db_session.scalar(select(func.count()).select_from(ModelCall).where(
                ModelCall.tag == "importance")))
            if reuse:
                unasked = not_asked(db_session)
        run.close()
    assert unasked["importance_reused"] > 0
    assert rated[1] - rated[0] == unasked["importance_reused"]
    assert unasked["decided_by_meaning"] > 0


def test_the_hourly_schedules_the_original_would_write_are_counted(tmp_path: Path) -> None:
    """One per day plan when the plan's items are the chunks; none when the model wrote
    them (they are in the log)."""
    counted = {}
    for hourly in ("plan", "model"):
        scenario = load_scenario("tiny")
        scenario = scenario.model_copy(update={"planning": scenario.planning.model_copy(
            update={"hourly_schedule": hourly})})
        run = RunSession.create(tmp_path / f"{hourly}.sqlite", scenario, 0, scripted())
        run.run_until(400)
        with run.sessions() as db_session:
            plans = db_session.scalar(select(func.count()).select_from(ModelCall).where(
                ModelCall.tag == "day_plan"))
            counted[hourly] = not_asked(db_session)["hourly_schedules"]
        run.close()
        assert plans == 3  # the three residents woke and planned
    assert counted == {"plan": 3, "model": 0}
