"""The places an agent knows: the part of the town tree it can choose actions from.

An action's place is chosen sector -> arena -> object among known places only,
so an agent never goes somewhere it has not heard of or seen. The memory grows
as the agent sees places (`learn`), and is saved as plain JSON with the agent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from world.address import Address
from world.town import Town


class SpatialMemory:
    """Known sectors, their known arenas, and those arenas' known objects; listed by name."""

    def __init__(self, world: str) -> None:
        self.world = world
        self._tree: dict[str, dict[str, set[str]]] = {}

    @classmethod
    def from_addresses(cls, town: Town, addresses: Iterable[str | Address]) -> SpatialMemory:
        """Know each named place and everything inside it (a sector brings its whole subtree).

        Addresses are checked against the town: UnknownPlaceError for a place it lacks.
        """
        memory = cls(town.world)
        for place in addresses:
            address = town.require(place, "spatial memory")
            for inner in town.places.subtree(address):
                memory.learn(inner)
        return memory

    def learn(self, address: Address) -> bool:
        """Know `address` and the places above it; True when something was new."""
        if address.world != self.world:
            raise ValueError(f"address {address} is not in world {self.world!r}")
        if address.sector is None:
            return False
        new = address.sector not in self._tree
        arenas = self._tree.setdefault(address.sector, {})
        if address.arena is None:
            return new
        new = new or address.arena not in arenas
        objects = arenas.setdefault(address.arena, set())
        if address.object is None:
            return new
        new = new or address.object not in objects
        objects.add(address.object)
        return new

    def knows(self, address: Address) -> bool:
        if address.world != self.world:
            return False
        if address.sector is None:
            return True
        arenas = self._tree.get(address.sector)
        if arenas is None or address.arena is None:
            return arenas is not None
        objects = arenas.get(address.arena)
        if objects is None or address.object is None:
            return objects is not None
        return address.object in objects

    def sectors(self) -> list[str]:
        return sorted(self._tree)

    def arenas(self, sector: str) -> list[str]:
        """Known arenas of a sector; [] for an unknown sector."""
        return sorted(self._tree.get(sector, {}))

    def objects(self, sector: str, arena: str) -> list[str]:
        """Known objects of an arena; [] for an unknown arena."""
        return sorted(self._tree.get(sector, {}).get(arena, set()))

    def addresses(self) -> Iterator[Address]:
        """Every known place, depth first, by name."""
        root = Address(self.world)
        for sector in self.sectors():
            yield root.child(sector)
            for arena in self.arenas(sector):
                yield Address(self.world, sector, arena)
                for obj in self.objects(sector, arena):
                    yield Address(self.world, sector, arena, obj)

    def to_json(self) -> dict[str, Any]:
        """`{"world": ..., "places": {sector: {arena: [objects]}}}`, sorted, JSON-able."""
        places = {
            sector: {arena: self.objects(sector, arena) for arena in self.arenas(sector)}
            for sector in self.sectors()
        }
        return {"world": self.world, "places": places}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SpatialMemory:
        """Inverse of `to_json`; ValueError for a malformed structure or name."""
        world, places = data.get("world"), data.get("places")
        if not isinstance(world, str) or not isinstance(places, Mapping):
            raise ValueError("spatial memory: expected {'world': str, 'places': {...}}")
        memory = cls(world)
        for sector, arenas in places.items():
            memory.learn(Address(world, sector))
            if not isinstance(arenas, Mapping):
                raise ValueError(f"spatial memory: sector {sector!r}: arenas must be a mapping")
            for arena, objects in arenas.items():
                memory.learn(Address(world, sector, arena))
                if isinstance(objects, str | bytes) or not isinstance(objects, Iterable):
                    raise ValueError(f"spatial memory: arena {arena!r}: objects must be a list")
                for obj in objects:
                    memory.learn(Address(world, sector, arena, obj))
        return memory

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpatialMemory):
            return NotImplemented
        return self.world == other.world and self._tree == other._tree

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"SpatialMemory({self.world!r}, {sum(1 for _ in self.addresses())} places)"
