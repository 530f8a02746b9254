"""`python -m sim export RUN --out FILE.gif|FILE.mp4|DIR`: render a run headless."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim.runfile import open_run_file


def main(args: argparse.Namespace) -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from replays.export import export_run

    run = open_run_file(args.run)
    clock = run.scenario.clock
    try:
        first = clock.parse_target(args.from_) if args.from_ else None
        last = clock.parse_target(args.to) if args.to else None
        frames = export_run(run.engine, run.town, Path(args.out), first, last, progress=True,
                            scale=clock)
    finally:
        run.engine.dispose()
    print(f"wrote {frames} frames to {args.out}", file=sys.stderr)
    return 0
