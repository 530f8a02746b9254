"""`python -m sim view RUN`: watch a run live while it is written, else replay it."""

from __future__ import annotations

import argparse

from replays.viewer.app import run_viewer
from sim.runfile import open_run_file


def main(args: argparse.Namespace) -> int:
    run = open_run_file(args.run)
    try:
        run_viewer(run.engine, run.town, live=run.live, scale=run.scenario.clock)
    finally:
        run.engine.dispose()
    return 0
