"""`python -m sim bench model|run`: figures and ratios measured in one process."""

from __future__ import annotations

import argparse
from pathlib import Path


def main(args: argparse.Namespace) -> int:
    json_path = Path(args.json) if args.json else None
    if args.target == "model":
        from sim.bench.model_bench import run_model_bench

        run_model_bench(quick=args.quick, json_path=json_path, model_name=args.model)
    else:
        from sim.bench.run_bench import run_run_bench

        run_run_bench(quick=args.quick, json_path=json_path, model=args.model)
    return 0
