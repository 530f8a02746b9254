"""Perception: vision radius (Euclidean), own area only, attention bandwidth, retention."""

from __future__ import annotations

import pytest

from world.address import Address
from world.grid import Tile
from world.layout import PlaceSpec, build_town, walkable_from_ascii
from world.perception import Perceiver, WorldEvent
from world.places import Rect
from world.town import Town

ROWS = [
    "#" * 30,
    "#....#" + "." * 23 + "#",
    "#....#" + "." * 23 + "#",
    "#....." + "." * 23 + "#",
    "#....#" + "." * 23 + "#",
    "######" + "." * 23 + "#",
    *["#" + "." * 28 + "#"] * 6,
    "#" * 30,
]
KITCHEN = Address("town", "house", "kitchen")
PARK = Address("town", "park")


@pytest.fixture(scope="module")
def town() -> Town:
    """A house with a kitchen (and a stove) west of a park without arenas."""
    return build_town(
        walkable=walkable_from_ascii(ROWS),
        sectors=[PlaceSpec("house", Rect(0, 0, 6, 6)), PlaceSpec("park", Rect(6, 0, 24, 13))],
        arenas=[PlaceSpec("kitchen", Rect(1, 1, 4, 4))],
        objects=[PlaceSpec("stove", Rect(1, 1, 1, 1))],
        spawns=[PlaceSpec("cook", Rect(2, 2)), PlaceSpec("walker", Rect(10, 3))],
    )


def event(town: Town, tile: Tile, what: str = "is walking", subject: str = "Sam") -> WorldEvent:
    return WorldEvent(subject, "is", what, f"{subject} {what}", tile, town.address_at(tile))


def described(perceived: tuple[WorldEvent, ...]) -> list[str]:
    return [e.description for e in perceived]


def test_vision_radius_is_euclidean(town: Town) -> None:
    perceiver = Perceiver(town, vision_radius=8)
    at = (10, 3)
    inside = [event(town, (18, 3), "a"), event(town, (16, 9), "b")]  # 8 and sqrt(72) ~ 8.5
    outside = [event(town, (19, 3), "c"), event(town, (17, 9), "d")]  # 9 and sqrt(85) ~ 9.2
    seen = perceiver.perceive(at, [*outside, *inside]).events
    assert described(seen) == ["Sam a"]  # (16, 9) lies in the Chebyshev square, not the disc
    assert perceiver.in_view(at, (18, 3)) and not perceiver.in_view(at, (16, 9))


def test_only_events_in_the_agents_own_area(town: Town) -> None:
    perceiver = Perceiver(town)
    events = [event(town, (4, 4), "cooking"), event(town, (7, 2), "jogging")]
    assert described(perceiver.perceive((2, 2), events).events) == ["Sam cooking"]
    assert described(perceiver.perceive((8, 2), events).events) == ["Sam jogging"]
    # The doorway belongs to the house but to no arena: neither kitchen nor park is in view.
    assert town.area_at((5, 3)) == Address("town", "house")
    assert perceiver.perceive((5, 3), events).events == ()


def test_attention_bandwidth_keeps_the_closest_with_stable_ties(town: Town) -> None:
    perceiver = Perceiver(town, attention_bandwidth=3)
    events = [
        event(town, (14, 3), "far"),
        event(town, (12, 3), "z-near"),
        event(town, (10, 5), "a-near"),  # same distance as z-near: the key decides
        event(town, (11, 3), "nearest"),
        event(town, (10, 7), "farther"),
    ]
    seen = perceiver.perceive((10, 3), events).events
    assert described(seen) == ["Sam nearest", "Sam a-near", "Sam z-near"]
    assert described(perceiver.perceive((10, 3), list(reversed(events))).events) == described(seen)


def test_retention_skips_recent_keys_only(town: Town) -> None:
    perceiver = Perceiver(town, retention=2)
    a, b, c = (event(town, (10 + i, 4), what) for i, what in enumerate("abc"))
    recent = [a.key, b.key, c.key]  # oldest first: only b and c are within retention
    assert described(perceiver.perceive((10, 3), [a, b, c], recent).events) == ["Sam a"]
    assert Perceiver(town, retention=0).perceive((10, 3), [a], [a.key]).events == (a,)


def test_bandwidth_is_applied_before_retention(town: Town) -> None:
    perceiver = Perceiver(town, attention_bandwidth=2)
    near, middle, far = (event(town, (10 + d, 3), w) for d, w in [(1, "n"), (2, "m"), (3, "f")])
    seen = perceiver.perceive((10, 3), [far, middle, near], recent=[near.key]).events
    assert seen == (middle,)  # the far event was not attended to at all


def test_same_news_twice_is_perceived_once_at_the_closest_tile(town: Town) -> None:
    perceiver = Perceiver(town)
    seen = perceiver.perceive((10, 3), [event(town, (15, 3)), event(town, (12, 3))]).events
    assert [e.tile for e in seen] == [(12, 3)]


def test_places_in_view(town: Town) -> None:
    perceiver = Perceiver(town)
    assert perceiver.perceive((2, 2), []).places == (KITCHEN, KITCHEN.child("stove"))
    assert perceiver.perceive((10, 3), []).places == (PARK,)
    with pytest.raises(ValueError, match="outside"):
        perceiver.perceive((30, 0), [])
