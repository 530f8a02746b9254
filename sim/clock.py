"""Game time: the only source of "now" in a simulation (never the wall clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True, slots=True)
class Clock:
    """Maps ticks to game times: tick 0 is `start`, each tick lasts `tick_seconds`."""

    start: datetime
    tick_seconds: int = 10

    def __post_init__(self) -> None:
        if self.tick_seconds <= 0:
            raise ValueError(f"tick length must be positive, got {self.tick_seconds} s")

    def time_at(self, tick: int) -> datetime:
        return self.start + timedelta(seconds=tick * self.tick_seconds)

    def tick_at(self, when: datetime) -> int:
        """The first tick at or after `when`."""
        seconds = (when - self.start).total_seconds()
        return max(0, -int(-seconds // self.tick_seconds))

    @property
    def ticks_per_hour(self) -> int:
        return 3600 // self.tick_seconds

    @property
    def ticks_per_day(self) -> int:
        return 86400 // self.tick_seconds

    def ticks_for_minutes(self, minutes: float) -> int:
        return max(1, round(minutes * 60 / self.tick_seconds))

    def hours_between(self, earlier_tick: int, later_tick: int) -> float:
        return (later_tick - earlier_tick) * self.tick_seconds / 3600

    def minute_of_day(self, tick: int) -> int:
        t = self.time_at(tick)
        return t.hour * 60 + t.minute

    def day_index(self, tick: int) -> int:
        """Days since the start date (0 on the first day), counted at midnight."""
        return (self.time_at(tick).date() - self.start.date()).days

    def format(self, tick: int) -> str:
        return self.time_at(tick).strftime(TIME_FORMAT)

    def parse_target(self, spec: str) -> int:
        """A tick number ("8640") or a game time ("2023-02-13 08:00") as a tick.

        ValueError (one line) for a malformed spec or a time before the start.
        """
        parsed = parse_time_spec(spec)
        if isinstance(parsed, int):
            return parsed
        if parsed < self.start:
            raise ValueError(f"time {spec!r} is before the scenario starts ({self.format(0)})")
        return self.tick_at(parsed)


def parse_time_spec(spec: str) -> int | datetime:
    """A tick number ("8640") or a game time ("2023-02-13 08:00", to the minute).

    ValueError (one line) for anything else: a negative tick, seconds, an hour of 25.
    """
    text = spec.strip()
    if text.isdigit():
        return int(text)
    try:
        return datetime.strptime(text, TIME_FORMAT)
    except ValueError:
        raise ValueError(
            f"bad time {spec!r}: expected a tick number or a game time 'YYYY-MM-DD HH:MM'"
        ) from None
