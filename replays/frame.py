"""A `Frame`: everything a viewer draws at one tick, advanced by applying logged events.

The scheduler keeps one Frame current while it runs (applying the same events
it logs) and the writer stores it as a keyframe every N ticks; the reader
rebuilds the frame at any tick from the nearest keyframe plus the events
after it. Both go through `Frame.advance` and `Frame.apply`, so a seek and
a replay from the start cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from replays.events import WorldEventLike

UTTERANCE_TICKS: Final[int] = 6
"""How many ticks a line stays in its speech bubble (unless the speaker says another)."""

Tile = tuple[int, int]


@dataclass(slots=True)
class AgentFrame:
    """One resident as drawn: where, doing what, saying what.

    `utterance` is the line said at `said_at`, shown until `UTTERANCE_TICKS`
    have passed; `tile` is None until the resident's first move is logged.
    """

    tile: Tile | None = None
    action: str = ""
    pictogram: str = ""
    address: str = ""
    talking_to: str | None = None
    utterance: str | None = None
    said_at: int | None = None
    asleep: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "tile": list(self.tile) if self.tile is not None else None,
            "action": self.action,
            "pictogram": self.pictogram,
            "address": self.address,
            "talking_to": self.talking_to,
            "utterance": self.utterance,
            "said_at": self.said_at,
            "asleep": self.asleep,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AgentFrame:
        tile = data.get("tile")
        return cls(
            tile=(int(tile[0]), int(tile[1])) if tile is not None else None,
            action=str(data.get("action", "")),
            pictogram=str(data.get("pictogram", "")),
            address=str(data.get("address", "")),
            talking_to=data.get("talking_to"),
            utterance=data.get("utterance"),
            said_at=data.get("said_at"),
            asleep=bool(data.get("asleep", False)),
        )


@dataclass(slots=True)
class Frame:
    """The visible state of the town at `tick`: residents by name, changed object states."""

    tick: int = 0
    agents: dict[str, AgentFrame] = field(default_factory=dict)
    object_states: dict[str, str] = field(default_factory=dict)

    def copy(self) -> Frame:
        """A frame that applying events to will not change this one."""
        return Frame(
            tick=self.tick,
            agents={name: replace(agent) for name, agent in self.agents.items()},
            object_states=dict(self.object_states),
        )

    def advance(self, tick: int) -> None:
        """Move the clock to `tick` (never back): lines older than `UTTERANCE_TICKS` fade."""
        if tick < self.tick:
            raise ValueError(f"a frame cannot go back in time (from tick {self.tick} to {tick})")
        self.tick = tick
        for agent in self.agents.values():
            if agent.said_at is not None and tick - agent.said_at >= UTTERANCE_TICKS:
                agent.utterance = None
                agent.said_at = None

    def step(self, tick: int, events: Iterable[WorldEventLike]) -> None:
        """Advance to `tick` and apply the events that happened at it, in order."""
        self.advance(tick)
        for event in events:
            self.apply(event)

    def apply(self, event: WorldEventLike) -> None:
        """Apply one event that happened at the frame's current tick.

        Kinds that change nothing visible (reflections, whispers, injected
        events) are accepted and ignored, so callers can apply a tick's
        whole list.
        """
        payload = event.payload
        if event.kind == "object_state":
            self.object_states[str(payload["address"])] = str(payload["state"])
            return
        if event.agent is None:
            return
        agent = self.agents.get(event.agent)
        if agent is None:
            agent = self.agents[event.agent] = AgentFrame()
        match event.kind:
            case "move":
                x, y = payload["tile"]
                agent.tile = (int(x), int(y))
            case "action":
                agent.action = str(payload["description"])
                agent.pictogram = str(payload["pictogram"])
                agent.address = str(payload["address"])
            case "utterance":
                agent.utterance = str(payload["text"])
                agent.said_at = self.tick
                agent.talking_to = str(payload["to"])
            case "conversation":
                agent.talking_to = str(payload["with"]) if payload["state"] == "start" else None
            case "sleep":
                agent.asleep = True
            case "wake":
                agent.asleep = False
            case _:
                pass

    def to_json(self) -> dict[str, Any]:
        return {
            "tick": self.tick,
            "agents": {name: agent.to_json() for name, agent in sorted(self.agents.items())},
            "object_states": dict(sorted(self.object_states.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Frame:
        return cls(
            tick=int(data["tick"]),
            agents={name: AgentFrame.from_json(a) for name, a in data.get("agents", {}).items()},
            object_states={str(k): str(v) for k, v in data.get("object_states", {}).items()},
        )
