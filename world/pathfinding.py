"""Shortest walks on the 4-connected tile grid.

Agents move one tile per tick and may share tiles, so a path depends only on
the static grid: results are cached. `path` is A* with the Manhattan
heuristic; `path_to_place` follows a breadth-first distance field from the
place's interaction tiles, so it reaches the nearest of them. Both return the
tiles to step on, excluding the start and including the goal, or None when the
goal cannot be reached (blocked or in another region): an agent with no way
there is a normal situation for the caller to handle, not an error.
"""

from __future__ import annotations

import heapq
from collections import deque
from functools import lru_cache

from world.address import Address
from world.grid import Tile
from world.town import Town

UNREACHED = -1


class Pathfinder:
    """Cached shortest paths on one town's grid (ties broken by the fixed step order)."""

    def __init__(self, town: Town, cache_size: int = 4096, field_cache_size: int = 256) -> None:
        self.town = town
        grid = town.grid
        self._width = grid.width
        self._size = grid.width * grid.height
        self._walkable: list[bool] = [bool(v) for v in grid.walkable.ravel()]
        # Walkable 4-neighbours of every tile as flat indices, in STEPS order.
        self._neighbours: list[tuple[int, ...]] = [
            tuple(self._flat(n) for n in grid.neighbours(self._tile(i))) for i in range(self._size)
        ]
        self._cached_path = lru_cache(maxsize=cache_size)(self._astar)
        self._cached_field = lru_cache(maxsize=field_cache_size)(self._distance_field)

    def _flat(self, tile: Tile) -> int:
        return tile[1] * self._width + tile[0]

    def _tile(self, index: int) -> Tile:
        return (index % self._width, index // self._width)

    def _check(self, tile: Tile) -> None:
        if not self.town.grid.in_bounds(tile):
            raise ValueError(f"tile {tile} is outside the {self.town.width}x{self.town.height} map")

    def path(self, start: Tile, goal: Tile) -> list[Tile] | None:
        """Tiles from `start` (excluded) to `goal` (included); [] when already there.

        `start` need not be walkable (the first step leaves it); `goal` must be.
        """
        self._check(start)
        self._check(goal)
        found = self._cached_path(self._flat(start), self._flat(goal))
        return None if found is None else [self._tile(i) for i in found]

    def distance(self, start: Tile, goal: Tile) -> int | None:
        """Steps from `start` to `goal`, None when unreachable."""
        found = self.path(start, goal)
        return None if found is None else len(found)

    def path_to_place(self, start: Tile, address: Address) -> list[Tile] | None:
        """A shortest path to the nearest interaction tile of the place; [] when on one."""
        self._check(start)
        field = self._cached_field(address)
        current = self._flat(start)
        if field[current] == UNREACHED:
            # Off the walkable grid (or cut off): step to the best reachable neighbour.
            options = [n for n in self._neighbours[current] if field[n] != UNREACHED]
            if not options:
                return None
            current = min(options, key=lambda n: field[n])
            steps = [current]
        else:
            steps = []
        while field[current] > 0:
            current = next(n for n in self._neighbours[current] if field[n] == field[current] - 1)
            steps.append(current)
        return [self._tile(i) for i in steps]

    def cache_info(self) -> dict[str, int]:
        """Hits and misses of the path cache (for benchmarks)."""
        info = self._cached_path.cache_info()
        return {"hits": info.hits, "misses": info.misses, "size": info.currsize}

    def _astar(self, start: int, goal: int) -> tuple[int, ...] | None:
        if start == goal:
            return ()
        if not self._walkable[goal]:
            return None
        width, neighbours = self._width, self._neighbours
        gx, gy = goal % width, goal // width

        def heuristic(index: int) -> int:
            return abs(index % width - gx) + abs(index // width - gy)

        best: dict[int, int] = {start: 0}
        came_from: dict[int, int] = {}
        frontier: list[tuple[int, int, int]] = [(heuristic(start), heuristic(start), start)]
        while frontier:
            estimate, h, current = heapq.heappop(frontier)
            cost = best[current]
            if estimate - h > cost:
                continue  # a stale entry: a shorter way here was found since
            if current == goal:
                steps = [current]
                while steps[-1] in came_from:
                    steps.append(came_from[steps[-1]])
                steps.pop()  # the start
                return tuple(reversed(steps))
            for nxt in neighbours[current]:
                new_cost = cost + 1
                if new_cost < best.get(nxt, self._size):
                    best[nxt] = new_cost
                    came_from[nxt] = current
                    nh = heuristic(nxt)
                    heapq.heappush(frontier, (new_cost + nh, nh, nxt))
        return None

    def _distance_field(self, address: Address) -> list[int]:
        """Steps from every tile to the nearest interaction tile of `address` (multi-source BFS)."""
        field = [UNREACHED] * self._size
        queue: deque[int] = deque()
        for tile in self.town.interaction_tiles(address):
            index = self._flat(tile)
            field[index] = 0
            queue.append(index)
        while queue:
            current = queue.popleft()
            for nxt in self._neighbours[current]:
                if field[nxt] == UNREACHED:
                    field[nxt] = field[current] + 1
                    queue.append(nxt)
        return field
