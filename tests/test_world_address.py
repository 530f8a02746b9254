"""Addresses: parsing, formatting, tree relations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from world.address import Address


def test_format_and_parse() -> None:
    address = Address("town", "Hobbs Cafe", "cafe", "counter")
    assert str(address) == "town:Hobbs Cafe:cafe:counter"
    assert Address.parse("town:Hobbs Cafe:cafe:counter") == address
    assert Address.parse(" town : Lin house :Eddy's bedroom") == Address(
        "town", "Lin house", "Eddy's bedroom"
    )
    assert (address.depth, address.level, address.name) == (4, "object", "counter")
    assert Address("town").level == "world"


@pytest.mark.parametrize("text", ["", "town:", "town::cafe", "a:b:c:d:e"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="address"):
        Address.parse(text)


def test_constructor_rejects_gaps_and_separators() -> None:
    with pytest.raises(ValueError, match="without the levels above"):
        Address("town", None, "cafe")
    with pytest.raises(ValueError, match="contains ':'"):
        Address("town", "a:b")
    with pytest.raises(ValueError, match="whitespace"):
        Address("town", " cafe")


def test_relations() -> None:
    counter = Address.parse("town:Hobbs Cafe:cafe:counter")
    cafe = Address.parse("town:Hobbs Cafe:cafe")
    assert counter.parent == cafe and Address("town").parent is None
    assert cafe.child("counter") == counter
    assert counter.is_within(cafe) and counter.is_within(counter)
    assert not cafe.is_within(counter)
    assert not Address.parse("town:Hobbs Cafe:cafeteria").is_within(cafe)
    assert [str(a) for a in counter.lineage()] == [
        "town",
        "town:Hobbs Cafe",
        "town:Hobbs Cafe:cafe",
        "town:Hobbs Cafe:cafe:counter",
    ]
    assert counter.truncate(3) == cafe and cafe.truncate(9) == cafe
    assert sorted([counter, cafe, Address("town")]) == [Address("town"), cafe, counter]
    with pytest.raises(ValueError):
        counter.child("x")


names = st.text(st.characters(blacklist_characters=":", blacklist_categories=("Cs",)), min_size=1)


@given(st.lists(names.map(str.strip).filter(bool), min_size=1, max_size=4))
def test_round_trip(parts: list[str]) -> None:
    address = Address(*parts)
    assert Address.parse(str(address)) == address
