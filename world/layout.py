"""Build a checked `Town` from plain place rectangles.

The Tiled loader parses a map into these specs; tests and tools can write
them directly. All checks on places live here, so a town built either way
obeys the same rules (see world/maps/README.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from world.address import MAX_LENGTH as MAX_ADDRESS_LENGTH
from world.address import Address, check_name
from world.errors import MapError
from world.grid import Tile, TileGrid
from world.places import Place, PlaceTree, Rect
from world.town import Spawn, TileLayer, Tileset, Town

DEFAULT_STATE = "idle"


@dataclass(frozen=True, slots=True)
class PlaceSpec:
    """A sector, arena or object as a map declares it.

    `origin` says where, for error messages (e.g. `layer 'arenas', id 7`);
    `state` is an object's idle state and is ignored for other levels.
    """

    name: str
    rect: Rect
    origin: str = ""
    state: str = DEFAULT_STATE


@dataclass(frozen=True, slots=True)
class _Declared:
    """A spec placed in the tree."""

    kind: str
    spec: PlaceSpec
    address: Address

    def describe(self) -> str:
        return _describe(self.kind, self.spec)


def _describe(kind: str, spec: PlaceSpec) -> str:
    where = f" ({spec.origin})" if spec.origin else ""
    return f"{kind} '{spec.name}'{where}"


def build_town(
    *,
    walkable: npt.ArrayLike,
    sectors: Sequence[PlaceSpec],
    arenas: Sequence[PlaceSpec] = (),
    objects: Sequence[PlaceSpec] = (),
    spawns: Sequence[PlaceSpec],
    world: str = "town",
    source: str = "<town>",
    path: Path | None = None,
    tile_layers: tuple[TileLayer, ...] = (),
    tilesets: tuple[Tileset, ...] = (),
    tile_size: tuple[int, int] = (32, 32),
) -> Town:
    """Place every spec in the tree and check the map; MapError on the first problem.

    `walkable[y, x]` is True where agents may stand. Rectangles are in tiles.
    """
    grid = TileGrid(walkable)
    problem = check_name(world)
    if problem is not None:
        raise MapError(f"{source}: map property 'world': {problem}")
    checker = _Checker(grid, source)
    root = Address(world)
    declared_sectors = checker.declare("sector", sectors, [(root, None)])
    declared_arenas = checker.declare(
        "arena", arenas, [(d.address, d.spec.rect) for d in declared_sectors]
    )
    declared_objects = checker.declare(
        "object", objects, [(d.address, d.spec.rect) for d in declared_arenas]
    )
    declared = [*declared_sectors, *declared_arenas, *declared_objects]
    all_tiles = frozenset((x, y) for y in range(grid.height) for x in range(grid.width))
    walkable_tiles = checker.interaction_tiles(all_tiles, with_adjacent=False)
    root_place = Place(root, all_tiles, walkable_tiles, origin="map")
    places = [checker.place(d) for d in declared]
    tree = PlaceTree(root_place, places, grid.walkable.shape)
    town_spawns = tuple(checker.spawn(spec, tree) for spec in spawns)
    if not town_spawns:
        raise MapError(f"{source}: layer 'spawns': no spawn points (residents start at one)")
    checker.check_reachable(declared, tree, town_spawns)
    return Town(
        grid=grid,
        places=tree,
        spawns=town_spawns,
        tile_layers=tile_layers,
        tilesets=tilesets,
        tile_size=tile_size,
        source=source,
        path=path,
    )


class _Checker:
    """The rules of the map convention, raising MapError with the map's name."""

    def __init__(self, grid: TileGrid, source: str) -> None:
        self.grid = grid
        self.source = source

    def fail(self, what: str, problem: str) -> MapError:
        return MapError(f"{self.source}: {what}: {problem}")

    def check_inside(self, what: str, rect: Rect) -> None:
        """A rectangle (or point) of finite, non-negative size, within the map."""
        if not all(math.isfinite(v) for v in (rect.x, rect.y, rect.width, rect.height)):
            raise self.fail(what, "position and size must be finite numbers")
        for size, value in (("width", rect.width), ("height", rect.height)):
            if value < 0:
                raise self.fail(what, f"negative {size} ({value:g} tiles)")
        if not rect.inside(self.grid.width, self.grid.height):
            size = f"{self.grid.width}x{self.grid.height}"
            raise self.fail(what, f"outside the map ({size} tiles)")

    def declare(
        self,
        kind: str,
        specs: Sequence[PlaceSpec],
        parents: list[tuple[Address, Rect | None]],
    ) -> list[_Declared]:
        """Give each spec its address: the parent containing its centre (smallest first)."""
        declared: list[_Declared] = []
        seen: dict[Address, PlaceSpec] = {}
        parent_kind = {"arena": "sector", "object": "arena"}.get(kind, "")
        for spec in specs:
            what = _describe(kind, spec)
            problem = check_name(spec.name)
            if problem is not None:
                raise self.fail(what, problem)
            self.check_inside(what, spec.rect)
            centre = spec.rect.centre
            containing = [
                (rect.area if rect is not None else 0.0, index, address)
                for index, (address, rect) in enumerate(parents)
                if rect is None or rect.contains(centre)
            ]
            if not containing:
                raise self.fail(what, f"not inside any {parent_kind}")
            address = min(containing)[2].child(spec.name)
            if len(str(address)) > MAX_ADDRESS_LENGTH:
                raise self.fail(what, f"address {len(str(address))} characters long, more than "
                                      f"the {MAX_ADDRESS_LENGTH} a run file holds")
            if address in seen:
                other = seen[address].origin or "another"
                raise self.fail(what, f"duplicate name in {address.parent} (also {other})")
            seen[address] = spec
            declared.append(_Declared(kind, spec, address))
        return declared

    def interaction_tiles(self, tiles: frozenset[Tile], *, with_adjacent: bool) -> tuple[Tile, ...]:
        """Walkable tiles inside, plus those next to it for objects or when none is inside.

        An agent uses a (possibly blocked) stove from beside it, but arrives at
        a room or a building only once inside it, not on the far side of a wall.
        """
        inside = [t for t in tiles if self.grid.is_walkable(t)]
        if inside and not with_adjacent:
            return tuple(sorted(inside))
        near = set(tiles)
        for tile in tiles:
            near.update(self.grid.adjacent(tile))
        return tuple(sorted(t for t in near if self.grid.is_walkable(t)))

    def place(self, declared: _Declared) -> Place:
        tiles = declared.spec.rect.tiles()
        near = self.interaction_tiles(tiles, with_adjacent=declared.kind == "object")
        if not near:
            raise self.fail(declared.describe(), "no walkable tile inside or next to it")
        state = declared.spec.state if declared.kind == "object" else None
        return Place(declared.address, tiles, near, state, declared.spec.origin)

    def spawn(self, spec: PlaceSpec, tree: PlaceTree) -> Spawn:
        what = _describe("spawn", spec)
        self.check_inside(what, spec.rect)
        centre = spec.rect.centre
        tile = (int(centre[0]), int(centre[1]))
        if not self.grid.is_walkable(tile):
            raise self.fail(what, f"on a blocked tile {tile}")
        return Spawn(spec.name, tile, tree.at(tile).truncate(3))

    def check_reachable(
        self, declared: list[_Declared], tree: PlaceTree, spawns: tuple[Spawn, ...]
    ) -> None:
        """Every place must be reachable from every spawn."""
        for item in declared:
            regions = {self.grid.region(t) for t in tree.get(item.address).interaction_tiles}
            stranded = [s for s in spawns if self.grid.region(s.tile) not in regions]
            if not stranded:
                continue
            what = f"{item.describe()} at {item.address}"
            if len(stranded) == len(spawns):
                raise self.fail(what, "no spawn can reach it")
            first = stranded[0]
            raise self.fail(what, f"spawn '{first.name}' at {first.tile} cannot reach it")


def walkable_from_ascii(rows: Sequence[str], blocked: str = "#") -> npt.NDArray[np.bool_]:
    """A walkable grid from text art (`#` blocks): handy for small towns in tests."""
    if len({len(row) for row in rows}) != 1:
        raise ValueError("all rows must have the same length")
    return np.array([[cell not in blocked for cell in row] for row in rows], dtype=bool)
