"""`python -m sim event RUN "what happens" --at PLACE`: something residents nearby will notice.

The place is checked against the run's map; the event goes into the run's
inbox like a whisper (see `sim.commands.whisper`) and stays visible at the
place for half an hour of game time once delivered.
"""

from __future__ import annotations

import argparse

from sim.commands.whisper import delivery, queue
from sim.config import open_town
from sim.runfile import opened_run
from sim.tables import InboxKind


def main(args: argparse.Namespace) -> int:
    with opened_run(args.run, write=True) as (sessions, stored):
        town = open_town(stored.scenario)
        address = town.require(args.at, "event --at")
        item = queue(sessions, stored, InboxKind.EVENT, args.what, place=str(address))
    print(f'queued event #{item.id} at {address}: "{item.text}"')
    print(delivery(stored))
    return 0
