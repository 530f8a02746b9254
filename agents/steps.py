"""Cognition steps: generators that yield model requests and receive answers.

A step yields a list of requests (its own small batch), is resumed with the
answers in the same order, and finally returns its value. It never calls a
model itself: `sim.batching.drive` runs many agents' steps in lock-step so that
their requests share batches.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TypeVar, cast

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

Step = Generator[list[ModelRequest], list[ModelResult], T]


def ask(requests: list[ModelRequest]) -> Step[list[ModelResult]]:
    """`answers = yield from ask([...])`: yield one small batch, get its answers."""
    answers = yield requests
    return answers


def generate(request: Generate) -> Step[GenerateResult]:
    (answer,) = yield [request]
    return cast(GenerateResult, answer)


def choose(request: Choose) -> Step[ChooseResult]:
    (answer,) = yield [request]
    return cast(ChooseResult, answer)


def rate(request: Rate) -> Step[RateResult]:
    (answer,) = yield [request]
    return cast(RateResult, answer)


def embed(request: Embed) -> Step[EmbedResult]:
    (answer,) = yield [request]
    return cast(EmbedResult, answer)


def run_offline(step: Step[T], answer: Callable[[ModelRequest], ModelResult]) -> T:
    """Drive one step with a plain function; for tests and single-agent tools."""
    try:
        requests = step.send(None)  # type: ignore[arg-type]
        while True:
            requests = step.send([answer(r) for r in requests])
    except StopIteration as stop:
        return cast(T, stop.value)

