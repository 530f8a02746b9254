"""`python -m sim export RUN --out FILE.gif|FILE.mp4|DIR`: render a run headless."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim.db import engine_of
from sim.runfile import opened_run


def main(args: argparse.Namespace) -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from replays.export import export_run

    with opened_run(args.run) as (sessions, stored):
        clock = stored.clock
        first = clock.parse_target(args.from_) if args.from_ else None
        last = clock.parse_target(args.to) if args.to else None
        frames = export_run(engine_of(sessions), stored.town(), Path(args.out), first, last,
                            progress=True, scale=clock)
    print(f"wrote {frames} frames to {args.out}", file=sys.stderr)
    return 0
