"""`python -m sim export RUN --out FILE.gif|FILE.mp4|DIR`: render a run headless."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim.commands.arguments import target_tick
from sim.db import engine_of
from sim.runfile import opened_run


def main(args: argparse.Namespace) -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from replays.export import export_run

    with opened_run(args.run) as (sessions, stored):
        clock = stored.clock
        first = target_tick(clock, args.from_, "--from") if args.from_ else None
        last = target_tick(clock, args.to, "--to") if args.to else None
        frames = export_run(engine_of(sessions), stored.town(), Path(args.out), first, last,
                            progress=True, scale=clock)
    print(f"wrote {frames} frames to {args.out}", file=sys.stderr)
    return 0
