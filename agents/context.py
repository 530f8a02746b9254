"""What an agent may know about the world at one tick, handed in by the scheduler.

Cognition reads the world only through this value; it never changes it. Time
comes from here (never the wall clock) and so does randomness: a seed drawn
from (run seed, tick, agent, purpose), so a resumed run draws the same.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from world.address import Address
from world.grid import Tile
from world.objects import ObjectStates
from world.pathfinding import Pathfinder
from world.town import Town


@dataclass(frozen=True, slots=True)
class Neighbour:
    """What anyone can see of a resident."""

    name: str
    tile: Tile
    activity: str
    address: Address | None  # where its current action is; None when it has none
    asleep: bool
    busy: bool


@dataclass(frozen=True, slots=True)
class TickContext:
    tick: int
    now: datetime
    tick_seconds: int
    town: Town
    pathfinder: Pathfinder
    objects: ObjectStates
    residents: Mapping[str, Neighbour]
    run_seed: int = 0

    @property
    def minute_of_day(self) -> int:
        return self.now.hour * 60 + self.now.minute

    @property
    def clock(self) -> str:
        return self.now.strftime("%H:%M")

    @property
    def date(self) -> str:
        return self.now.strftime("%A %B %-d")

    @property
    def day(self) -> str:
        """The game day as an ISO date."""
        return self.now.date().isoformat()

    def ticks_for(self, minutes: float) -> int:
        return max(1, round(minutes * 60 / self.tick_seconds))

    def tick_at_minute(self, minute: int) -> int:
        """The tick at `minute` of today (may be in the past)."""
        midnight = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        when = midnight + timedelta(minutes=minute)
        return self.tick + round((when - self.now).total_seconds() / self.tick_seconds)

    def seed(self, agent: str, purpose: str) -> int:
        """A sampling seed that depends only on the run, the tick, the agent and the purpose."""
        return zlib.crc32(f"{self.run_seed}:{self.tick}:{agent}:{purpose}".encode())
