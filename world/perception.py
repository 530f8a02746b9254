"""What an agent at a tile perceives: nearby events in its own area, and the places in view.

Vision is a disc: a tile is in view when its Euclidean distance from the
agent is at most `vision_radius` and it lies in the agent's area (the arena
it stands in; outdoors, its sector; outside every sector, the open world), so
walls need no line-of-sight test. Of the events in view the agent attends to
the `attention_bandwidth` closest and skips those whose key is among its
`retention` most recently perceived keys. Ties in distance are broken by the
event's key, then its tile, so perception is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

from world.address import Address
from world.grid import Tile
from world.town import Town

EventKey: TypeAlias = tuple[str, str, str, str]
"""(subject, predicate, object, description): what makes two events the same news."""


@dataclass(frozen=True, slots=True)
class WorldEvent:
    """Something happening at a tile: an agent's activity, an object's state, a fire.

    E.g. subject `Isabella Rodriguez`, predicate `is`, object `setting out the
    pastries`, description `Isabella Rodriguez is setting out the pastries`.
    The subject of an object's state is the object's address string.
    """

    subject: str
    predicate: str
    object: str
    description: str
    tile: Tile
    address: Address

    @property
    def key(self) -> EventKey:
        return (self.subject, self.predicate, self.object, self.description)


@dataclass(frozen=True, slots=True)
class Perception:
    """The new events an agent attends to (closest first) and the places it sees."""

    events: tuple[WorldEvent, ...]
    places: tuple[Address, ...]


class Perceiver:
    """Perception on one town with fixed parameters (from the scenario config).

    The places in view from a tile never change, so they are cached per tile.
    The caller decides whether an agent perceives its own events.
    """

    def __init__(
        self,
        town: Town,
        *,
        vision_radius: float = 8,
        attention_bandwidth: int = 8,
        retention: int = 8,
        cache_size: int = 8192,
    ) -> None:
        if vision_radius < 0 or attention_bandwidth < 0 or retention < 0:
            raise ValueError("vision_radius, attention_bandwidth and retention must be >= 0")
        self.town = town
        self.vision_radius = vision_radius
        self.attention_bandwidth = attention_bandwidth
        self.retention = retention
        self._places_in_view = lru_cache(maxsize=cache_size)(self._compute_places_in_view)

    def in_view(self, at: Tile, tile: Tile) -> bool:
        """True when an agent at `at` sees `tile`: within the radius and in the same area."""
        return self._in_view(at, self.town.area_at(at), tile)

    def _in_view(self, at: Tile, area: Address, tile: Tile) -> bool:
        dx, dy = tile[0] - at[0], tile[1] - at[1]
        if dx * dx + dy * dy > self.vision_radius**2 or not self.town.grid.in_bounds(tile):
            return False
        return self.town.area_at(tile) == area

    def perceive(
        self, at: Tile, events: Iterable[WorldEvent], recent: Sequence[EventKey] = ()
    ) -> Perception:
        """The events an agent at `at` newly attends to, and the places in view.

        `recent` holds the keys the agent perceived before, oldest first; only
        the last `retention` of them suppress an event.
        """
        if not self.town.grid.in_bounds(at):
            raise ValueError(f"tile {at} is outside the {self.town.width}x{self.town.height} map")
        area = self.town.area_at(at)
        seen: dict[EventKey, tuple[int, Tile, WorldEvent]] = {}
        for event in events:
            if not self._in_view(at, area, event.tile):
                continue
            dx, dy = event.tile[0] - at[0], event.tile[1] - at[1]
            candidate = (dx * dx + dy * dy, event.tile, event)
            current = seen.get(event.key)
            if current is None or candidate[:2] < current[:2]:
                seen[event.key] = candidate
        closest = sorted(seen.items(), key=lambda item: (item[1][0], item[0], item[1][1]))
        attended = closest[: self.attention_bandwidth]
        retained = set(recent[-self.retention :]) if self.retention else set()
        new = tuple(event for key, (_, _, event) in attended if key not in retained)
        return Perception(new, self._places_in_view(at))

    def _compute_places_in_view(self, at: Tile) -> tuple[Address, ...]:
        """The deepest place at each tile in view (objects, arenas, ...), sorted."""
        reach = int(self.vision_radius)
        area = self.town.area_at(at)
        found: set[Address] = set()
        for y in range(at[1] - reach, at[1] + reach + 1):
            for x in range(at[0] - reach, at[0] + reach + 1):
                if self._in_view(at, area, (x, y)):
                    found.add(self.town.address_at((x, y)))
        return tuple(sorted(found))
