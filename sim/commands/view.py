"""`python -m sim view RUN`: watch a run live while it is written, else replay it."""

from __future__ import annotations

import argparse

from replays.viewer.app import run_viewer
from sim.db import engine_of
from sim.runfile import opened_run


def main(args: argparse.Namespace) -> int:
    with opened_run(args.run) as (sessions, stored):
        run_viewer(engine_of(sessions), stored.town(), live=stored.live, scale=stored.clock)
    return 0
