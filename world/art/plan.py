"""The declarative plan of a town: buildings, rooms, furniture, roads, parks and trees.

A plan says what is where; `world.art.mapgen` turns it into Tiled layers and
place rectangles. Coordinates are in tiles. A building's rooms, doors, items
and spawns use coordinates relative to the building's top-left corner (its
outer wall), and an area's relative to its own corner, so a house plan can be
stamped anywhere (see `world.art.homes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Cell = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Item:
    """A piece of the tileset placed at (x, y); `w`/`h` stretch it (0: the piece's own size).

    A named item is an object agents can use. Items of one arena that share a
    name form a single object covering them all (e.g. rows of `chairs`).
    """

    piece: str
    x: int
    y: int
    name: str | None = None
    w: int = 0
    h: int = 0


@dataclass(frozen=True, slots=True)
class Room:
    """An arena: a floor rectangle with its furniture, and maybe a spawn point.

    `floor` is a ground piece, or None to keep the ground underneath (outdoors).
    """

    arena: str
    x: int
    y: int
    w: int
    h: int
    floor: str | None
    items: tuple[Item, ...] = ()
    spawn: Cell | None = None


@dataclass(frozen=True, slots=True)
class Building:
    """A sector with walls all round: every tile of it not in a room is wall, except doors."""

    sector: str
    x: int
    y: int
    w: int
    h: int
    style: str
    rooms: tuple[Room, ...]
    doors: tuple[Cell, ...]
    decor: tuple[Item, ...] = ()
    """Outdoor items near the building (a mailbox), relative to the building."""


@dataclass(frozen=True, slots=True)
class Area:
    """An outdoor sector without walls (a park); its rooms are its arenas."""

    sector: str
    x: int
    y: int
    w: int
    h: int
    arenas: tuple[Room, ...]


@dataclass(frozen=True, slots=True)
class Road:
    """A road four tiles across (sidewalk, two lanes, sidewalk) from `start` to `end` (exclusive).

    `at` is the first row of a horizontal road, or the first column of a vertical one.
    """

    horizontal: bool
    at: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Patch:
    """Ground painted over a rectangle: a path, a plaza, a pond (nine-slice pieces stretch)."""

    piece: str
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True, slots=True)
class Scatter:
    """`count` pieces sprinkled over free grass in a rectangle, never touching anything blocked."""

    pieces: tuple[str, ...]
    x: int
    y: int
    w: int
    h: int
    count: int


@dataclass(frozen=True)
class TownPlan:
    """Everything the generator needs to write one `.tmj`."""

    name: str
    width: int
    height: int
    seed: int
    world: str = "town"
    roads: tuple[Road, ...] = ()
    patches: tuple[Patch, ...] = ()
    buildings: tuple[Building, ...] = ()
    areas: tuple[Area, ...] = ()
    decor: tuple[Item, ...] = ()
    scatter: tuple[Scatter, ...] = ()
    border: tuple[str, ...] = field(default=("tree", "pine"))
    """Pieces for the ring of trees round the map's edge (empty: no ring)."""
    lamp_every: int = 9
    """Street lamps beside the sidewalks every this many tiles (0: none)."""
