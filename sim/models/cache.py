"""Answering identical requests once.

Requests are frozen dataclasses, so equal requests are equal keys: a repeat within a batch
is sent to the inner model once, and a repeat in a later batch is answered from a bounded
LRU. Identical requests have identical answers by contract (sampling is seeded by the
request), so a cache hit changes nothing but the time it takes.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
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
from agents.steps import expect
from sim.models.base import LanguageModel

Req = TypeVar("Req", Generate, Choose, Rate, Embed)
Res = TypeVar("Res", GenerateResult, ChooseResult, RateResult, EmbedResult)

DEFAULT_MAX_ENTRIES = 4096


class CachingModel(LanguageModel):
    """Answers each distinct request once, within a batch and across batches (an LRU)."""

    def __init__(self, inner: LanguageModel, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be positive, got {max_entries}")
        self.inner = inner
        self.info = inner.info
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self.hits_by_kind: Counter[str] = Counter()
        self._entries: OrderedDict[ModelRequest, ModelResult] = OrderedDict()

    def generate(self, requests: Sequence[Generate]) -> list[GenerateResult]:
        return self._answer(self.inner.generate, requests, GenerateResult)

    def choose(self, requests: Sequence[Choose]) -> list[ChooseResult]:
        return self._answer(self.inner.choose, requests, ChooseResult)

    def rate(self, requests: Sequence[Rate]) -> list[RateResult]:
        return self._answer(self.inner.rate, requests, RateResult)

    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        return self._answer(self.inner.embed, requests, EmbedResult)

    def close(self) -> None:
        self._entries.clear()
        self.inner.close()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, request: object) -> bool:
        """Whether `request` would be answered from the cache (its recency is unchanged)."""
        return request in self._entries

    def _answer(self, method: Callable[[Sequence[Req]], list[Res]],
                requests: Sequence[Req], kind: type[Res]) -> list[Res]:
        found: dict[Req, Res] = {}
        missing: dict[Req, None] = {}  # ordered, with constant-time membership
        for request in requests:
            if request in found or request in missing:
                continue
            cached = self._entries.get(request)
            if cached is None:
                missing[request] = None
            else:
                self._entries.move_to_end(request)
                found[request] = expect(cached, kind)
        if missing:
            batch = list(missing)
            for request, result in zip(batch, method(batch), strict=True):
                found[request] = result
                self._store(request, result)
        self.misses += len(missing)
        self.hits += len(requests) - len(missing)
        if requests:
            self.hits_by_kind[requests[0].kind] += len(requests) - len(missing)
        return [found[request] for request in requests]

    def _store(self, request: ModelRequest, result: ModelResult) -> None:
        self._entries[request] = result
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
