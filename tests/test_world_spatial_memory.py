"""Spatial memory: built from known places, grows by learning, survives a JSON round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from world.address import Address
from world.errors import UnknownPlaceError
from world.perception import Perceiver
from world.spatial_memory import SpatialMemory
from world.tiled import load_town
from world.town import Town

MINI = Path(__file__).parent / "fixtures" / "maps" / "mini.tmj"


@pytest.fixture(scope="module")
def town() -> Town:
    return load_town(MINI)


def test_a_sector_brings_its_subtree_an_object_only_its_lineage(town: Town) -> None:
    memory = SpatialMemory.from_addresses(
        town, ["town:Lin family house", "Hobbs Cafe:cafe:counter"]
    )
    assert memory.sectors() == ["Hobbs Cafe", "Lin family house"]
    assert memory.arenas("Lin family house") == ["Eddy's bedroom"]
    assert memory.objects("Lin family house", "Eddy's bedroom") == ["bed"]
    assert memory.objects("Hobbs Cafe", "cafe") == ["counter"]  # not the coffee machine
    assert memory.arenas("Johnson Park") == [] and memory.objects("x", "y") == []
    assert memory.knows(Address.parse("town:Hobbs Cafe:cafe"))
    assert not memory.knows(Address.parse("town:Hobbs Cafe:cafe:coffee machine"))
    assert not memory.knows(Address.parse("elsewhere:Hobbs Cafe"))
    with pytest.raises(UnknownPlaceError):
        SpatialMemory.from_addresses(town, ["town:Town Hall"])


def test_learning_grows_it(town: Town) -> None:
    memory = SpatialMemory.from_addresses(town, ["town:Lin family house"])
    machine = Address.parse("town:Hobbs Cafe:cafe:coffee machine")
    assert memory.learn(machine) is True
    assert memory.learn(machine) is False
    assert memory.learn(Address.parse("town:Hobbs Cafe")) is False
    assert memory.knows(machine) and memory.arenas("Hobbs Cafe") == ["cafe"]
    # What an agent sees from the cafe is enough to learn the cafe's objects.
    for place in Perceiver(town).perceive((2, 3), []).places:
        memory.learn(place)
    assert memory.objects("Hobbs Cafe", "cafe") == ["coffee machine", "counter"]
    with pytest.raises(ValueError, match="not in world"):
        memory.learn(Address("mars", "crater"))


def test_json_round_trip(town: Town) -> None:
    memory = SpatialMemory.from_addresses(town, ["town:Hobbs Cafe", "town:Johnson Park"])
    data = json.loads(json.dumps(memory.to_json()))
    assert data == {
        "world": "town",
        "places": {
            "Hobbs Cafe": {"cafe": ["coffee machine", "counter"]},
            "Johnson Park": {},
        },
    }
    assert SpatialMemory.from_json(data) == memory
    assert SpatialMemory.from_json(data) != SpatialMemory("town")
    assert [str(a) for a in memory.addresses()][:2] == ["town:Hobbs Cafe", "town:Hobbs Cafe:cafe"]
    with pytest.raises(ValueError):
        SpatialMemory.from_json({"world": "town", "places": {"a": {"b": "c"}}})
    with pytest.raises(ValueError):
        SpatialMemory.from_json({"world": "town", "places": {"a:b": {}}})
