"""`python -m sim run`: a scenario headless, with a progress bar and a summary at the end."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from tqdm import tqdm

from sim.clock import Clock
from sim.commands.arguments import target_tick
from sim.config import load_scenario
from sim.db import check_new_run_location
from sim.interview import recorded_model
from sim.models.factory import load_model
from sim.report import RunSummary, summarise
from sim.run import RunSession
from sim.runfile import opened_run

DEFAULT_SPAN_HOURS = 1


def main(args: argparse.Namespace) -> int:
    db = args.db or _default_db(args)
    if args.resume:
        spec, endpoint, endpoint_model = args.model, args.endpoint, args.endpoint_model
        with opened_run(db) as (_, stored):  # validated before the model is loaded
            until = _target(args, stored.clock)
            if spec is None and endpoint is None:
                spec, endpoint, endpoint_model = recorded_model(stored)
        model = load_model(spec or "default", endpoint, endpoint_model, cache=False)
        session = RunSession.open(db, model)
    else:
        scenario = load_scenario(args.scenario)
        until = _target(args, scenario.clock)
        check_new_run_location(db)
        model = load_model(args.model or scenario.model.spec, args.endpoint,
                           args.endpoint_model, cache=False)
        session = RunSession.create(db, scenario, args.seed, model)
    clock = session.clock
    target = (until if until is not None
              else session.next_tick + clock.ticks_per_hour * DEFAULT_SPAN_HOURS)
    viewer = _open_viewer(db) if args.view else None
    start = session.next_tick
    with tqdm(total=max(0, target - start + 1), unit="tick", file=sys.stderr,
              dynamic_ncols=True, disable=None) as bar:
        def on_tick(tick: int) -> None:
            stats = session.recorder.stats
            bar.set_description(clock.format(tick), refresh=False)
            bar.set_postfix(calls=stats.total_calls,
                            batch=f"{stats.mean_batch_size():.1f}", refresh=False)
            bar.update(tick - start + 1 - bar.n)

        try:
            with session.advancing():
                session.run_until(target, on_tick)
        finally:
            summary: RunSummary = summarise(session, start)
            session.close()
    print(summary.render(), file=sys.stdout)
    print(f"run database: {db}", file=sys.stdout)
    if viewer is not None:
        viewer.wait()
    return 0


def _target(args: argparse.Namespace, clock: Clock) -> int | None:
    """The tick `--ticks` or `--until` names (checked before any file is touched), or None."""
    if args.ticks is not None:
        return int(args.ticks)
    if args.until is not None:
        return target_tick(clock, args.until, "--until")
    return None


def _open_viewer(db: str) -> subprocess.Popen[bytes]:
    """The viewer in its own process: the window's loop never waits on the model."""
    return subprocess.Popen([sys.executable, "-m", "sim", "view", db])


def _default_db(args: argparse.Namespace) -> str:
    name = Path(str(args.scenario)).stem
    return f"{name}-seed{args.seed}.sqlite"
