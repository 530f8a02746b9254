"""`python -m sim interview RUN AGENT "question"`: an answer in character; the run is unchanged."""

from __future__ import annotations

import argparse
import textwrap

from sim.interview import answer_questions, parse_kinds, recorded_model
from sim.models.factory import load_model
from sim.runfile import opened_run

WIDTH = 88


def main(args: argparse.Namespace) -> int:
    kinds = parse_kinds(args.only) if args.only is not None else None
    with opened_run(args.run) as (_sessions, stored):
        name = stored.resident(args.agent)
        spec, endpoint, endpoint_model = recorded_model(stored)
        when = stored.reached()
    if args.model is not None or args.endpoint is not None:
        spec, endpoint, endpoint_model = (args.model or spec, args.endpoint,
                                          args.endpoint_model)
    model = load_model(spec, endpoint, endpoint_model)
    try:
        (answer,) = answer_questions(args.run, [(name, args.question)], model, kinds)
    finally:
        model.close()
    only = f"; only {', '.join(kinds)} memories" if kinds else ""
    print(f"{name}, at {when}{only}:")
    print(f"  Q: {args.question}")
    print(textwrap.fill(answer, width=WIDTH, initial_indent="  A: ", subsequent_indent="     "))
    return 0
