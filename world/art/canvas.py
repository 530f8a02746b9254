"""The map being drawn: three tile layers and the places declared on them.

Knows how to stamp a (possibly stretched) piece and refuses to stack two
decor tiles on one cell, which catches most layout mistakes early.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from world.art.plan import Cell, Item
from world.art.tileset import TileSheet

GRASS = ("grass", "grass flowers")
LAYERS = ("sectors", "arenas", "objects", "spawns")


class PlanError(ValueError):
    """The plan cannot be drawn: overlapping furniture, a door in no wall, a cut-off tile..."""


@dataclass(frozen=True, slots=True)
class PlaceRect:
    """A place for an object layer, in tiles; `point` places sit in the middle of their tile."""

    layer: str
    name: str
    x: int
    y: int
    w: int = 1
    h: int = 1
    point: bool = False


def stretch(piece_len: int, target: int, what: str) -> list[int]:
    """Which part of a piece fills each of `target` cells along one axis.

    Same length: as drawn. A one-tile piece repeats. A three-tile piece is
    sliced: first part, the middle repeated, last part.
    """
    if target == piece_len:
        return list(range(piece_len))
    if piece_len == 1:
        return [0] * target
    if piece_len == 3 and target >= 2:
        return [0, *([1] * (target - 2)), 2]
    raise PlanError(f"{what}: a {piece_len}-tile piece cannot stretch to {target} tiles")


class Canvas:
    """Ground, decor and collision as gid arrays (`[y, x]`), plus the place rectangles."""

    def __init__(self, width: int, height: int, tiles: TileSheet) -> None:
        self.width, self.height = width, height
        self.tiles = tiles
        self.ground: npt.NDArray[np.int32] = np.zeros((height, width), dtype=np.int32)
        self.decor: npt.NDArray[np.int32] = np.zeros((height, width), dtype=np.int32)
        self.blocked: npt.NDArray[np.bool_] = np.zeros((height, width), dtype=bool)
        self.building: npt.NDArray[np.bool_] = np.zeros((height, width), dtype=bool)
        self.places: list[PlaceRect] = []
        self._grass = {self.gid(name) for name in GRASS}

    # -- tiles --------------------------------------------------------------------------

    def gid(self, piece: str, dx: int = 0, dy: int = 0) -> int:
        """The global id (first gid 1) of part (dx, dy) of `piece`."""
        if piece not in self.tiles.pieces:
            raise PlanError(f"no piece {piece!r} in the tileset")
        return self.tiles.local_id(piece, dx, dy) + 1

    def inside(self, x: int, y: int) -> bool:
        return 0 <= x < self.width and 0 <= y < self.height

    def check_inside(self, x: int, y: int, w: int, h: int, what: str) -> None:
        if x < 0 or y < 0 or x + w > self.width or y + h > self.height:
            raise PlanError(f"{what}: ({x}, {y}, {w}x{h}) is outside the map")

    def set_ground(self, x: int, y: int, piece: str, dx: int = 0, dy: int = 0) -> None:
        self.ground[y, x] = self.gid(piece, dx, dy)
        self.blocked[y, x] = self.tiles.pieces[piece].blocked

    def fill_ground(self, piece: str, x: int, y: int, w: int, h: int) -> None:
        """Paint a rectangle with a ground piece, stretched (nine-slice for 3 x 3 pieces)."""
        self.check_inside(x, y, w, h, f"ground {piece!r}")
        pw, ph = self.tiles.pieces[piece].size
        cols, rows = stretch(pw, w, piece), stretch(ph, h, piece)
        for j, dy in enumerate(rows):
            for i, dx in enumerate(cols):
                self.set_ground(x + i, y + j, piece, dx, dy)

    def size_of(self, item: Item) -> tuple[int, int]:
        if item.piece not in self.tiles.pieces:
            raise PlanError(f"no piece {item.piece!r} in the tileset")
        pw, ph = self.tiles.pieces[item.piece].size
        return (item.w or pw, item.h or ph)

    def stamp(self, item: Item, ox: int, oy: int) -> tuple[int, int, int, int]:
        """Place a decor item offset by (ox, oy); its rectangle in map tiles."""
        piece = self.tiles.pieces.get(item.piece)
        if piece is None:
            raise PlanError(f"no piece {item.piece!r} in the tileset")
        if piece.layer != "decor":
            raise PlanError(f"piece {item.piece!r} is a ground piece, not decor")
        w, h = self.size_of(item)
        x, y = item.x + ox, item.y + oy
        what = f"{item.piece!r} at ({x}, {y})"
        self.check_inside(x, y, w, h, what)
        cols, rows = stretch(piece.size[0], w, what), stretch(piece.size[1], h, what)
        for j, dy in enumerate(rows):
            for i, dx in enumerate(cols):
                cx, cy = x + i, y + j
                if self.decor[cy, cx]:
                    raise PlanError(f"{what}: cell ({cx}, {cy}) already has decor")
                if self.blocked[cy, cx]:
                    raise PlanError(f"{what}: cell ({cx}, {cy}) is a wall or water")
                self.decor[cy, cx] = self.gid(item.piece, dx, dy)
                self.blocked[cy, cx] = piece.blocked
        return (x, y, w, h)

    # -- queries ------------------------------------------------------------------------

    def is_grass(self, cell: Cell) -> bool:
        x, y = cell
        return self.inside(x, y) and int(self.ground[y, x]) in self._grass

    def is_free_grass(self, cell: Cell) -> bool:
        """Grass with nothing on it, outside every building."""
        x, y = cell
        return self.is_grass(cell) and not self.decor[y, x] and not self.building[y, x]

    def ring(self, x: int, y: int, w: int, h: int) -> list[Cell]:
        """The in-map cells round a rectangle, clockwise from its top-left corner."""
        top = [(cx, y - 1) for cx in range(x - 1, x + w + 1)]
        right = [(x + w, cy) for cy in range(y, y + h + 1)]
        bottom = [(cx, y + h) for cx in range(x + w - 1, x - 2, -1)]
        left = [(x - 1, cy) for cy in range(y + h - 1, y - 1, -1)]
        return [c for c in top + right + bottom + left if self.inside(*c)]

    def can_block(self, x: int, y: int, w: int, h: int) -> bool:
        """True when blocking the rectangle cannot cut any walkable tile off from the rest.

        Sufficient test: the walkable cells round it stay joined to each other
        through the ring itself, so any walk that crossed the rectangle can go
        round it instead. Buildings keep a one-tile margin.
        """
        ring = self.ring(x, y, w, h)
        if any(self.building[cy, cx] for cx, cy in ring):
            return False
        open_cells = [c for c in ring if not self.blocked[c[1], c[0]]]
        if not open_cells:
            return False
        members, seen, stack = set(open_cells), {open_cells[0]}, [open_cells[0]]
        while stack:
            cx, cy = stack.pop()
            for near in ((cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1)):
                if near in members and near not in seen:
                    seen.add(near)
                    stack.append(near)
        return len(seen) == len(members)

    def place_free(self, piece: str, x: int, y: int) -> bool:
        """Stamp `piece` at (x, y) if it lands on free grass and cuts no walkable tile off."""
        w, h = self.tiles.pieces[piece].size
        cells = [(x + i, y + j) for j in range(h) for i in range(w)]
        if not all(self.is_free_grass(c) for c in cells):
            return False
        if self.tiles.pieces[piece].blocked and not self.can_block(x, y, w, h):
            return False
        self.stamp(Item(piece, x, y), 0, 0)
        return True

    def add_place(self, place: PlaceRect) -> None:
        self.check_inside(place.x, place.y, place.w, place.h, f"{place.layer} {place.name!r}")
        self.places.append(place)
