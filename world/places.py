"""The place tree (world > sectors > arenas > objects) and its tile look-ups."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from world.address import Address
from world.grid import Tile


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned area in tile units (Tiled's pixels divided by the tile size).

    A rectangle covers every tile its area overlaps; a zero-size rectangle is
    a point and covers the tile it lies in.
    """

    x: float
    y: float
    width: float = 0.0
    height: float = 0.0

    @property
    def is_point(self) -> bool:
        return self.width <= 0 or self.height <= 0

    @property
    def area(self) -> float:
        return max(self.width, 0.0) * max(self.height, 0.0)

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)

    def contains(self, point: tuple[float, float]) -> bool:
        """Half-open containment, so a point on a shared edge belongs to one side only."""
        px, py = point
        return self.x <= px < self.x + self.width and self.y <= py < self.y + self.height

    def inside(self, width: int, height: int) -> bool:
        """True when the whole area lies within a `width` x `height` map."""
        if self.is_point:
            return 0 <= self.x < width and 0 <= self.y < height
        return (
            self.x >= 0
            and self.y >= 0
            and self.x + self.width <= width
            and (self.y + self.height <= height)
        )

    def tiles(self) -> frozenset[Tile]:
        if self.is_point:
            return frozenset({(math.floor(self.x), math.floor(self.y))})
        xs = range(math.floor(self.x), math.ceil(self.x + self.width))
        ys = range(math.floor(self.y), math.ceil(self.y + self.height))
        return frozenset((x, y) for y in ys for x in xs)


@dataclass(frozen=True, slots=True)
class Place:
    """One node of the tree with the tiles it covers.

    `interaction_tiles` are where an agent stands to use or be at the place,
    sorted: for an object the walkable tiles inside or 4-adjacent to it; for
    a sector or arena the walkable tiles inside it (adjacent ones only if it
    has none). `state` is an object's
    idle state (None above the object level). `origin` says where the map
    declares the place, for error messages.
    """

    address: Address
    tiles: frozenset[Tile]
    interaction_tiles: tuple[Tile, ...]
    state: str | None = None
    origin: str = ""


class PlaceTree:
    """All places of a town, indexed by address and by tile.

    Where places of one level overlap, a tile belongs to the smallest of
    them (the first declared among equals), so `at` is deterministic.
    """

    def __init__(self, root: Place, places: Iterable[Place], shape: tuple[int, int]) -> None:
        self.root = root.address
        ordered = [root, *places]
        self._places: dict[Address, Place] = {place.address: place for place in ordered}
        if len(self._places) != len(ordered):
            raise ValueError("duplicate addresses in the place tree")
        self._children: dict[Address, list[Address]] = {place.address: [] for place in ordered}
        for place in ordered[1:]:
            parent = place.address.parent
            if parent is None or parent not in self._children:
                raise ValueError(f"place {place.address} has no parent in the tree")
            self._children[parent].append(place.address)
        for children in self._children.values():
            children.sort()
        self._index: list[Address] = [place.address for place in ordered]
        # One label array per level below the world: the index into `_index`, or -1.
        self._labels: dict[int, npt.NDArray[np.int32]] = {}
        for depth in (2, 3, 4):
            labels = np.full(shape, -1, dtype=np.int32)
            level = [(i, p) for i, p in enumerate(ordered) if p.address.depth == depth]
            for i, place in sorted(level, key=lambda item: (-len(item[1].tiles), -item[0])):
                for x, y in place.tiles:
                    labels[y, x] = i
            labels.flags.writeable = False
            self._labels[depth] = labels

    def __contains__(self, address: object) -> bool:
        return address in self._places

    def __iter__(self) -> Iterator[Place]:
        """Every place below the world, parents before children, siblings by name."""
        for address in self.subtree(self.root):
            if address != self.root:
                yield self._places[address]

    def __len__(self) -> int:
        return len(self._places) - 1

    def get(self, address: Address) -> Place:
        """The place at `address` (the world included); KeyError when unknown."""
        return self._places[address]

    def children(self, address: Address) -> tuple[Address, ...]:
        """The places directly inside `address`, sorted by name."""
        return tuple(self._children[address])

    def subtree(self, address: Address) -> Iterator[Address]:
        """`address` and everything inside it, depth first, siblings by name."""
        stack = [address]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(self._children[current]))

    def at(self, tile: Tile) -> Address:
        """The deepest place covering `tile`: object, else arena, else sector, else the world."""
        x, y = tile
        for depth in (4, 3, 2):
            label = int(self._labels[depth][y, x])
            if label >= 0:
                return self._index[label]
        return self.root
