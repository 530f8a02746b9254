"""Who a resident is: the fixed part of an agent, built from the scenario."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Relationship:
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Persona:
    """The scenario's description of a resident; never changes during a run.

    `home` is the address of the arena with the resident's bed; `known_places`
    are addresses (sectors or arenas) its spatial memory starts with.
    """

    name: str
    age: int
    traits: tuple[str, ...]
    background: str
    occupation: str
    lifestyle: str
    home: str
    workplace: str | None = None
    known_places: tuple[str, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    seed_memories: tuple[str, ...] = ()
    wake_minute: int = 7 * 60
    sleep_minute: int = 23 * 60
    color: str | None = None
    intentions: tuple[str, ...] = field(default=())

    @property
    def bedtime_minute(self) -> int:
        """When the waking day ends, counted from today's midnight (past 1440 after midnight)."""
        return self.sleep_minute if self.sleep_minute > self.wake_minute else (
            self.sleep_minute + 24 * 60)

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    def identity(self) -> str:
        """The short, stable persona block that heads this agent's prompts."""
        traits = ", ".join(self.traits)
        return (f"Name: {self.name} (age {self.age})\n"
                f"Traits: {traits}\n"
                f"{self.background} {self.occupation}\n"
                f"Lifestyle: {self.lifestyle}")
