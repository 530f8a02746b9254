"""Everything an agent carries from one tick to the next.

No cognition generator outlives its tick; what must survive is here, and is
saved with the agent's row in the tick's transaction. A run resumed after a
crash rebuilds exactly this and continues as if it had never stopped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from world.address import Address

Tile = tuple[int, int]


@dataclass(slots=True)
class ScheduledActivity:
    """A stretch of the day: an hourly chunk, or a 5-15 minute action within one."""

    start_minute: int
    duration: int
    description: str

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.duration


def activity_at(items: list[ScheduledActivity], minute: int) -> ScheduledActivity | None:
    """The item of a contiguous schedule that covers `minute` of the day."""
    for item in items:
        if item.start_minute <= minute < item.end_minute:
            return item
    return None


SLEEPING = "sleeping"
"""The activity of a resident in bed: its action's description and what others see."""


def talking_with(partner: str) -> str:
    """The activity of a resident in a conversation with `partner`."""
    return f"talking with {partner}"


@dataclass(slots=True)
class CurrentAction:
    description: str
    address: Address
    start_tick: int
    end_tick: int
    pictogram: str = ""
    reaction: bool = False
    sleep: bool = False


@dataclass(slots=True)
class Conversation:
    """The agent's side of an ongoing conversation."""

    id: int
    partner: str
    initiator: str
    started_tick: int
    turn: str
    rounds: int = 0


@dataclass(slots=True)
class AgentState:
    tile: Tile
    asleep: bool = True
    action: CurrentAction | None = None
    path: list[Tile] = field(default_factory=list)
    plan_day: str | None = None  # the game day (ISO date) of day_plan; None: never planned
    day_plan: list[ScheduledActivity] = field(default_factory=list)
    schedule: list[ScheduledActivity] = field(default_factory=list)
    actions: list[ScheduledActivity] = field(default_factory=list)
    chunk_place: Address | None = None  # where the current hour's chunk happens
    conversation: Conversation | None = None
    cooldowns: dict[str, int] = field(default_factory=dict)
    recent_perceived: list[tuple[str, str, str, str]] = field(default_factory=list)
    intentions: list[str] = field(default_factory=list)
    importance_since_reflection: float = 0.0
    last_reflection_tick: int = 0
    summary: str = ""
    summary_day: str | None = None  # the game day (ISO date) of summary; None: never made
    yesterday: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values; addresses as their text (`town:Hobbs Cafe:cafe`)."""
        data = asdict(self)
        if self.action is not None:
            data["action"]["address"] = str(self.action.address)
        if self.chunk_place is not None:
            data["chunk_place"] = str(self.chunk_place)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AgentState:
        data = dict(data)
        data["tile"] = tuple(data["tile"])
        data["path"] = [tuple(t) for t in data.get("path", [])]
        data["recent_perceived"] = [tuple(k) for k in data.get("recent_perceived", [])]
        for key in ("day_plan", "schedule", "actions"):
            data[key] = [ScheduledActivity(**item) for item in data.get(key, [])]
        if data.get("action") is not None:
            action = dict(data["action"])
            action["address"] = Address.parse(action["address"])
            data["action"] = CurrentAction(**action)
        if data.get("chunk_place") is not None:
            data["chunk_place"] = Address.parse(data["chunk_place"])
        if data.get("conversation") is not None:
            data["conversation"] = Conversation(**data["conversation"])
        return cls(**data)
