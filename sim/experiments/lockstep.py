"""Several runs in one process on one model, their requests gathered into shared batches.

Each run steps in its own thread through an unchanged `RunSession`; the model
it is given is a `Participant` of one `LockstepBatcher`. A participant that
asks the model waits until every run still going is waiting too, then the
last to arrive sends all their requests to the shared model as one batch
(`LanguageModel.answer`: one call per request kind) and hands each run its
answers. So the runs advance in lock-step, a round of model calls at a time,
and a batch holds every run's requests of that round, not one run's.

A round's requests are ordered by participant (the order they joined), so a
round does not depend on thread timing. With a deterministic model a run's
results are the same as when it runs alone; a real model's numerics may
differ in the last bits with the batch's padding, as with any batching.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
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
from agents.steps import R, expect
from sim.models.base import LanguageModel, ModelError

T = TypeVar("T")


class LockstepAborted(ModelError):
    """Another run of the lock-step failed or was interrupted; this one stops at its next call."""


@dataclass(slots=True)
class LockstepStats:
    """The shared batches: requests and runs in each round."""

    requests_per_round: list[int] = field(default_factory=list)
    runs_per_round: list[int] = field(default_factory=list)

    @property
    def rounds(self) -> int:
        return len(self.requests_per_round)

    @property
    def mean_requests(self) -> float:
        rounds = self.requests_per_round
        return sum(rounds) / len(rounds) if rounds else 0.0

    @property
    def mean_runs(self) -> float:
        runs = self.runs_per_round
        return sum(runs) / len(runs) if runs else 0.0

    def to_json(self) -> dict[str, float | int]:
        return {"rounds": self.rounds, "mean_requests_per_round": self.mean_requests,
                "max_requests_per_round": max(self.requests_per_round, default=0),
                "mean_runs_per_round": self.mean_runs}


class LockstepBatcher:
    """The coordinator: one shared model, any number of participants (one per run thread)."""

    def __init__(self, model: LanguageModel) -> None:
        self.model = model
        self.stats = LockstepStats()
        self._cond = threading.Condition()
        self._members: set[int] = set()
        self._next_id = 0
        self._waiting: dict[int, list[ModelRequest]] = {}
        self._ready: dict[int, list[ModelResult] | Exception] = {}
        self._aborted = False

    def join(self) -> Participant:
        """A new participant; join them all before any starts, or the first runs alone."""
        with self._cond:
            member = self._next_id
            self._next_id += 1
            self._members.add(member)
        return Participant(self, member)

    def submit(self, member: int, requests: Sequence[ModelRequest]) -> list[ModelResult]:
        """Wait for the round to fill, then return this member's answers (in request order)."""
        if not requests:
            return []
        with self._cond:
            if member not in self._members:
                raise RuntimeError(f"participant {member} has left the lock-step batcher")
            if self._aborted:
                raise LockstepAborted("stopped: another run failed or was interrupted")
            self._waiting[member] = list(requests)
            self._flush_if_full()
            while member not in self._ready:
                self._cond.wait()
            outcome = self._ready.pop(member)
        if isinstance(outcome, LockstepAborted):
            raise LockstepAborted(str(outcome))
        if isinstance(outcome, Exception):
            raise ModelError(f"the shared model failed: {outcome}") from outcome
        return outcome

    def abort(self) -> None:
        """Make every waiting and future request of every run raise `LockstepAborted`."""
        with self._cond:
            self._aborted = True
            for member in self._waiting:
                self._ready[member] = LockstepAborted(
                    "stopped: another run failed or was interrupted")
            self._waiting.clear()
            self._cond.notify_all()

    def leave(self, member: int) -> None:
        """A finished (or failed) run stops holding the others back."""
        with self._cond:
            self._members.discard(member)
            self._flush_if_full()

    def _flush_if_full(self) -> None:
        """With the lock held: answer the round once every member is waiting."""
        if not self._waiting or len(self._waiting) < len(self._members):
            return
        order = sorted(self._waiting)
        batch = [request for member in order for request in self._waiting[member]]
        self.stats.requests_per_round.append(len(batch))
        self.stats.runs_per_round.append(len(order))
        try:
            answers = self.model.answer(batch)
        except Exception as exc:  # noqa: BLE001 - handed to every waiting run, which raises it
            for member in order:
                self._ready[member] = exc
        else:
            offset = 0
            for member in order:
                n = len(self._waiting[member])
                self._ready[member] = answers[offset:offset + n]
                offset += n
        self._waiting.clear()
        self._cond.notify_all()


class Participant(LanguageModel):
    """One run's view of the shared model; `leave` when the run ends (`close` does too)."""

    def __init__(self, batcher: LockstepBatcher, member: int) -> None:
        self.batcher = batcher
        self.member = member
        self.info = batcher.model.info
        self._left = False

    def answer(self, requests: Sequence[ModelRequest]) -> list[ModelResult]:
        return self.batcher.submit(self.member, requests)

    def generate(self, requests: Sequence[Generate]) -> list[GenerateResult]:
        return self._typed(requests, GenerateResult)

    def choose(self, requests: Sequence[Choose]) -> list[ChooseResult]:
        return self._typed(requests, ChooseResult)

    def rate(self, requests: Sequence[Rate]) -> list[RateResult]:
        return self._typed(requests, RateResult)

    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        return self._typed(requests, EmbedResult)

    def leave(self) -> None:
        if not self._left:
            self._left = True
            self.batcher.leave(self.member)

    def close(self) -> None:
        """Leaves the round; the shared model stays open for the others."""
        self.leave()

    def _typed(self, requests: Sequence[ModelRequest], kind: type[R]) -> list[R]:
        return [expect(answer, kind) for answer in self.answer(requests)]


def run_in_lockstep(tasks: Sequence[Callable[[LanguageModel], T]],
                    model: LanguageModel) -> tuple[list[T], LockstepStats]:
    """Run each task (a whole run, given its model) in its own thread on one shared model.

    Returns the tasks' results in order. When a task fails (or the wait is
    interrupted) the others stop at their next model call, each run file left at
    its last committed tick; the first error is raised once all have ended.
    """
    batcher = LockstepBatcher(model)
    participants = [batcher.join() for _ in tasks]  # all join before any starts

    def run(index: int) -> T:
        try:
            return tasks[index](participants[index])
        finally:
            participants[index].leave()

    if not tasks:
        return [], batcher.stats
    with ThreadPoolExecutor(max_workers=len(tasks), thread_name_prefix="run") as pool:
        futures = [pool.submit(run, i) for i in range(len(tasks))]
        try:
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            if any(future.exception() is not None for future in done):
                batcher.abort()
            results = [future.result() for future in futures]
        except BaseException:
            batcher.abort()
            raise
    return results, batcher.stats
