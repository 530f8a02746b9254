"""A* paths equal breadth-first shortest paths; paths to places reach the nearest use tile."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from world.address import Address
from world.grid import Tile, TileGrid
from world.layout import PlaceSpec, build_town, walkable_from_ascii
from world.pathfinding import Pathfinder
from world.places import Rect
from world.tiled import load_town
from world.town import Town

MINI = Path(__file__).parent / "fixtures" / "maps" / "mini.tmj"


def bfs_distances(grid: TileGrid, start: Tile) -> dict[Tile, int]:
    """Reference: plain breadth-first search from `start`."""
    distances = {start: 0}
    queue = deque([start])
    while queue:
        tile = queue.popleft()
        for nxt in grid.neighbours(tile):
            if nxt not in distances:
                distances[nxt] = distances[tile] + 1
                queue.append(nxt)
    return distances


def open_town(walkable: npt.NDArray[np.bool_]) -> Town:
    """A town with no places, only the grid (and a spawn, which the loader requires)."""
    y, x = (int(v) for v in np.argwhere(walkable)[0])
    return build_town(walkable=walkable, sectors=[], spawns=[PlaceSpec("s", Rect(x, y))])


def assert_valid(grid: TileGrid, start: Tile, goal: Tile, path: list[Tile]) -> None:
    previous = start
    for tile in path:
        assert grid.is_walkable(tile)
        assert abs(tile[0] - previous[0]) + abs(tile[1] - previous[1]) == 1
        previous = tile
    assert previous == goal


grids = st.integers(2, 9).flatmap(
    lambda w: st.integers(2, 9).flatmap(
        lambda h: st.lists(
            st.lists(st.booleans() | st.just(True), min_size=w, max_size=w), min_size=h, max_size=h
        )
    )
)


@settings(max_examples=200, deadline=None)
@given(grids, st.data())
def test_astar_matches_bfs(cells: list[list[bool]], data: st.DataObject) -> None:
    walkable = np.array(cells, dtype=bool)
    walkable[0, 0] = True
    finder = Pathfinder(open_town(walkable))
    grid = finder.town.grid
    open_tiles = [(int(x), int(y)) for y, x in np.argwhere(walkable)]
    start = data.draw(st.sampled_from(open_tiles))
    reference = bfs_distances(grid, start)
    for goal in [(x, y) for y in range(grid.height) for x in range(grid.width)]:
        path = finder.path(start, goal)
        if goal not in reference:
            assert path is None
        else:
            assert path is not None and len(path) == reference[goal]
            assert_valid(grid, start, goal, path)


def test_path_basics() -> None:
    rows = [
        ".....",
        ".###.",
        ".#...",
        "##.##",
        "...#.",
    ]
    finder = Pathfinder(open_town(walkable_from_ascii(rows)))
    assert finder.path((0, 0), (0, 0)) == []
    assert finder.path((0, 0), (2, 4)) == [
        (1, 0), (2, 0), (3, 0), (4, 0), (4, 1), (4, 2), (3, 2), (2, 2), (2, 3), (2, 4)
    ]  # fmt: skip
    assert finder.path((0, 0), (4, 4)) is None  # cut off
    assert finder.path((0, 0), (1, 1)) is None  # blocked goal
    assert finder.path((1, 1), (0, 0)) == [(1, 0), (0, 0)]  # may leave a blocked start
    assert finder.distance((0, 0), (2, 2)) == 8
    first = finder.path((0, 0), (2, 4))
    assert first is not None
    first.clear()  # callers may consume the list without harming the cache
    assert finder.distance((0, 0), (2, 4)) == 10
    assert finder.cache_info()["hits"] >= 1
    with pytest.raises(ValueError, match="outside"):
        finder.path((0, 0), (5, 0))


def test_path_to_place_reaches_the_nearest_interaction_tile() -> None:
    town = load_town(MINI)
    finder = Pathfinder(town)
    for place in town.places:
        targets = set(town.interaction_tiles(place.address))
        for y in range(town.height):
            for x in range(town.width):
                start = (x, y)
                if not town.grid.is_walkable(start):
                    continue
                reference = bfs_distances(town.grid, start)
                path = finder.path_to_place(start, place.address)
                assert path is not None
                assert len(path) == min(reference[t] for t in targets if t in reference)
                end = path[-1] if path else start
                assert end in targets
                assert_valid(town.grid, start, end, path)


def test_path_to_place_from_a_blocked_tile_and_unknown_place() -> None:
    town = load_town(MINI)
    finder = Pathfinder(town)
    bed = Address.parse("town:Lin family house:Eddy's bedroom:bed")
    path = finder.path_to_place((1, 8), bed)  # standing on the (blocked) bed itself
    assert path == [(2, 8)]  # the first of the equally near tiles (east before north)
    with pytest.raises(ValueError):
        finder.path_to_place((1, 7), Address.parse("town:nowhere"))
