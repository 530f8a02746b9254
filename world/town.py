"""The town: grid, place tree, spawns and what a renderer needs to draw it.

A `Town` is immutable once built (by `world.tiled.load_town` or
`world.layout.build_town`); what changes during a run (object states, agent
positions) lives elsewhere, e.g. in `world.objects.ObjectStates`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from world.address import Address
from world.errors import UnknownPlaceError
from world.grid import Tile, TileGrid
from world.places import Place, PlaceTree


@dataclass(frozen=True, slots=True)
class Spawn:
    """A tile where a resident may start; `address` is the arena (else sector) it lies in."""

    name: str
    tile: Tile
    address: Address


@dataclass(frozen=True, slots=True, eq=False)
class TileLayer:
    """A drawable tile layer: `gids[y, x]` is a global tile id, 0 for empty."""

    name: str
    gids: npt.NDArray[np.uint32]
    visible: bool = True
    opacity: float = 1.0


@dataclass(frozen=True, slots=True)
class Tileset:
    """One tileset image and how global tile ids map into it."""

    name: str
    first_gid: int
    tile_count: int
    columns: int
    tile_width: int
    tile_height: int
    image: Path
    image_width: int
    image_height: int
    margin: int = 0
    spacing: int = 0

    def holds(self, gid: int) -> bool:
        return self.first_gid <= gid < self.first_gid + self.tile_count

    def source_rect(self, gid: int) -> tuple[int, int, int, int]:
        """The pixel rectangle (x, y, width, height) of tile `gid` in `image`."""
        if not self.holds(gid):
            raise ValueError(f"tileset {self.name!r}: gid {gid} is not one of its tiles")
        local = gid - self.first_gid
        column, row = local % self.columns, local // self.columns
        x = self.margin + column * (self.tile_width + self.spacing)
        y = self.margin + row * (self.tile_height + self.spacing)
        return (x, y, self.tile_width, self.tile_height)


class Town:
    """A loaded map: where agents can walk, which place each tile belongs to."""

    def __init__(
        self,
        *,
        grid: TileGrid,
        places: PlaceTree,
        spawns: tuple[Spawn, ...],
        tile_layers: tuple[TileLayer, ...] = (),
        tilesets: tuple[Tileset, ...] = (),
        tile_size: tuple[int, int] = (32, 32),
        source: str = "<town>",
        path: Path | None = None,
    ) -> None:
        self.grid = grid
        self.places = places
        self.spawns = spawns
        self.tile_layers = tile_layers
        self.tilesets = tilesets
        self.tile_width, self.tile_height = tile_size
        self.source = source
        self.path = path

    def __repr__(self) -> str:
        return (
            f"Town({self.source!r}, {self.width}x{self.height}, "
            f"{len(self.places)} places, {len(self.spawns)} spawns)"
        )

    @property
    def world(self) -> str:
        """The root's name, e.g. `town`: the first part of every address."""
        return self.places.root.world

    @property
    def root(self) -> Address:
        """The address of the whole town."""
        return self.places.root

    @property
    def width(self) -> int:
        return self.grid.width

    @property
    def height(self) -> int:
        return self.grid.height

    def __contains__(self, address: object) -> bool:
        return address in self.places

    def place(self, address: Address) -> Place:
        """The place at `address`; UnknownPlaceError when the town has none."""
        if address not in self.places:
            raise UnknownPlaceError(f"{self.source}: no place {str(address)!r}")
        return self.places.get(address)

    def address_at(self, tile: Tile) -> Address:
        """The deepest place at `tile`: its object if any, else arena, else sector, else world."""
        if not self.grid.in_bounds(tile):
            raise ValueError(f"tile {tile} is outside the {self.width}x{self.height} map")
        return self.places.at(tile)

    def area_at(self, tile: Tile) -> Address:
        """The arena at `tile`, or its sector outside arenas, or the world outside sectors."""
        return self.address_at(tile).truncate(3)

    def tiles_of(self, address: Address) -> frozenset[Tile]:
        return self.place(address).tiles

    def interaction_tiles(self, address: Address) -> tuple[Tile, ...]:
        """Where to stand to use the place, sorted (see `Place.interaction_tiles`)."""
        return self.place(address).interaction_tiles

    def children(self, address: Address) -> tuple[Address, ...]:
        """The places directly inside `address`, sorted by name."""
        self.place(address)
        return self.places.children(address)

    def objects(self) -> Iterator[Place]:
        """Every object place, in tree order."""
        return (place for place in self.places if place.address.depth == 4)

    def spawns_in(self, address: Address) -> tuple[Spawn, ...]:
        """The spawns inside a place (a home arena or sector), in map order."""
        self.place(address)
        return tuple(spawn for spawn in self.spawns if spawn.address.is_within(address))

    def tileset_for(self, gid: int) -> Tileset:
        """The tileset that draws global tile id `gid`."""
        for tileset in self.tilesets:
            if tileset.holds(gid):
                return tileset
        raise ValueError(f"{self.source}: gid {gid} belongs to no tileset")

    def resolve(self, place: str | Address) -> Address:
        """Parse `place`; a string not starting with the world's name gets it prepended."""
        if isinstance(place, Address):
            return place
        address = Address.parse(place)
        if address.world != self.world:
            address = Address.parse(f"{self.world}:{place}")
        return address

    def require(self, place: str | Address, context: str) -> Address:
        """The address of an existing place, or UnknownPlaceError saying who asked for what.

        `context` names the asker, e.g. `"scenario.toml: resident 'Eddy Lin': home"`.
        `"Hobbs Cafe:cafe"` and `"town:Hobbs Cafe:cafe"` name the same place.
        """
        try:
            address = self.resolve(place)
        except ValueError as exc:
            raise UnknownPlaceError(f"{context}: {exc}") from exc
        if address in self.places:
            return address
        raise UnknownPlaceError(
            f"{context}: no place {str(address)!r} in {self.source}{self._hint(address)}"
        )

    def _hint(self, address: Address) -> str:
        """A 'did you mean' for the first part of `address` the town does not have."""
        known = next((a for a in reversed(list(address.lineage())) if a in self.places), None)
        if known is None:
            return f" (its world is {self.world!r})"
        if known.depth >= address.depth or known.depth == 4:
            return ""
        missing = address.parts[known.depth]
        names = [child.name for child in self.places.children(known)]
        if not names:
            return f" ({known} has no places inside)"
        close = difflib.get_close_matches(missing, names, n=1, cutoff=0.6)
        if close:
            return f" (did you mean {str(known.child(close[0]))!r}?)"
        listed = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        return f" ({known} has: {listed})"
