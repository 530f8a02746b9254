"""Town look-ups (tile <-> address, interaction tiles, spawns) and object states."""

from __future__ import annotations

from pathlib import Path

import pytest

from world.address import Address
from world.errors import MapError, UnknownPlaceError
from world.layout import PlaceSpec, build_town, walkable_from_ascii
from world.objects import ObjectStates
from world.places import Rect
from world.tiled import load_town
from world.town import Town

MINI = Path(__file__).parent / "fixtures" / "maps" / "mini.tmj"
CAFE = Address("town", "Hobbs Cafe", "cafe")
COUNTER = CAFE.child("counter")
MACHINE = CAFE.child("coffee machine")
BEDROOM = Address("town", "Lin family house", "Eddy's bedroom")
BED = BEDROOM.child("bed")
PARK = Address("town", "Johnson Park")


@pytest.fixture(scope="module")
def town() -> Town:
    return load_town(MINI)


def test_address_at_is_deepest_place(town: Town) -> None:
    assert town.address_at((1, 1)) == COUNTER
    assert town.address_at((3, 1)) == MACHINE
    assert town.address_at((3, 3)) == CAFE
    assert town.address_at((5, 3)) == Address("town", "Hobbs Cafe")  # the doorway
    assert town.address_at((10, 4)) == PARK
    assert town.area_at((1, 1)) == CAFE and town.area_at((10, 4)) == PARK
    with pytest.raises(ValueError, match="outside"):
        town.address_at((16, 0))


def test_tiles_and_interaction_tiles(town: Town) -> None:
    assert town.tiles_of(MACHINE) == {(3, 1)}
    # A blocked object is used from the walkable tiles next to it.
    assert town.interaction_tiles(MACHINE) == ((2, 1), (3, 2), (4, 1))
    assert town.interaction_tiles(BED) == ((1, 7), (2, 8))
    # A room is reached inside it, never through its wall.
    assert all(tile in town.tiles_of(BEDROOM) for tile in town.interaction_tiles(BEDROOM))
    for place in town.places:
        for tile in town.interaction_tiles(place.address):
            assert town.grid.is_walkable(tile)


def test_tree_navigation(town: Town) -> None:
    assert town.children(town.root) == (
        Address("town", "Hobbs Cafe"),
        PARK,
        Address("town", "Lin family house"),
    )
    assert town.children(CAFE) == (MACHINE, COUNTER)
    assert [p.address for p in town.objects()] == [MACHINE, COUNTER, BED]
    assert town.spawns_in(BEDROOM)[0].name == "Eddy Lin"
    assert town.spawns_in(Address("town", "Hobbs Cafe"))[0].tile == (2, 3)
    assert town.spawns_in(PARK) == ()
    with pytest.raises(UnknownPlaceError):
        town.place(CAFE.child("piano"))


def test_object_states_are_separate_from_the_town(town: Town) -> None:
    states = ObjectStates(town)
    assert states[MACHINE] == "idle" and len(states) == 3
    states[MACHINE] = "brewing coffee"
    snapshot = states.copy()
    states.reset(MACHINE)
    assert states[MACHINE] == "idle" and snapshot[MACHINE] == "brewing coffee"
    assert ObjectStates(town)[MACHINE] == "idle"  # the town was not changed
    assert snapshot.to_json() == {"town:Hobbs Cafe:cafe:coffee machine": "brewing coffee"}
    assert ObjectStates.from_json(town, snapshot.to_json()) == snapshot
    with pytest.raises(UnknownPlaceError):
        states[CAFE] = "busy"
    with pytest.raises(UnknownPlaceError):
        ObjectStates.from_json(town, {"town:Hobbs Cafe:cafe:piano": "playing"})


def test_build_town_from_ascii() -> None:
    rows = ["#####", "#...#", "#####"]
    town = build_town(
        walkable=walkable_from_ascii(rows),
        sectors=[PlaceSpec("house", Rect(0, 0, 5, 3))],
        arenas=[PlaceSpec("hall", Rect(1, 1, 3, 1))],
        objects=[PlaceSpec("lamp", Rect(3, 1, 1, 1), state="off")],
        spawns=[PlaceSpec("a", Rect(1.5, 1.5))],
    )
    assert (
        town.source == "<town>" and town.place(Address.parse("town:house:hall:lamp")).state == "off"
    )
    with pytest.raises(MapError, match=r"^<town>: object 'lamp': not inside any arena$"):
        build_town(
            walkable=walkable_from_ascii(rows),
            sectors=[PlaceSpec("house", Rect(0, 0, 5, 3))],
            objects=[PlaceSpec("lamp", Rect(3, 1, 1, 1))],
            spawns=[PlaceSpec("a", Rect(1, 1))],
        )


def test_overlapping_places_resolve_to_the_smallest() -> None:
    town = build_town(
        walkable=walkable_from_ascii(["....", "...."]),
        sectors=[PlaceSpec("big", Rect(0, 0, 4, 2)), PlaceSpec("small", Rect(2, 0, 1, 1))],
        spawns=[PlaceSpec("a", Rect(0, 0))],
    )
    assert town.address_at((2, 0)) == Address("town", "small")
    assert town.address_at((3, 0)) == Address("town", "big")
