"""Retrying a remote model through transient failures, then failing with one clear message.

A backend raises `TransientModelError` for what may pass by itself (a refused connection, a
timeout, a 5xx or 429 answer); anything else is a `ModelError` that retrying cannot fix and
is raised at once. Backoff is exponential and bounded; the sleep function is injectable so
tests do not wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from agents.requests import (
    Choose,
    ChooseResult,
    Embed,
    EmbedResult,
    Generate,
    GenerateResult,
    Rate,
    RateResult,
)
from sim.models.base import LanguageModel, ModelError

Req = TypeVar("Req", Generate, Choose, Rate, Embed)
Res = TypeVar("Res", GenerateResult, ChooseResult, RateResult, EmbedResult)


class TransientModelError(ModelError):
    """A failure that may go away if the same call is made again a little later."""


class RetryingModel(LanguageModel):
    """Calls `inner` up to `tries` times per batch, sleeping base_delay * 2**n (capped) between."""

    def __init__(self, inner: LanguageModel, tries: int = 4, base_delay_s: float = 0.5,
                 max_delay_s: float = 8.0, sleep: Callable[[float], None] = time.sleep) -> None:
        if tries < 1:
            raise ValueError(f"tries must be at least 1, got {tries}")
        self.inner = inner
        self.info = inner.info
        self.tries = tries
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.retries = 0
        self._sleep = sleep

    def generate(self, requests: Sequence[Generate]) -> list[GenerateResult]:
        return self._call(self.inner.generate, requests)

    def choose(self, requests: Sequence[Choose]) -> list[ChooseResult]:
        return self._call(self.inner.choose, requests)

    def rate(self, requests: Sequence[Rate]) -> list[RateResult]:
        return self._call(self.inner.rate, requests)

    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        return self._call(self.inner.embed, requests)

    def close(self) -> None:
        self.inner.close()

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before try number `attempt` (1-based; the first try is not delayed)."""
        return min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 2)) if attempt > 1 else 0.0

    def _call(self, method: Callable[[Sequence[Req]], list[Res]],
              requests: Sequence[Req]) -> list[Res]:
        last: TransientModelError | None = None
        for attempt in range(1, self.tries + 1):
            if attempt > 1:
                self.retries += 1
                self._sleep(self.delay_before(attempt))
            try:
                return method(requests)
            except TransientModelError as exc:
                last = exc
        where = self.info.source or self.info.name
        raise ModelError(f"endpoint {where} unreachable after {self.tries} tries: {last}") from last
