"""Drive many agents' cognition generators so their model requests share batches.

A cognition step is a generator that yields a list of model requests (its own
small batch), receives the list of answers, and finally returns a value. The
driver advances every step in lock-step: each round it gathers what all
pending steps yielded, in key order, answers them in one `LanguageModel.answer`
call (one batch per request kind) and resumes each step with its answers.
Keys are processed in sorted order, so results never depend on timing.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Protocol, Self, TypeVar

from agents.requests import ModelRequest, ModelResult
from agents.steps import Step
from sim.models.base import LanguageModel


class SortableKey(Hashable, Protocol):
    """A step's key: hashable and ordered (an agent id, a tuple of ids)."""

    def __lt__(self, other: Self, /) -> bool: ...


K = TypeVar("K", bound=SortableKey)
T = TypeVar("T")


def drive(model: LanguageModel, steps: Mapping[K, Step[T]]) -> dict[K, T]:
    """Run all steps to completion; returns each step's return value by key."""
    results: dict[K, T] = {}
    pending: dict[K, list[ModelRequest]] = {}
    for key in sorted(steps):
        _advance(key, steps[key], None, pending, results)
    while pending:
        keys = sorted(pending)
        flat = [request for key in keys for request in pending[key]]
        answers = model.answer(flat) if flat else []
        offset = 0
        batch = {key: pending.pop(key) for key in keys}
        for key in keys:
            n = len(batch[key])
            _advance(key, steps[key], answers[offset:offset + n], pending, results)
            offset += n
    return results


def _advance(key: K, step: Step[T], answers: list[ModelResult] | None,
             pending: dict[K, list[ModelRequest]], results: dict[K, T]) -> None:
    try:
        requests = next(step) if answers is None else step.send(answers)
    except StopIteration as stop:
        results[key] = stop.value
        return
    pending[key] = list(requests)

