"""`python -m sim bench model|run|fidelity`: figures and ratios measured in one process."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.models.base import ModelError


def main(args: argparse.Namespace) -> int:
    json_path = Path(args.json) if args.json else None
    specs: list[str] = args.model or ["default"]
    if args.target == "fidelity":
        return _fidelity(args, specs, json_path)
    if args.endpoint is not None:
        raise ModelError(f"bench {args.target} measures the in-process transformers backend; "
                         "--endpoint works with bench fidelity only")
    if args.scenario is not None or len(specs) > 1 or args.judge is not None:
        raise ModelError(f"bench {args.target} takes one --model, no --scenario and no --judge")
    if args.target == "model":
        from sim.bench.model_bench import run_model_bench

        run_model_bench(quick=args.quick, json_path=json_path, spec=specs[0])
    else:
        from sim.bench.run_bench import run_run_bench

        run_run_bench(quick=args.quick, json_path=json_path, spec=specs[0])
    return 0


def _fidelity(args: argparse.Namespace, specs: list[str], json_path: Path | None) -> int:
    if args.scenario is not None:
        from sim.bench.fidelity.party import run_party_check

        if len(specs) > 1 or (args.endpoint is not None and args.model) or args.judge:
            raise ModelError("bench fidelity --scenario runs one model: one --model or "
                             "--endpoint, and no --judge")
        if args.seeds < 1:
            raise ModelError(f"--seeds must be at least 1, got {args.seeds}")
        run_party_check(args.scenario, specs[0], args.endpoint, args.endpoint_model,
                        seeds=args.seeds, json_path=json_path)
        return 0
    from sim.bench.fidelity.bench import run_fidelity_bench
    from sim.bench.fidelity.cases import KINDS

    repeated = next((spec for i, spec in enumerate(specs) if spec in specs[:i]), None)
    if repeated is not None:
        raise ModelError(f"bench fidelity: --model {repeated} is given twice")

    kinds = tuple(k.strip() for k in args.kinds.split(",")) if args.kinds else KINDS
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise ModelError(f"--kinds: unknown kind {(unknown or [''])[0]!r} "
                         f"(kinds: {', '.join(KINDS)})")
    if args.judge is not None:
        _check_judging(args, specs, kinds)
    run_fidelity_bench(specs, args.endpoint, args.endpoint_model, quick=args.quick,
                       json_path=json_path, kinds=kinds, judge=args.judge)
    return 0


def _check_judging(args: argparse.Namespace, specs: list[str], kinds: tuple[str, ...]) -> None:
    """Before any model loads: a judge compares two or more models' interview answers."""
    from sim.experiments.judge import require_trueskill

    if args.endpoint is not None or len(specs) < 2:
        raise ModelError("bench fidelity --judge compares two or more models' interview "
                         "answers: repeat --model (e.g. --model default --model quality)")
    if "interview" not in kinds:
        raise ModelError("bench fidelity --judge ranks interview answers: --kinds must "
                         "include interview")
    require_trueskill()
