"""The run benchmark's extrapolation to a 25-resident game day (arithmetic only)."""

from __future__ import annotations

import pytest

from sim.bench.run_bench import WAKING_HOURS, _game_day


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
