"""The one model interface every backend and wrapper implements.

Each method takes a batch and returns results in request order. Backends are
the in-process transformers model, an OpenAI-compatible HTTP server, the fake
for unit tests and the replay of a logged run; caching, recording and retrying
are wrappers that implement the same interface around another model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from agents.prompts.base import sentences_end
from agents.repetition import loop_start
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


class ModelError(RuntimeError):
    """A model could not be loaded or could not answer; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What the run records about the model that answered it."""

    name: str
    backend: str
    device: str = "cpu"
    dtype: str = ""
    source: str = ""


class LanguageModel(ABC):
    """Batched generate / choose / rate / embed; results come back in request order."""

    info: ModelInfo

    @abstractmethod
    def generate(self, requests: Sequence[Generate]) -> list[GenerateResult]: ...

    @abstractmethod
    def choose(self, requests: Sequence[Choose]) -> list[ChooseResult]: ...

    @abstractmethod
    def rate(self, requests: Sequence[Rate]) -> list[RateResult]: ...

    @abstractmethod
    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]: ...

    def answer(self, requests: Sequence[ModelRequest]) -> list[ModelResult]:
        """Answer a mixed batch: one batched call per kind, results in request order."""
        results: dict[int, ModelResult] = {}
        by_kind: dict[str, list[int]] = {}
        for i, request in enumerate(requests):
            by_kind.setdefault(request.kind, []).append(i)
        for indices in by_kind.values():  # kinds in order of first appearance
            answers = self._answer_one_kind([requests[i] for i in indices])
            results.update(zip(indices, answers, strict=True))
        return [results[i] for i in range(len(requests))]

    def _answer_one_kind(self, batch: Sequence[ModelRequest]) -> Sequence[ModelResult]:
        """One batched call for requests all of one kind (the first one's)."""
        if isinstance(batch[0], Generate):
            return self.generate([r for r in batch if isinstance(r, Generate)])
        if isinstance(batch[0], Choose):
            return self.choose([r for r in batch if isinstance(r, Choose)])
        if isinstance(batch[0], Rate):
            return self.rate([r for r in batch if isinstance(r, Rate)])
        return self.embed([r for r in batch if isinstance(r, Embed)])

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release what the model holds (a server process, GPU memory)."""


def rate_from_scores(request: Rate, logprobs: Sequence[float]) -> RateResult:
    """The rating with the highest score; ties go to the lower number."""
    best = max(range(len(logprobs)), key=lambda i: (logprobs[i], -i))
    return RateResult(value=request.low + best, logprobs=tuple(logprobs))


def choose_from_scores(logprobs: Sequence[float]) -> ChooseResult:
    """The option with the highest score; ties go to the earlier option."""
    best = max(range(len(logprobs)), key=lambda i: (logprobs[i], -i))
    return ChooseResult(index=best, logprobs=tuple(logprobs))


def answer_text(request: Generate, text: str) -> str:
    """A generation's text as the request asks for it: up to its first stop string (servers
    differ on whether they keep it), and up to where it starts to loop when it asks
    `stop_at_loop`, and after its `max_sentences`."""
    cuts = [text.find(stop) for stop in request.stop if stop and stop in text]
    if cuts:
        text = text[:min(cuts)]
    if request.max_sentences:
        text = text[:sentences_end(text, request.max_sentences)]
    return text[:loop_start(text + "\n")] if request.stop_at_loop else text
