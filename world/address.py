"""The address of a place: `world:sector:arena:object`, e.g. `town:Hobbs Cafe:cafe:counter`."""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import total_ordering
from typing import Literal, TypeAlias

Level: TypeAlias = Literal["world", "sector", "arena", "object"]
LEVELS: tuple[Level, ...] = ("world", "sector", "arena", "object")
SEPARATOR = ":"
MAX_LENGTH = 400
"""The longest address a run file stores ("world:sector:arena:object", in characters)."""


def check_name(name: str) -> str | None:
    """Why `name` cannot name a place, or None when it can.

    Names may hold spaces and apostrophes (`Eddy's bedroom`) but not the
    separator, and are never empty or padded with whitespace.
    """
    if not name:
        return "empty name"
    if SEPARATOR in name:
        return f"name {name!r} contains {SEPARATOR!r}"
    if name != name.strip():
        return f"name {name!r} starts or ends with whitespace"
    return None


@total_ordering
@dataclass(frozen=True, slots=True)
class Address:
    """A node of the place tree; deeper parts are None above the node's level."""

    world: str
    sector: str | None = None
    arena: str | None = None
    object: str | None = None

    def __post_init__(self) -> None:
        parts = (self.world, self.sector, self.arena, self.object)
        seen_gap = False
        for level, part in zip(LEVELS, parts, strict=True):
            if part is None:
                seen_gap = True
                continue
            if seen_gap:
                raise ValueError(f"address {parts!r}: {level} given without the levels above it")
            problem = check_name(part)
            if problem is not None:
                raise ValueError(f"address {parts!r}: {level} {problem}")

    @classmethod
    def parse(cls, text: str) -> Address:
        """`"town:Hobbs Cafe:cafe"` -> Address; whitespace around each part is dropped."""
        parts = [part.strip() for part in text.split(SEPARATOR)]
        if len(parts) > len(LEVELS):
            raise ValueError(f"address {text!r}: more than {len(LEVELS)} parts")
        for level, part in zip(LEVELS, parts, strict=False):
            problem = check_name(part)
            if problem is not None:
                raise ValueError(f"address {text!r}: {level} {problem}")
        return cls.of(parts)

    @classmethod
    def of(cls, parts: Sequence[str]) -> Address:
        """The address with these parts, world first (1 to 4 of them)."""
        if not 1 <= len(parts) <= len(LEVELS):
            raise ValueError(f"address {parts!r}: needs 1 to {len(LEVELS)} parts")
        world, *deeper = parts
        sector, arena, object_ = (*deeper, None, None, None)[:3]
        return cls(world, sector, arena, object_)

    @property
    def parts(self) -> tuple[str, ...]:
        """The non-empty parts, world first."""
        full = (self.world, self.sector, self.arena, self.object)
        return tuple(part for part in full if part is not None)

    @property
    def depth(self) -> int:
        """1 for the world, 2 for a sector, 3 for an arena, 4 for an object."""
        return len(self.parts)

    @property
    def level(self) -> Level:
        return LEVELS[self.depth - 1]

    @property
    def name(self) -> str:
        """The last part: the place's own name."""
        return self.parts[-1]

    @property
    def parent(self) -> Address | None:
        """The enclosing place; None for the world."""
        return self.truncate(self.depth - 1) if self.depth > 1 else None

    def child(self, name: str) -> Address:
        if self.depth == len(LEVELS):
            raise ValueError(f"address {self}: an object has no children")
        return Address.of((*self.parts, name))

    def truncate(self, depth: int) -> Address:
        """This address cut to at most `depth` parts (1 = world)."""
        if depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        return Address.of(self.parts[:depth])

    def lineage(self) -> Iterator[Address]:
        """The world, then each level down to this address."""
        for depth in range(1, self.depth + 1):
            yield self.truncate(depth)

    def is_within(self, other: Address) -> bool:
        """True when this place is `other` or lies inside it."""
        return self.parts[: other.depth] == other.parts

    def __str__(self) -> str:
        return SEPARATOR.join(self.parts)

    def __lt__(self, other: builtins.object) -> bool:
        if not isinstance(other, Address):
            return NotImplemented
        return self.parts < other.parts
