"""The mutable part of the world: each object's current state."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from world.address import Address
from world.errors import UnknownPlaceError
from world.town import Town


class ObjectStates(Mapping[Address, str]):
    """Object address -> current state ("idle", "brewing coffee").

    Kept apart from the immutable `Town` so a simulation can copy, store and
    restore it per tick. Every object of the town has a state; one that no
    action touched is in its idle state from the map.
    """

    def __init__(self, town: Town, states: Mapping[Address, str] | None = None) -> None:
        self._idle: dict[Address, str] = {
            place.address: place.state or "idle" for place in town.objects()
        }
        self._source = town.source
        self._states: dict[Address, str] = dict(self._idle)
        for address, state in (states or {}).items():
            self[address] = state

    def __getitem__(self, address: Address) -> str:
        return self._states[address]

    def __iter__(self) -> Iterator[Address]:
        return iter(self._states)

    def __len__(self) -> int:
        return len(self._states)

    def __setitem__(self, address: Address, state: str) -> None:
        if address not in self._idle:
            raise UnknownPlaceError(f"{self._source}: {str(address)!r} is not an object")
        if not state.strip():
            raise ValueError(f"{address}: a state must be non-empty")
        self._states[address] = state

    def idle_state(self, address: Address) -> str:
        """The state the map gives the object."""
        return self._idle[address]

    def reset(self, address: Address) -> None:
        """Put the object back to its idle state (an action on it ended)."""
        self[address] = self._idle[address]

    def changed(self) -> dict[Address, str]:
        """The objects not in their idle state."""
        return {a: s for a, s in self._states.items() if s != self._idle[a]}

    def copy(self) -> ObjectStates:
        clone = ObjectStates.__new__(ObjectStates)
        clone._idle = self._idle
        clone._source = self._source
        clone._states = dict(self._states)
        return clone

    def to_json(self) -> dict[str, str]:
        """The non-idle states keyed by address string: small and JSON-able."""
        return {str(address): state for address, state in sorted(self.changed().items())}

    @classmethod
    def from_json(cls, town: Town, data: Mapping[str, str]) -> ObjectStates:
        """Inverse of `to_json`; unknown addresses raise UnknownPlaceError."""
        states: dict[Address, str] = {}
        for text, state in data.items():
            states[town.require(text, "object states")] = state
        return cls(town, states)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ObjectStates):
            return NotImplemented
        return self._states == other._states

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"ObjectStates({len(self)} objects, {len(self.changed())} not idle)"
