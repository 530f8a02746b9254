"""Decisions read from a model's scores rather than from its single best answer.

A rating is read as the probability-weighted mean of its values (`expected_rating`),
from each value's share among the values (`shares`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from agents.requests import RateResult


def shares(logprobs: Sequence[float]) -> list[float]:
    """Each option's log share among the options (a log-softmax over their scores)."""
    top = max(logprobs)
    total = top + math.log(sum(math.exp(x - top) for x in logprobs))
    return [x - total for x in logprobs]


def expected_rating(result: RateResult, low: int) -> int:
    """The rating weighted by the model's probability of each value, rounded (as G-Eval,
    Liu et al. 2023, reads scores); the most likely value alone put the 0.5B default
    model's importance ratings on 1, 8 or 10 only. Without scores for every value, the
    answer's own value."""
    options = len(result.logprobs)
    scores = result.logprobs
    if options == 0 or not all(math.isfinite(s) for s in scores):
        return result.value
    mean = sum(math.exp(share) * (low + i) for i, share in enumerate(shares(scores)))
    return math.floor(mean + 0.5)
