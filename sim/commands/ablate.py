"""`python -m sim ablate`: a scenario under several conditions and seeds, measured and tabled."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.commands.arguments import target_tick
from sim.config import load_scenario
from sim.experiments.conditions import ExperimentError, parse_conditions
from sim.experiments.experiment import ExperimentConfig, run_experiment
from sim.experiments.judge import require_trueskill
from sim.experiments.runs import ModelSpec

EXIT_BAD_INPUT = 2
DEFAULT_SPAN_DAYS = 2
"""Without --until or --ticks, two game days: the span of the paper's emergent-behaviour run."""


def main(args: argparse.Namespace) -> int:
    try:
        config = _config(args)
        result = run_experiment(config)
    except ExperimentError as error:
        if args.debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(result.table)
    print(f"results: {config.out / 'results.md'}, {config.out / 'results.csv'}, "
          f"{config.out / 'plots'}")
    return 0


def _config(args: argparse.Namespace) -> ExperimentConfig:
    conditions = parse_conditions(args.conditions)
    scenario = load_scenario(args.scenario)
    clock = scenario.clock
    if args.ticks is not None:
        target = int(args.ticks)
    elif args.until is not None:
        target = target_tick(clock, args.until, "--until")
    else:
        target = DEFAULT_SPAN_DAYS * clock.ticks_per_day
    model = ModelSpec(args.model or scenario.model.spec, args.endpoint, args.endpoint_model)
    judge = ModelSpec(args.judge) if args.judge else None
    if judge is not None:
        require_trueskill()  # before hours of simulation, not after
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ExperimentError(f"--out {out}: exists and is not a folder")
    return ExperimentConfig(scenario=scenario, conditions=conditions, seeds=args.seeds,
                            target=target, out=out, model=model,
                            at_interview=args.at_interview, judge=judge, ray=args.ray)
