"""Calibrated choices: an option wins by how much the question raises it, not by its prior.

A small model scoring "A", "B", ... or "yes"/"no" has strong preferences of its own
(measured on the 0.5B default: option A 18 times of 18 for places; "no" to every "start
a conversation?"), whatever the question says. Contextual calibration (Zhao et al. 2021,
"Calibrate Before Use") asks the same question once more with the content left out
(`baseline`) and picks the option whose probability the content raised most: the log of
each option's share among the options, minus the same under the baseline. The baseline
of a given agent and option list is the same request every time, so a caching backend
answers it once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from agents.requests import Choose, ChooseResult, RateResult
from agents.steps import Step, ask

CONTENT_FREE = "N/A"
"""What stands in for the content of a question in its baseline (Zhao et al. use "N/A")."""

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


def calibrated_index(answer: ChooseResult, baseline: ChooseResult) -> int:
    """The option whose share the content raised most over the baseline; ties go to the
    earlier option. Without scores for every option in both, the answer's own index."""
    options = len(answer.logprobs)
    if not (_scored(answer, options) and _scored(baseline, options)):
        return answer.index
    gains = [a - b for a, b in zip(shares(answer.logprobs), shares(baseline.logprobs),
                                   strict=True)]
    return max(range(len(gains)), key=lambda i: (gains[i], -i))


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


def calibrated_choice(request: Choose, baseline: Choose) -> Step[int]:
    """Ask `request` and its content-free `baseline` (same options) in one batch; the
    calibrated option's index."""
    if request.options != baseline.options:
        raise ValueError("a baseline must offer the same options as its request")
    baseline = replace(baseline, tag=request.tag + BASELINE_SUFFIX)
    answer, base = yield from ask([request, baseline])
    assert isinstance(answer, ChooseResult) and isinstance(base, ChooseResult)
    return calibrated_index(answer, base)
