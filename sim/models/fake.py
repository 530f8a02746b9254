"""A deterministic, instant model for unit tests and `--model fake`.

Every answer is a pure function of the request (a SHA-256 of its content, never Python's
salted `hash`), so the same request gets the same answer in every process. Generated text
is short sentences from a small vocabulary; embeddings are hashed bags of words, so texts
that share words are close, which is enough to exercise retrieval. A test can script
answers with `respond` (see `when_prompt_contains`).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import numpy as np

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
    prompt_text,
)
from sim.models.base import LanguageModel, ModelInfo, choose_from_scores, rate_from_scores

EMBED_DIM = 384

Respond = Callable[[ModelRequest], ModelResult | None]

_SUBJECTS = ("I", "She", "He", "We", "They", "Everyone", "My neighbour", "The baker")
_VERBS = ("walk to", "talk about", "think about", "look at", "work on", "write about",
          "hear about", "plan", "remember", "clean")
_OBJECTS = ("the cafe", "the park", "the library", "the garden", "the party", "the market",
            "the painting", "the election", "breakfast", "the old piano", "a new song")
_ENDINGS = ("today", "this morning", "after lunch", "with a friend", "again", "quietly",
            "before dinner", "for a while")
_WORD = re.compile(r"[a-z0-9]+")

R = TypeVar("R", bound=ModelResult)


def _rng(*parts: object) -> np.random.Generator:
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _count_words(text: str) -> int:
    return len(text.split())


def fake_sentences(prompt: str, seed: int, n_words: int) -> str:
    """At least `n_words` words of readable-ish sentences, a pure function of (prompt, seed)."""
    rng = _rng("generate", prompt, seed)
    words: list[str] = []
    while len(words) < n_words:
        parts = [str(rng.choice(p)) for p in (_SUBJECTS, _VERBS, _OBJECTS, _ENDINGS)]
        words.extend(" ".join(parts).split())
        words[-1] += "."
    return " ".join(words)


def hashed_embedding(text: str, dim: int = EMBED_DIM) -> np.ndarray:
    """A unit vector: each word adds +-1 at a hashed position, so shared words mean closeness."""
    vector = np.zeros(dim, dtype=np.float32)
    for word in _WORD.findall(text.lower()) or [""]:
        digest = hashlib.sha256(word.encode()).digest()
        index = int.from_bytes(digest[:4], "little") % dim
        vector[index] += 1.0 if digest[4] & 1 else -1.0
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:  # words that cancelled out: fall back to the text's own direction
        vector = _rng("embed", text).standard_normal(dim).astype(np.float32)
        norm = float(np.linalg.norm(vector))
    return vector / norm


class FakeModel(LanguageModel):
    """Deterministic answers derived from a hash of each request; counts calls and batch sizes."""

    def __init__(self, respond: Respond | None = None, embed_dim: int = EMBED_DIM) -> None:
        self.info = ModelInfo(name="fake", backend="fake", device="cpu")
        self.respond = respond
        self.embed_dim = embed_dim
        self.calls: Counter[str] = Counter()
        self.batch_sizes: dict[str, list[int]] = {}

    def generate(self, requests: Sequence[Generate]) -> list[GenerateResult]:
        self._count("generate", requests)
        return [self._scripted(r, GenerateResult) or self._generate(r) for r in requests]

    def choose(self, requests: Sequence[Choose]) -> list[ChooseResult]:
        self._count("choose", requests)
        return [self._scripted(r, ChooseResult) or self._choose(r) for r in requests]

    def rate(self, requests: Sequence[Rate]) -> list[RateResult]:
        self._count("rate", requests)
        return [self._scripted(r, RateResult) or self._rate(r) for r in requests]

    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        self._count("embed", requests)
        return [self._scripted(r, EmbedResult) or self._embed(r) for r in requests]

    def _count(self, kind: str, requests: Sequence[ModelRequest]) -> None:
        self.calls[kind] += len(requests)
        self.batch_sizes.setdefault(kind, []).append(len(requests))

    def _scripted(self, request: ModelRequest, expected: type[R]) -> R | None:
        if self.respond is None:
            return None
        result = self.respond(request)
        if result is not None and not isinstance(result, expected):
            got = type(result).__name__
            raise TypeError(f"script answered a {request.kind} request with a {got}")
        return result

    @staticmethod
    def _generate(request: Generate) -> GenerateResult:
        prompt = prompt_text(request.prompt)
        text = fake_sentences(prompt, request.seed, request.max_tokens)
        text = " ".join(text.split()[: request.max_tokens])
        cuts = [text.find(stop) for stop in request.stop if stop and stop in text]
        if cuts:
            text = text[: min(cuts)]
        words = _count_words(prompt)
        return GenerateResult(text=text, prompt_tokens=words, computed_prompt_tokens=words,
                              completion_tokens=_count_words(text))

    @staticmethod
    def _choose(request: Choose) -> ChooseResult:
        prompt = prompt_text(request.prompt)
        scores = _rng("choose", prompt, request.options).uniform(-8.0, 0.0, len(request.options))
        result = choose_from_scores([float(s) for s in scores])
        words = _count_words(prompt)
        return ChooseResult(result.index, result.logprobs, prompt_tokens=words,
                            computed_prompt_tokens=words)

    @staticmethod
    def _rate(request: Rate) -> RateResult:
        prompt = prompt_text(request.prompt)
        scores = _rng("rate", prompt, request.low, request.high).uniform(
            -8.0, 0.0, request.high - request.low + 1)
        result = rate_from_scores(request, [float(s) for s in scores])
        words = _count_words(prompt)
        return RateResult(result.value, result.logprobs, prompt_tokens=words,
                          computed_prompt_tokens=words)

    def _embed(self, request: Embed) -> EmbedResult:
        vectors = np.zeros((len(request.texts), self.embed_dim), dtype=np.float32)
        for i, text in enumerate(request.texts):
            vectors[i] = hashed_embedding(text, self.embed_dim)
        return EmbedResult(vectors)


def when_prompt_contains(answers: Mapping[str, ModelResult]) -> Respond:
    """A script: the first answer of the request's kind whose key occurs in its prompt or texts."""
    kinds = {GenerateResult: "generate", ChooseResult: "choose", RateResult: "rate",
             EmbedResult: "embed"}

    def respond(request: ModelRequest) -> ModelResult | None:
        text = ("\n".join(request.texts) if isinstance(request, Embed)
                else prompt_text(request.prompt))
        for needle, result in answers.items():
            if needle in text and kinds[type(result)] == request.kind:
                return result
        return None

    return respond
