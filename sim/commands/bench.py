"""`python -m sim bench model|run`: figures and ratios measured in one process."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(args: argparse.Namespace) -> int:
    json_path = Path(args.json) if args.json else None
    if args.target == "model":
        from sim.bench.model_bench import run_model_bench

        run_model_bench(quick=args.quick, json_path=json_path)
        return 0
    print("python -m sim bench run: not built yet: the run benchmark (issue 5)", file=sys.stderr)
    return 3
