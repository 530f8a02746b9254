"""Recording every model call, to be written into the run with the tick that made it.

Model calls happen before a tick's write transaction, so the recorder keeps them in memory
and the scheduler calls `flush(session, tick)` inside that transaction: the calls of a tick
are committed with its effects or not at all. The JSON forms here are also what the replay
backend reads back, so a replay answers with exactly the recorded results.
"""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from sqlalchemy.orm import Session

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
from sim.models.base import LanguageModel
from sim.tables import ModelCall

Req = TypeVar("Req", Generate, Choose, Rate, Embed)
Res = TypeVar("Res", GenerateResult, ChooseResult, RateResult, EmbedResult)


def dumps(value: object) -> str:
    """Compact, key-sorted JSON; non-finite floats (a -inf logprob) are kept."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def result_to_json(result: ModelResult) -> dict[str, object]:
    """A JSON-ready dict of any result; embeddings are base64 float32 with their shape."""
    if isinstance(result, GenerateResult):
        return {"text": result.text, "prompt_tokens": result.prompt_tokens,
                "computed_prompt_tokens": result.computed_prompt_tokens,
                "completion_tokens": result.completion_tokens}
    if isinstance(result, ChooseResult | RateResult):
        chosen = ({"index": result.index} if isinstance(result, ChooseResult)
                  else {"value": result.value})
        unmatched = {} if result.matched else {"matched": False}
        return {**chosen, "logprobs": list(result.logprobs),
                "prompt_tokens": result.prompt_tokens,
                "computed_prompt_tokens": result.computed_prompt_tokens, **unmatched}
    vectors = np.ascontiguousarray(result.vectors, dtype="<f4")
    encoded = base64.b64encode(vectors.tobytes()).decode()
    return {"shape": list(vectors.shape), "float32_b64": encoded}


def result_from_json(kind: str, data: Mapping[str, Any]) -> ModelResult:
    """Inverse of `result_to_json` for a request of `kind`; embeddings may also be nested lists.
    `computed_prompt_tokens` may be absent (answers written by hand): 0."""
    computed = int(data.get("computed_prompt_tokens", 0))
    if kind == "generate":
        return GenerateResult(text=str(data["text"]), prompt_tokens=int(data["prompt_tokens"]),
                              completion_tokens=int(data["completion_tokens"]),
                              computed_prompt_tokens=computed)
    if kind == "choose":
        return ChooseResult(index=int(data["index"]), prompt_tokens=int(data["prompt_tokens"]),
                            logprobs=tuple(float(v) for v in data["logprobs"]),
                            matched=bool(data.get("matched", True)),
                            computed_prompt_tokens=computed)
    if kind == "rate":
        return RateResult(value=int(data["value"]), prompt_tokens=int(data["prompt_tokens"]),
                          logprobs=tuple(float(v) for v in data["logprobs"]),
                          matched=bool(data.get("matched", True)),
                          computed_prompt_tokens=computed)
    if kind == "embed":
        if "float32_b64" in data:
            raw = base64.b64decode(data["float32_b64"])
            vectors = np.frombuffer(raw, dtype="<f4").reshape([int(n) for n in data["shape"]])
            return EmbedResult(vectors.astype(np.float32))
        return EmbedResult(np.asarray(data["vectors"], dtype=np.float32))
    raise ValueError(f"unknown request kind {kind!r}")


def _tokens(result: ModelResult) -> tuple[int, int, int]:
    """Prompt, computed prompt and completion tokens of a result."""
    if isinstance(result, GenerateResult):
        return result.prompt_tokens, result.computed_prompt_tokens, result.completion_tokens
    if isinstance(result, ChooseResult | RateResult):
        return result.prompt_tokens, result.computed_prompt_tokens, 0
    return 0, 0, 0


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One answered request, waiting to be written as a `ModelCall` row."""

    request: ModelRequest
    result: ModelResult
    batch_id: int
    latency_s: float
    cached: bool = False
    """Answered without the model: from the cache, or as a repeat within its batch."""

    def to_row(self, tick: int, backend: str) -> ModelCall:
        prompt_tokens, computed, completion_tokens = _tokens(self.result)
        return ModelCall(
            tick=tick, tag=self.request.tag, batch_id=self.batch_id, kind=self.request.kind,
            request=dumps(self.request.to_json()), fingerprint=self.request.fingerprint(),
            answer=dumps(result_to_json(self.result)), prompt_tokens=prompt_tokens,
            computed_prompt_tokens=computed, completion_tokens=completion_tokens,
            latency_s=self.latency_s, backend=backend, cached=self.cached,
        )


@dataclass(slots=True)
class ModelStats:
    """What a run reports about its model use.

    `requests` counts every request asked; the other figures count only what reached the
    model (cache hits and repeats within a batch excluded), with `batch_sizes` the number of
    distinct requests each batch sent to it.
    """

    requests: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    batch_sizes: dict[str, list[int]] = field(default_factory=dict)
    prompt_tokens: int = 0
    computed_prompt_tokens: int = 0
    completion_tokens: int = 0
    model_seconds: float = 0.0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def mean_batch_size(self, kind: str | None = None) -> float:
        sizes = (self.batch_sizes.get(kind, []) if kind is not None
                 else [n for sizes in self.batch_sizes.values() for n in sizes])
        return sum(sizes) / len(sizes) if sizes else 0.0


class RecordingModel(LanguageModel):
    """Answers through `inner` and keeps every request until `flush` writes it into the run.

    Every request asked is recorded, including those a cache in `inner` answers (`cached`
    tells which, as `cached(request)` said before the batch), so the log of a run is the
    same whether or not the cache was warm: a resumed run logs what an uninterrupted one
    does. Latency is the batch's wall time shared evenly by the requests that reached the
    model (cached ones get 0), so the latencies of a run sum to the time spent in the model.
    """

    def __init__(self, inner: LanguageModel,
                 clock: Callable[[], float] = time.perf_counter, *,
                 cached: Callable[[ModelRequest], bool] | None = None) -> None:
        self.inner = inner
        self.info = inner.info
        self.stats = ModelStats()
        self.pending: list[CallRecord] = []
        self._clock = clock
        self._cached = cached
        self._next_batch_id = 1

    def generate(self, requests: Sequence[Generate]) -> list[GenerateResult]:
        return self._record("generate", self.inner.generate, requests)

    def choose(self, requests: Sequence[Choose]) -> list[ChooseResult]:
        return self._record("choose", self.inner.choose, requests)

    def rate(self, requests: Sequence[Rate]) -> list[RateResult]:
        return self._record("rate", self.inner.rate, requests)

    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        return self._record("embed", self.inner.embed, requests)

    def flush(self, session: Session, tick: int) -> int:
        """Add the pending calls to `session` (the caller commits) as `tick`'s; returns how many."""
        backend = self.inner.info.backend
        session.add_all([record.to_row(tick, backend) for record in self.pending])
        written = len(self.pending)
        self.pending.clear()
        return written

    def close(self) -> None:
        self.inner.close()

    def start_batch_ids_at(self, batch_id: int) -> None:
        """Continue numbering after a resumed run's last logged batch."""
        self._next_batch_id = batch_id

    def _record(self, kind: str, method: Callable[[Sequence[Req]], list[Res]],
                requests: Sequence[Req]) -> list[Res]:
        if not requests:
            return []
        cached = self._answered_without_model(requests)
        started = self._clock()
        results = method(requests)
        elapsed = self._clock() - started
        batch_id = self._next_batch_id
        self._next_batch_id += 1
        computed = cached.count(False)
        share = elapsed / computed if computed else 0.0
        stats = self.stats
        stats.requests += len(requests)
        stats.model_seconds += elapsed
        if computed:
            stats.calls[kind] += computed
            stats.batch_sizes.setdefault(kind, []).append(computed)
        for request, result, hit in zip(requests, results, cached, strict=True):
            if not hit:
                prompt_tokens, computed_tokens, completion_tokens = _tokens(result)
                stats.prompt_tokens += prompt_tokens
                stats.computed_prompt_tokens += computed_tokens
                stats.completion_tokens += completion_tokens
            self.pending.append(CallRecord(request, result, batch_id,
                                           0.0 if hit else share, hit))
        return results

    def _answered_without_model(self, requests: Sequence[ModelRequest]) -> list[bool]:
        """For each request: will the cache answer it, or does it repeat one in its batch."""
        seen: set[ModelRequest] = set()
        marks = []
        for request in requests:
            marks.append(request in seen or (self._cached is not None and self._cached(request)))
            seen.add(request)
        return marks
