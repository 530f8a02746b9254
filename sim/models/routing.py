"""Routing: the few requests that shape what a resident does and says go to a larger model,
the many small ones stay on the default.

A run's day plans, reflections, utterances and interview answers are rare (a few per
resident per game hour) and are what a user reads; importance ratings, places, object
states and decompositions are most of the calls (measured on the quick-start hour: 8 of 27
generations were routed ones, 0 of 22 ratings). `--model routed` answers the first kind
with the `quality` model and the rest with `default`, so a run reads like the larger model
where it matters at a part of its cost. It needs the `quality` extra installed; nothing
falls back to the default model when it is not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from agents.prompts.converse import TAG_UTTERANCE
from agents.prompts.day_plan import TAG as DAY_PLAN
from agents.prompts.interview import TAG as INTERVIEW
from agents.prompts.reflect import TAG_INSIGHTS, TAG_QUESTIONS
from agents.requests import (
    Choose,
    ChooseResult,
    Embed,
    EmbedResult,
    Generate,
    GenerateResult,
    ModelRequest,
    Rate,
    RateResult,
)
from sim.models.base import LanguageModel, ModelInfo

ROUTED_TAGS = frozenset({DAY_PLAN, TAG_QUESTIONS, TAG_INSIGHTS, TAG_UTTERANCE, INTERVIEW})
"""The requests the larger model answers: the paper's day plan (section 4.3), reflection
(4.2), dialogue (4.4, utterances) and the interviews it was evaluated by (5.1)."""

BACKEND = "routed"
"""The backend a routed run records: resuming or interviewing it loads `--model routed`."""

Req = TypeVar("Req", bound=ModelRequest)
Res = TypeVar("Res")


class RoutedModel(LanguageModel):
    """Requests tagged with one of `tags` answered by `larger`, all others by `main`.

    Each batch is split in two (each part still one batch) and the answers come back in
    request order. Embeddings always come from `main`, so memories stay comparable.
    """

    def __init__(self, main: LanguageModel, larger: LanguageModel,
                 tags: frozenset[str] = ROUTED_TAGS) -> None:
        self.main = main
        self.larger = larger
        self.tags = tags
        self.info = ModelInfo(
            name=f"{main.info.name}, {larger.info.name} for {', '.join(sorted(tags))}",
            backend=BACKEND, device=main.info.device, dtype=main.info.dtype)

    def generate(self, requests: Sequence[Generate]) -> list[GenerateResult]:
        return self._split(requests, self.main.generate, self.larger.generate)

    def choose(self, requests: Sequence[Choose]) -> list[ChooseResult]:
        return self._split(requests, self.main.choose, self.larger.choose)

    def rate(self, requests: Sequence[Rate]) -> list[RateResult]:
        return self._split(requests, self.main.rate, self.larger.rate)

    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        return self.main.embed(requests)

    def close(self) -> None:
        self.main.close()
        self.larger.close()

    def _split(self, requests: Sequence[Req], main: Callable[[Sequence[Req]], list[Res]],
               larger: Callable[[Sequence[Req]], list[Res]]) -> list[Res]:
        routed = [r.tag in self.tags for r in requests]
        answers: dict[int, Res] = {}
        for call, chosen in ((main, False), (larger, True)):
            indices = [i for i, is_routed in enumerate(routed) if is_routed == chosen]
            if indices:
                answers.update(zip(indices, call([requests[i] for i in indices]), strict=True))
        return [answers[i] for i in range(len(requests))]
