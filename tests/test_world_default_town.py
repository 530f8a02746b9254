"""The shipped maps load, and every place of them is reachable from every home spawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from world.pathfinding import Pathfinder
from world.tiled import load_town
from world.town import Town

MAPS = Path(__file__).resolve().parent.parent / "world" / "maps"


def shipped(name: str) -> Path:
    return MAPS / f"{name}.tmj"


@pytest.fixture(scope="module")
def smallville() -> Town:
    return load_town(shipped("smallville"))


def test_smallville_is_about_100_by_70(smallville: Town) -> None:
    assert 80 <= smallville.width <= 120 and 55 <= smallville.height <= 85
    assert {layer.name for layer in smallville.tile_layers} >= {"ground", "decor"}
    assert all(tileset.image.is_file() for tileset in smallville.tilesets)
    assert smallville.spawns


def test_every_place_is_reachable_from_every_spawn(smallville: Town) -> None:
    finder = Pathfinder(smallville)
    for spawn in smallville.spawns:
        for place in smallville.places:
            path = finder.path_to_place(spawn.tile, place.address)
            assert path is not None, f"{place.address} unreachable from spawn {spawn.name}"
            end = path[-1] if path else spawn.tile
            assert end in place.interaction_tiles


def test_tiny_loads() -> None:
    town = load_town(shipped("tiny"))
    assert len(town.spawns) >= 3 and len(town.places) > 0
    finder = Pathfinder(town)
    for spawn in town.spawns:
        for place in town.places:
            assert finder.path_to_place(spawn.tile, place.address) is not None
