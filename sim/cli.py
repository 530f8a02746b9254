"""`python -m sim`: the one command line of the project.

Subcommand names and flags are a contract with users (the README's "Using it"
documents them). Handlers are imported lazily so `--help` answers without loading
torch. Bad input ends in one line on stderr and a non-zero exit; `--debug`
shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import os
import select
import stat
import sys
from collections.abc import Callable, Sequence

from sim.commands import arguments

EXIT_BAD_INPUT = 2
EXIT_BROKEN_PIPE = 128 + 13
"""What a shell reports for a writer killed by SIGPIPE (signal 13)."""

# subcommand -> "module:function" taking the parsed arguments and returning an exit code.
HANDLERS: dict[str, str] = {
    "run": "sim.commands.run:main",
    "view": "sim.commands.view:main",
    "export": "sim.commands.export:main",
    "bench": "sim.commands.bench:main",
    "interview": "sim.commands.interview:main",
    "whisper": "sim.commands.whisper:main",
    "event": "sim.commands.event:main",
    "inspect": "sim.commands.inspect:main",
    "fork": "sim.commands.fork:main",
    "ablate": "sim.commands.ablate:main",
}

TIME_HELP = 'a tick number or a game time "YYYY-MM-DD HH:MM"'
MODEL_HELP = ("default (the embedded model), quality (the larger embedded one), routed "
              "(quality for day plans, reflections, utterances and interviews, default for "
              "the rest), fake (deterministic test model), a model directory, or a hub id")


def _add_model_args(p: argparse.ArgumentParser, default: str | None = "default") -> None:
    where = (f"default: {default}" if default
             else "default: the scenario's, or the run's recorded one")
    p.add_argument("--model", default=default, metavar="SPEC", help=f"{MODEL_HELP} ({where})")
    p.add_argument("--endpoint", type=arguments.endpoint_url, metavar="URL",
                   help="an OpenAI-compatible server (vLLM, SGLang, transformers serve)")
    p.add_argument("--endpoint-model", metavar="NAME", help="the model name the endpoint serves")


def _add_span_args(p: argparse.ArgumentParser) -> None:
    span = p.add_mutually_exclusive_group()
    span.add_argument("--until", type=arguments.game_time, metavar="T",
                      help=f"run until T, {TIME_HELP}")
    span.add_argument("--ticks", type=arguments.tick_count, metavar="N",
                      help="run until tick N (absolute)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sim",
        description="A generative-agents town: run, watch, replay and ablate simulations.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("run", help="run a scenario headless (or with --view)")
    p.add_argument("scenario", nargs="?", default="smallville",
                   help="a scenario file or a shipped name: smallville (default), tiny")
    _add_span_args(p)
    p.add_argument("--db", type=arguments.new_run_location, metavar="RUN",
                   help="run database: a .sqlite path or a PostgreSQL URL")
    _add_model_args(p, default=None)
    p.add_argument("--seed", type=arguments.seed, default=0,
                   help=f"the run's seed, 0 to {arguments.MAX_SEED} (default: 0)")
    p.add_argument("--resume", action="store_true", help="continue the run in --db")
    p.add_argument("--view", action="store_true", help="watch the run in a window")

    p = sub.add_parser("view", help="watch a run: live while it is written, else replay")
    p.add_argument("run", metavar="RUN")

    p = sub.add_parser("export", help="render a run to GIF, MP4 or a folder of PNG frames")
    p.add_argument("run", metavar="RUN")
    p.add_argument("--out", required=True, type=arguments.output_location,
                   metavar="FILE.gif|FILE.mp4|DIR")
    p.add_argument("--from", dest="from_", type=arguments.game_time, metavar="T", help=TIME_HELP)
    p.add_argument("--to", type=arguments.game_time, metavar="T", help=TIME_HELP)

    p = sub.add_parser("interview", help="ask a resident a question; the run is not changed")
    p.add_argument("run", metavar="RUN")
    p.add_argument("agent", metavar="AGENT")
    p.add_argument("question", type=arguments.words)
    _add_model_args(p, default=None)
    p.add_argument("--only", metavar="KINDS",
                   help="comma-separated memory kinds the answer may use (interview-time ablation)")

    p = sub.add_parser("whisper", help="plant a thought in a resident's mind")
    p.add_argument("run", metavar="RUN")
    p.add_argument("agent", metavar="AGENT")
    p.add_argument("thought", type=arguments.words)

    p = sub.add_parser("event", help="make something happen at a place")
    p.add_argument("run", metavar="RUN")
    p.add_argument("what", type=arguments.words, help='e.g. "the stove is on fire"')
    p.add_argument("--at", required=True, metavar="PLACE",
                   help="e.g. town:Hobbs Cafe:kitchen:stove")

    p = sub.add_parser("inspect", help="summarise a run, or one resident of it")
    p.add_argument("run", metavar="RUN")
    p.add_argument("agent", nargs="?", metavar="AGENT")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("fork", help="copy a run up to a game time into a new run")
    p.add_argument("run", metavar="RUN")
    p.add_argument("--at", required=True, type=arguments.game_time, metavar="T", help=TIME_HELP)
    p.add_argument("new_run", type=arguments.new_run_location, metavar="NEW_RUN")

    p = sub.add_parser("ablate", help="ablation experiments over conditions and seeds")
    p.add_argument("scenario", nargs="?", default="smallville")
    p.add_argument("--conditions", default="full,no-reflection,no-reflection-no-planning")
    p.add_argument("--seeds", type=arguments.positive_count, default=1)
    _add_span_args(p)
    _add_model_args(p)
    p.add_argument("--at-interview", action="store_true",
                   help="ablate at interview time on one finished run, as the paper did")
    p.add_argument("--judge", metavar="MODEL", help="a judge model for pairwise TrueSkill ranking")
    p.add_argument("--out", required=True, type=arguments.output_location, metavar="DIR")
    p.add_argument("--ray", action="store_true", help="fan runs out over a Ray cluster")

    p = sub.add_parser("bench", help="measure the model layer, a whole run, or believability")
    p.add_argument("target", choices=["model", "run", "fidelity"])
    p.add_argument("--quick", action="store_true", help="a shorter measurement")
    p.add_argument("--json", type=arguments.output_file, metavar="FILE",
                   help="also write the figures as JSON")
    p.add_argument("--model", action="append", metavar="SPEC",
                   help=f"{MODEL_HELP}; repeat it to compare models side by side "
                        "(default: default)")
    p.add_argument("--endpoint", metavar="URL",
                   help="an OpenAI-compatible server (bench fidelity only)")
    p.add_argument("--endpoint-model", metavar="NAME", help="the model name the endpoint serves")
    p.add_argument("--kinds", metavar="KINDS",
                   help="bench fidelity: comma-separated prompt kinds to run (default: all of "
                        "plan,location,react,talk,importance,probe,interview)")
    p.add_argument("--scenario", metavar="NAME",
                   help="bench fidelity: run a shipped check scenario end to end (party)")
    p.add_argument("--seeds", type=int, default=3, metavar="N",
                   help="bench fidelity --scenario: how many seeded runs (default 3)")
    p.add_argument("--judge", metavar="MODEL",
                   help="bench fidelity: a judge model that ranks the models' interview "
                        "answers pairwise (TrueSkill); needs two or more --model")
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean bad input: reported in one line, never as a traceback."""
    errors: list[type[BaseException]] = [FileNotFoundError, IsADirectoryError, PermissionError]
    for module, name in [("sim.models.base", "ModelError"), ("sim.config", "ScenarioError"),
                         ("world.errors", "MapError"), ("sim.db", "RunFileError"),
                         ("replays.reader", "ReplayError"), ("replays.export", "ExportError"),
                         ("sim.commands.arguments", "ArgumentProblem"),
                         ("sim.experiments.conditions", "ExperimentError")]:
        try:
            errors.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(errors)


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    module, function = HANDLERS[command].split(":")
    handler: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module),
                                                           function)
    return handler


def _stdout_closed() -> bool:
    """Whether standard output is a pipe whose reader has gone (`| head` has exited)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        return False
    if not hasattr(select, "poll"):  # no poll (Windows): a pipe on stdout is the best sign
        return stat.S_ISFIFO(os.fstat(fd).st_mode)
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & select.POLLERR for _fd, events in poller.poll(0))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, or a malformed argument argparse has explained
        return done.code if isinstance(done.code, int) else EXIT_BAD_INPUT
    try:
        return _handler(args.command)(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        if not _stdout_closed():
            raise
        # The reader went away (`inspect RUN | head`): stop quietly, as a killed pipe writer.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as error:
        if args.debug or not isinstance(error, _user_errors()):
            raise
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
