"""Decisions read from a model's scores rather than from its single best answer.

A small model scoring "yes"/"no" has strong preferences of its own (measured on the
0.5B default: "no" to every "start a conversation?"), whatever the question says.
Contextual calibration (Zhao et al. 2021, "Calibrate Before Use") asks the same
question once more with the content left out (the baseline) and reads whether the
content raised an option's share (`raised`). A rating is read as the probability-
weighted mean of its values (`expected_rating`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from agents.requests import ChooseResult, RateResult

BASELINE_SUFFIX = "_baseline"
"""Appended to a request's tag for its baseline, so logs and benchmarks tell them apart."""


def shares(logprobs: Sequence[float]) -> list[float]:
    """Each option's log share among the options (a log-softmax over their scores)."""
    top = max(logprobs)
    total = top + math.log(sum(math.exp(x - top) for x in logprobs))
    return [x - total for x in logprobs]


def _scored(result: ChooseResult, options: int) -> bool:
    """Whether `result` scores every option (a server that can only generate and match
    answers one option with 0 and the rest with -inf; a scripted fake may give no scores)."""
    scores = result.logprobs
    return (len(scores) == options > 0 and all(math.isfinite(s) for s in scores)
            and max(scores) > min(scores))


def raised(answer: ChooseResult, baseline: ChooseResult, option: int = 0) -> bool:
    """Whether the content raised `option`'s share over the baseline (strictly: an answer
    equal to its baseline raises nothing). Without scores, whether it was the answer."""
    options = len(answer.logprobs)
    if not (_scored(answer, options) and _scored(baseline, options)):
        return answer.index == option
    return shares(answer.logprobs)[option] > shares(baseline.logprobs)[option]


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
