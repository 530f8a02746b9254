"""Checking command-line values before any command reads or writes a file.

The argparse types here refuse a malformed value at parse time, so argparse prints
its usage and one line naming the argument (exit 2) and nothing has been opened yet.
What can only be checked against a scenario or a run (a game time before the start)
raises `ArgumentProblem`, which names the argument too. This module imports nothing
heavy: the parser is built before any command is loaded.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.clock import Clock, parse_time_spec

MAX_SEED = 2**63 - 1
"""Seeds are stored in a signed 64-bit column (`run.seed`)."""


class ArgumentProblem(ValueError):
    """A command-line value that is well formed but does not fit the run: "--until: problem"."""


def tick_count(text: str) -> int:
    """`--ticks N`: a tick number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a tick number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a tick number (0 or more), got {value}")
    return value


def positive_count(text: str) -> int:
    """A count of at least 1 (`--seeds N`)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def seed(text: str) -> int:
    """`--seed N`: a whole number from 0 to 2**63 - 1 (what the run file can hold)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to {MAX_SEED} "
                                         f"(2**63 - 1), got {value}")
    return value


def game_time(text: str) -> str:
    """T: a tick number or a game time "YYYY-MM-DD HH:MM"; kept as written for the run's clock."""
    try:
        parse_time_spec(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def words(value: str) -> str:
    """Words for a resident or the town (a whisper, an event, a question): not blank."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def endpoint_url(value: str) -> str:
    """`--endpoint URL`: an http:// or https:// address of an OpenAI-compatible server."""
    scheme, _, rest = value.partition("://")
    if scheme.lower() not in ("http", "https") or not rest.strip("/"):
        raise argparse.ArgumentTypeError(
            f"expected an http:// or https:// URL (e.g. http://localhost:8000/v1), got {value!r}")
    return value


def new_run_location(text: str) -> str:
    """A run to create: a PostgreSQL URL, or a file path in a folder that exists."""
    if "://" in text:
        return text
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a folder; give a file name for the run")
    folder = path.parent
    if not folder.is_dir():
        why = "is not a folder" if folder.exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"{text}: folder {folder} {why}")
    return text


def output_location(text: str) -> str:
    """A file or folder to write: nothing on its way may be an existing file."""
    path = Path(text)
    for above in path.parents:
        if above.exists():
            if not above.is_dir():
                raise argparse.ArgumentTypeError(f"{text}: {above} is a file, not a folder")
            break
    return text


def output_file(text: str) -> str:
    """A file to write, in a folder that exists (`bench --json`)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a folder, not a file")
    if not path.parent.is_dir():
        why = "is not a folder" if path.parent.exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"{text}: folder {path.parent} {why}")
    return text


def target_tick(clock: Clock, spec: str, argument: str) -> int:
    """The tick of T (checked by `game_time`) on `clock`; ArgumentProblem naming `argument`."""
    try:
        return clock.parse_target(spec)
    except ValueError as exc:
        raise ArgumentProblem(f"{argument}: {exc}") from None
