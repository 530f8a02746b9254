"""The walkable tile grid: bounds, 4-neighbours and connected regions."""

from __future__ import annotations

from collections import deque
from functools import cached_property
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

Tile: TypeAlias = tuple[int, int]
"""A tile as (x, y): column then row, (0, 0) at the top left as in Tiled."""

# Fixed neighbour order (east, south, west, north) so every search is deterministic.
STEPS: tuple[Tile, ...] = ((1, 0), (0, 1), (-1, 0), (0, -1))


class TileGrid:
    """Which tiles an agent may stand on.

    `walkable` is indexed `[y, x]` like an image; tiles passed around the API
    are `(x, y)` tuples. The array is made read-only: the grid never changes
    during a run, which is what lets paths and regions be cached.
    """

    def __init__(self, walkable: npt.ArrayLike) -> None:
        grid = np.array(walkable, dtype=bool)
        if grid.ndim != 2 or grid.size == 0:
            raise ValueError(f"walkable must be a non-empty 2-D array, got shape {grid.shape}")
        grid.flags.writeable = False
        self.walkable: npt.NDArray[np.bool_] = grid

    @property
    def width(self) -> int:
        return int(self.walkable.shape[1])

    @property
    def height(self) -> int:
        return int(self.walkable.shape[0])

    def in_bounds(self, tile: Tile) -> bool:
        x, y = tile
        return 0 <= x < self.width and 0 <= y < self.height

    def is_walkable(self, tile: Tile) -> bool:
        """False outside the grid as well as on blocked tiles."""
        return self.in_bounds(tile) and bool(self.walkable[tile[1], tile[0]])

    def neighbours(self, tile: Tile) -> list[Tile]:
        """The walkable 4-neighbours of `tile`, in the fixed order of `STEPS`."""
        x, y = tile
        return [(x + dx, y + dy) for dx, dy in STEPS if self.is_walkable((x + dx, y + dy))]

    def adjacent(self, tile: Tile) -> list[Tile]:
        """The in-bounds 4-neighbours of `tile`, walkable or not."""
        x, y = tile
        return [(x + dx, y + dy) for dx, dy in STEPS if self.in_bounds((x + dx, y + dy))]

    @cached_property
    def regions(self) -> npt.NDArray[np.int32]:
        """Connected walkable regions: a label >= 1 per walkable tile, 0 for blocked."""
        labels = np.zeros(self.walkable.shape, dtype=np.int32)
        next_label = 0
        for y, x in zip(*np.nonzero(self.walkable), strict=True):
            if labels[y, x]:
                continue
            next_label += 1
            labels[y, x] = next_label
            queue: deque[Tile] = deque([(int(x), int(y))])
            while queue:
                for nx, ny in self.neighbours(queue.popleft()):
                    if not labels[ny, nx]:
                        labels[ny, nx] = next_label
                        queue.append((nx, ny))
        labels.flags.writeable = False
        return labels

    def region(self, tile: Tile) -> int:
        """The region label of `tile`; 0 when it is blocked or outside the grid."""
        return int(self.regions[tile[1], tile[0]]) if self.in_bounds(tile) else 0

    def connected(self, a: Tile, b: Tile) -> bool:
        """True when an agent can walk from `a` to `b`."""
        return self.region(a) != 0 and self.region(a) == self.region(b)
