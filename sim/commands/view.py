"""`python -m sim view RUN`: watch a run live while it is written, else replay it."""

from __future__ import annotations

import argparse

from replays.viewer.app import run_viewer
from sim.runfile import opened_run


def main(args: argparse.Namespace) -> int:
    with opened_run(args.run) as (sessions, stored):
        run_viewer(sessions.kw["bind"], stored.town(), live=stored.live, scale=stored.clock)
    return 0
