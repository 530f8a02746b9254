"""How replays turn ticks into game times and back, without importing `sim`.

`sim.clock.Clock` satisfies `TimeScale` as it is; `TickScale` is the stand-in
when the caller knows no start time (a bare event log in a test).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Protocol

_CLOCK_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


class TimeScale(Protocol):
    """Ticks <-> game time: `format(0)` is the start, e.g. "2023-02-13 07:00"."""

    def time_at(self, tick: int) -> datetime: ...

    def tick_at(self, when: datetime) -> int: ...

    def format(self, tick: int) -> str: ...

    def parse_target(self, spec: str) -> int: ...


class TickScale:
    """A scale that knows only tick numbers: times read "tick N"."""

    def time_at(self, tick: int) -> datetime:
        raise ValueError("this run has no start time: use tick numbers")

    def tick_at(self, when: datetime) -> int:
        raise ValueError("this run has no start time: use tick numbers")

    def format(self, tick: int) -> str:
        return f"tick {tick:,}"

    def parse_target(self, spec: str) -> int:
        text = spec.strip()
        if not text.isdigit():
            raise ValueError(f"bad time {spec!r}: this run has no start time, give a tick number")
        return int(text)


def has_dates(scale: TimeScale) -> bool:
    """True when `scale` can show game dates (it is not a bare `TickScale`)."""
    return not isinstance(scale, TickScale)


def parse_jump(scale: TimeScale, spec: str, current_tick: int) -> int:
    """A jump target typed by a user: a tick, "YYYY-MM-DD HH:MM", or "HH:MM" on the current day.

    ValueError with a message fit to show the user when it is none of these.
    """
    match = _CLOCK_TIME.match(spec)
    if match is None or not has_dates(scale):
        return scale.parse_target(spec)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"bad time {spec!r}: hours 0-23, minutes 0-59")
    day = scale.time_at(current_tick).replace(hour=0, minute=0, second=0, microsecond=0)
    start = scale.time_at(0)
    when = day + timedelta(hours=hour, minutes=minute)
    if when < start:
        raise ValueError(f"time {spec!r} is before the run starts ({scale.format(0)})")
    return scale.tick_at(when)
