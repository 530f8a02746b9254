"""`python -m sim whisper RUN AGENT "thought"`: plant a thought, delivered at the run's next tick.

The whisper goes into the run's inbox in one short transaction; the scheduler
reads the inbox at the start of every tick, so a live run picks it up at once
and a stopped one when it is resumed. `event` queues its items the same way.
"""

from __future__ import annotations

import argparse

from sqlalchemy.orm import Session, sessionmaker

from sim.runfile import RunQueryError, StoredRun, opened_run
from sim.tables import InboxItem, InboxKind, RunStatus


def main(args: argparse.Namespace) -> int:
    with opened_run(args.run, write=True) as (sessions, stored):
        name = stored.resident(args.agent)
        item = queue(sessions, stored, InboxKind.WHISPER, args.thought, agent=name)
    print(f'queued whisper #{item.id} to {name}: "{item.text}"')
    print(delivery(stored))
    return 0


def queue(sessions: sessionmaker[Session], stored: StoredRun, kind: InboxKind, text: str,
          *, agent: str | None = None, place: str | None = None) -> InboxItem:
    """Add one inbox item in its own transaction; RunQueryError for empty text."""
    text = " ".join(text.split())
    if not text:
        raise RunQueryError(f"{stored.location}: nothing to send: the {kind.value} text is empty")
    item = InboxItem(kind=kind, agent=agent, place=place, text=text,
                     created_tick=stored.last_tick)
    with sessions() as session, session.begin():
        session.add(item)
    return item


def delivery(stored: StoredRun) -> str:
    """When a queued item takes effect, in words."""
    after = (f"after {stored.clock.format(stored.last_tick)}" if stored.last_tick is not None
             else "(its first)")
    resume = f"python -m sim run --resume --db {stored.location}"
    if stored.status == RunStatus.FINISHED:
        return f"it arrives at the run's next tick {after},\nwhen the run is resumed ({resume})"
    return (f"it arrives at the run's next tick {after}: at once if the run is going,\n"
            f"else when it is resumed ({resume})")
