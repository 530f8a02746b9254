"""Whether a process is advancing a run: a heartbeat in the run row, and why a run failed.

The `status` column alone cannot say it: a run killed with -9 cannot mark itself. While a
run is advanced (`RunSession.advancing`), a `Heartbeat` thread stamps `run.heartbeat_at`
with the database's own clock every `HEARTBEAT_EVERY_S`; readers compare it with the same
clock (`run_is_live`), so two machines' clocks never meet. The thread beats even while a
tick waits minutes for the model, so a slow tick never looks dead.
"""

from __future__ import annotations

import threading
from datetime import datetime
from types import TracebackType

from sqlalchemy import func, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from sim.tables import Run, RunStatus

HEARTBEAT_EVERY_S = 2.0
"""Seconds between two beats of a running run."""
STALE_AFTER_S = 20.0
"""A running run whose last beat is older than this (seconds) is taken as dead: ten beats
missed, well beyond a beat delayed by a busy database (`sim.db.BUSY_TIMEOUT_MS`, 5 s)."""
FAILURE_CHARS = 500
"""The longest failure reason stored (characters); error messages are one line anyway."""


class Heartbeat:
    """A daemon thread stamping the run's heartbeat, from entering the block until leaving it."""

    def __init__(self, sessions: sessionmaker[Session],
                 every_s: float = HEARTBEAT_EVERY_S) -> None:
        self._sessions = sessions
        self._every_s = every_s
        self.beats = 0
        """How many beats were written so far."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="run-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.beat()
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def beat(self) -> None:
        """Stamp the run row with the database's current time, in its own transaction."""
        with self._sessions() as session, session.begin():
            session.execute(update(Run).values(heartbeat_at=func.current_timestamp()))
        self.beats += 1

    def _loop(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                self.beat()
            except OperationalError:
                continue  # the database stayed busy past its timeout: the next beat will do


def run_is_live(status: str, heartbeat_at: datetime | None, now: datetime) -> bool:
    """Whether a run with this status and last beat is being advanced at `now` (DB clock)."""
    if status != RunStatus.RUNNING.value or heartbeat_at is None:
        return False
    return (now - heartbeat_at).total_seconds() < STALE_AFTER_S


def describe_failure(error: BaseException) -> str:
    """An error as the one line `inspect` shows for a failed run: its type and first line."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return text[:FAILURE_CHARS]
