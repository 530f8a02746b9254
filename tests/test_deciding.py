"""Decisions read from scores: shares and expected ratings."""

from __future__ import annotations

import math

from agents.cognition.deciding import expected_rating, shares
from agents.requests import RateResult


def test_shares_are_a_log_softmax() -> None:
    got = shares([0.0, math.log(3.0)])
    assert [round(math.exp(x), 6) for x in got] == [0.25, 0.75]


def test_expected_rating_weighs_each_value_by_its_probability() -> None:
    half = math.log(0.5)
    assert expected_rating(RateResult(1, (half, -math.inf, half)), low=1) == 1  # no scores
    assert expected_rating(RateResult(1, (half, -50.0, half)), low=1) == 2  # 1 and 3: mean 2
    assert expected_rating(RateResult(8, (-9.0,) * 7 + (0.0, -9.0, -9.0)), low=1) == 8
    assert expected_rating(RateResult(4, ()), low=1) == 4
