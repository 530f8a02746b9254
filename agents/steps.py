"""Cognition steps: generators that yield model requests and receive answers.

A step yields a list of requests (its own small batch), is resumed with the
answers in the same order, and finally returns its value. It never calls a
model itself: `sim.batching.drive` runs many agents' steps in lock-step so that
their requests share batches.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TypeVar

from agents.requests import (
    Choose,
    ChooseResult,
    Embed,
    EmbedResult,
    Generate,
    GenerateResult,
    ModelRequest,
    ModelResult,
    Rate,
    RateResult,
)

T = TypeVar("T")
R = TypeVar("R", GenerateResult, ChooseResult, RateResult, EmbedResult)

Step = Generator[list[ModelRequest], list[ModelResult], T]


def ask(requests: list[ModelRequest]) -> Step[list[ModelResult]]:
    """`answers = yield from ask([...])`: yield one small batch, get its answers."""
    answers = yield requests
    return answers


def expect(answer: ModelResult, kind: type[R]) -> R:
    """`answer` as the result kind its request asked for; TypeError when a model broke that."""
    if not isinstance(answer, kind):
        raise TypeError(f"expected a {kind.__name__}, the model answered {answer!r}")
    return answer


def generate(request: Generate) -> Step[GenerateResult]:
    (answer,) = yield [request]
    return expect(answer, GenerateResult)


def choose(request: Choose) -> Step[ChooseResult]:
    (answer,) = yield [request]
    return expect(answer, ChooseResult)


def rate(request: Rate) -> Step[RateResult]:
    (answer,) = yield [request]
    return expect(answer, RateResult)


def embed(request: Embed) -> Step[EmbedResult]:
    (answer,) = yield [request]
    return expect(answer, EmbedResult)


def run_offline(step: Step[T], answer: Callable[[ModelRequest], ModelResult]) -> T:
    """Drive one step with a plain function; for tests and single-agent tools."""
    try:
        requests = next(step)
        while True:
            requests = step.send([answer(r) for r in requests])
    except StopIteration as stop:
        value: T = stop.value
        return value

