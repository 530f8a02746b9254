"""`python -m sim fork RUN --at T NEW_RUN`: a new run equal to RUN as it stood at tick T.

The fork is made by replaying, not by copying rows: NEW_RUN is created with
RUN's stored scenario and seed and run to T, answered by RUN's logged model
calls (`ReplayModel`), with RUN's whispers and events delivered at the ticks
they were. Every table then holds what RUN held at T, and the fork is a run
like any other (`run --resume` continues it, with whatever model is given).
A request the recorded run never logged means the replay diverged: it stops
with an error rather than asking another model.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import select
from tqdm import tqdm

from sim.commands.arguments import target_tick
from sim.db import RunFileError
from sim.models.base import ModelInfo
from sim.models.replay import ReplayModel
from sim.run import RunSession
from sim.runfile import RunQueryError, StoredRun, opened_run
from sim.tables import InboxItem, RunStatus


def main(args: argparse.Namespace) -> int:
    new_run: str = args.new_run
    if "://" not in new_run and Path(new_run).exists():
        raise RunFileError(f"{new_run}: already exists; choose another name for the fork")
    fork(args.run, args.at, new_run, progress=True)
    with opened_run(new_run) as (_sessions, stored):
        print(f"forked {args.run} at {stored.reached()} into {new_run}")
    print(f"continue it with: python -m sim run --resume --db {new_run} --model ... "
          "--until T")
    return 0


def fork(source: str | Path, at: str, target: str | Path, *, progress: bool = False) -> int:
    """Replay `source` up to `at` (a tick or a game time) into the new run `target`; the tick."""
    with opened_run(source) as (sessions, stored):
        tick = _fork_tick(stored, at)
        with sessions() as session:
            model = ReplayModel.from_session(session, until_tick=tick)
            inbox = list(session.scalars(select(InboxItem).order_by(InboxItem.id)))
    model.info = ModelInfo(**stored.model_info)  # the fork records the model that answered
    fork_run = RunSession.create(target, stored.scenario, stored.seed, model)
    try:
        with tqdm(total=tick + 1, unit="tick", file=sys.stderr, desc="replaying",
                  disable=None if progress else True) as bar:
            def replayed(t: int) -> None:
                bar.update(t + 1 - bar.n)

            _replay(fork_run, inbox, tick, replayed)
    except BaseException:
        fork_run.close()
        _remove_sqlite(target)
        raise
    fork_run.set_status(RunStatus.FINISHED)  # no process is advancing it
    fork_run.close()
    return tick


def _fork_tick(stored: StoredRun, at: str) -> int:
    tick = target_tick(stored.clock, at, "--at")
    if stored.last_tick is None or tick > stored.last_tick:
        raise RunQueryError(f"{stored.location}: cannot fork at {stored.clock.format(tick)} "
                            f"(tick {tick}): the run has reached {stored.reached()}")
    return tick


def _replay(fork_run: RunSession, inbox: Sequence[InboxItem], tick: int,
            on_tick: Callable[[int], None]) -> None:
    """Run to `tick`, sending each inbox item just before the tick that delivered it.

    Items still pending at `tick` (sent before it, delivered later or never) are left
    pending in the fork, as they were in the run.
    """
    deliveries = sorted({i.processed_tick for i in inbox
                         if i.processed_tick is not None and i.processed_tick <= tick})
    for delivery in deliveries:
        if delivery > fork_run.next_tick:
            fork_run.run_until(delivery - 1, on_tick)
        _send(fork_run, [i for i in inbox if i.processed_tick == delivery])
    fork_run.run_until(tick, on_tick)
    _send(fork_run, [i for i in inbox if (i.processed_tick is None or i.processed_tick > tick)
                     and (i.created_tick is None or i.created_tick <= tick)])


def _send(fork_run: RunSession, items: Sequence[InboxItem]) -> None:
    """Queue copies of `items`, pending, as sent at the tick they were.

    Items are copied in id order and are a prefix of the run's inbox (later items were
    sent later), so they get the same ids without setting them, which would leave a
    PostgreSQL id sequence behind.
    """
    with fork_run.sessions() as session, session.begin():
        session.add_all([InboxItem(kind=i.kind, agent=i.agent, place=i.place, text=i.text,
                                   created_tick=i.created_tick) for i in items])


def _remove_sqlite(target: str | Path) -> None:
    """Remove a half-made fork file, so the failed fork leaves nothing behind."""
    if "://" in str(target):
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
