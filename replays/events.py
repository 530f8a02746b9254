"""What the event log records: the kinds of world events and the payload each carries.

The scheduler hands the writer any objects with `kind`, `agent` and
`payload` (`WorldEventLike`); the reader hands back `LogEvent`s. Payloads are
plain JSON so a run file stays readable without this code.

| kind           | agent     | payload                                                       |
|----------------|-----------|---------------------------------------------------------------|
| `move`         | who       | `tile: [x, y]`                                                |
| `action`       | who       | `description, pictogram, address, start_tick, duration`       |
| `utterance`    | speaker   | `to, text, conversation_id`                                   |
| `conversation` | each side | `with, state: "start" or "end", summary?`                      |
| `object_state` | None/who  | `address, state`                                              |
| `sleep`/`wake` | who       | (nothing)                                                     |
| `reflection`   | who       | `text`                                                        |
| `whisper`      | to whom   | `text` (injected by a user)                                   |
| `event`        | None      | `text, address?` (injected by a user, e.g. a fire at the stove) |
| `fallback`     | who       | `tag` of a prompt whose answer was unusable (fallback taken)  |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

REQUIRED_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "move": frozenset({"tile"}),
    "action": frozenset({"description", "pictogram", "address", "start_tick", "duration"}),
    "utterance": frozenset({"to", "text", "conversation_id"}),
    "conversation": frozenset({"with", "state"}),
    "object_state": frozenset({"address", "state"}),
    "sleep": frozenset(),
    "wake": frozenset(),
    "reflection": frozenset({"text"}),
    "whisper": frozenset({"text"}),
    "event": frozenset({"text"}),
    "fallback": frozenset({"tag"}),
}
KINDS: Final[frozenset[str]] = frozenset(REQUIRED_KEYS)
AGENTLESS_KINDS: Final[frozenset[str]] = frozenset({"object_state", "event"})
SEARCHABLE_KINDS: Final[frozenset[str]] = frozenset(
    {"utterance", "conversation", "reflection", "whisper", "event"}
)
CONVERSATION_STATES: Final[frozenset[str]] = frozenset({"start", "end"})


class WorldEventLike(Protocol):
    """Anything the scheduler produced that the log can store."""

    @property
    def kind(self) -> str: ...

    @property
    def agent(self) -> str | None: ...

    @property
    def payload(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One logged event as the reader returns it; also a handy `WorldEventLike` for tests."""

    tick: int
    kind: str
    agent: str | None
    payload: Mapping[str, Any] = field(default_factory=dict)


def check_event(event: WorldEventLike) -> None:
    """Raise ValueError when `event` is not something the log (and its readers) understand.

    Checked at write time so a scheduler bug fails the tick that made it,
    not a replay weeks later.
    """
    required = REQUIRED_KEYS.get(event.kind)
    if required is None:
        raise ValueError(f"unknown event kind {event.kind!r} (known: {', '.join(sorted(KINDS))})")
    missing = required - set(event.payload)
    if missing:
        raise ValueError(f"{event.kind} event: payload lacks {', '.join(sorted(missing))}")
    if event.agent is None and event.kind not in AGENTLESS_KINDS:
        raise ValueError(f"{event.kind} event: needs the agent it happened to")
    if event.kind == "move":
        tile = event.payload["tile"]
        if not (isinstance(tile, list | tuple) and len(tile) == 2
                and all(isinstance(v, int) for v in tile)):
            raise ValueError(f"move event: tile must be [x, y] integers, got {tile!r}")
    if event.kind == "conversation" and event.payload["state"] not in CONVERSATION_STATES:
        raise ValueError(f"conversation event: state must be start or end, got "
                         f"{event.payload['state']!r}")


def searchable_text(kind: str, payload: Mapping[str, Any]) -> str | None:
    """The words a dialogue search should find in an event, or None when it has none."""
    if kind not in SEARCHABLE_KINDS:
        return None
    key = "summary" if kind == "conversation" else "text"
    text = payload.get(key)
    return str(text) if text else None
