"""Answering from a run's logged model calls instead of a model.

Each logged answer is keyed by its request's fingerprint, in log order; a request asked
several times gets its answers in the order they were logged. A request that was never
logged (or asked more often than logged) is a divergence from the recorded run, and is
reported at once rather than answered by something else.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

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
from sim.models.base import LanguageModel, ModelError, ModelInfo
from sim.models.recording import result_from_json
from sim.tables import ModelCall

Res = TypeVar("Res", GenerateResult, ChooseResult, RateResult, EmbedResult)


class ReplayModel(LanguageModel):
    """A model whose answers are the logged answers of a recorded run."""

    def __init__(self, calls: Iterable[ModelCall], name: str = "replay") -> None:
        self.info = ModelInfo(name=name, backend="replay")
        self._answers: dict[str, deque[tuple[str, str]]] = {}
        self._logged: dict[str, int] = {}
        for call in calls:
            self._answers.setdefault(call.fingerprint, deque()).append((call.kind, call.answer))
            self._logged[call.fingerprint] = self._logged.get(call.fingerprint, 0) + 1

    @classmethod
    def from_session(cls, session: Session, until_tick: int | None = None) -> ReplayModel:
        """The calls logged in the run `session` reads, optionally only up to `until_tick`."""
        query = select(ModelCall).order_by(ModelCall.id)
        if until_tick is not None:
            query = query.where(ModelCall.tick <= until_tick)
        return cls(session.scalars(query))

    @property
    def remaining(self) -> int:
        """Logged answers not yet used."""
        return sum(len(answers) for answers in self._answers.values())

    def generate(self, requests: Sequence[Generate]) -> list[GenerateResult]:
        return [self._answer(r, GenerateResult) for r in requests]

    def choose(self, requests: Sequence[Choose]) -> list[ChooseResult]:
        return [self._answer(r, ChooseResult) for r in requests]

    def rate(self, requests: Sequence[Rate]) -> list[RateResult]:
        return [self._answer(r, RateResult) for r in requests]

    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        return [self._answer(r, EmbedResult) for r in requests]

    def _answer(self, request: ModelRequest, expected: type[Res]) -> Res:
        fingerprint = request.fingerprint()
        answers = self._answers.get(fingerprint)
        if not answers:
            logged = self._logged.get(fingerprint, 0)
            why = (f"it was logged {logged} time(s) and all were used" if logged
                   else "the run never logged it")
            raise ModelError(f"replay has no answer for {request.kind} request "
                             f"tag={request.tag!r} fingerprint={fingerprint[:16]}: {why}; "
                             "the replayed run diverged from the recorded one")
        kind, answer = answers.popleft()
        result = result_from_json(kind, json.loads(answer))
        if kind != request.kind or not isinstance(result, expected):
            raise ModelError(f"replay log answers fingerprint {fingerprint[:16]} with a {kind} "
                             f"result, but the request is a {request.kind}")
        return result
