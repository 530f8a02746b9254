"""The tables `agents` owns: residents' state, memory streams, plans and conversations.

`sim` creates them (with every other package's tables) in the run file; the
scheduler writes them in each tick's transaction and the replay viewer reads
them, so the table and column names here are a contract: keep them stable.

Everything an agent carries from one tick to the next lives in `AgentRow`
(no generator outlives its tick), so a run resumed after a crash continues
exactly. Only portable column types are used (JSON, LargeBinary, String,
Integer, ...), so the same classes work on SQLite and PostgreSQL.

JSON columns are not mutation-tracked: assign a new value (`row.path = [...]`)
rather than changing the stored list or dict in place.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from world import address

NAME_LENGTH = 200
"""The longest resident (or scenario) name a run file stores, in characters."""
ADDRESS_LENGTH = address.MAX_LENGTH
PICTOGRAM_LENGTH = 32


class AgentsBase(DeclarativeBase):
    """The declarative base of the tables owned by `agents`."""


class MemoryKind(StrEnum):
    """What a memory record is; interview-time ablation filters on it."""

    OBSERVATION = "observation"
    REFLECTION = "reflection"
    PLAN = "plan"
    DIALOGUE = "dialogue"
    THOUGHT = "thought"  # a whispered thought, injected by a user


class PlanLevel(StrEnum):
    """How fine a plan item is: the day in broad strokes, an hour-long chunk, a 5-15 min action."""

    DAY = "day"
    HOUR = "hour"
    ACTION = "action"


def _str_enum(enum_class: type[StrEnum]) -> Enum:
    """A portable enum column: stored as its string value, checked by SQLAlchemy, not the DB."""
    return Enum(enum_class, native_enum=False, length=16,
                values_callable=lambda members: [m.value for m in members])


class AgentRow(AgentsBase):
    """One resident: who it is (`persona`) and everything it carries between ticks.

    `state` is what the scheduler restores a resident from; the other state
    columns copy parts of it for readers (the viewer, inspect) that should not
    have to parse it. Ticks are absolute simulation ticks. Game days are ISO
    dates ("2023-02-13"). The current action is spread over the `action_*`
    columns, all None when the agent has none. `path` is the list of tiles
    still to walk, as `[x, y]` pairs.
    """

    __tablename__ = "agent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    persona: Mapped[dict[str, Any]] = mapped_column(JSON, doc="the scenario's persona, as JSON")
    state: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict,
        doc="the cognition state the scheduler carries between ticks "
            "(agents.state.AgentState.to_json()); the other columns mirror the parts "
            "readers need (position, action, asleep)")

    summary: Mapped[str] = mapped_column(Text, default="",
                                         doc="the cached summary description heading prompts")
    summary_day: Mapped[str | None] = mapped_column(
        String(10), default=None, doc="the game day (ISO date) the summary was made; None: never")

    tile_x: Mapped[int] = mapped_column(Integer)
    tile_y: Mapped[int] = mapped_column(Integer)
    asleep: Mapped[bool] = mapped_column(Boolean, default=True)

    action_description: Mapped[str | None] = mapped_column(Text, default=None)
    action_address: Mapped[str | None] = mapped_column(
        String(ADDRESS_LENGTH), default=None, doc="world:sector:arena:object")
    action_start_tick: Mapped[int | None] = mapped_column(Integer, default=None)
    action_duration_ticks: Mapped[int | None] = mapped_column(Integer, default=None)
    action_pictogram: Mapped[str | None] = mapped_column(
        String(PICTOGRAM_LENGTH), default=None, doc="an emoji or a short code")
    path: Mapped[list[list[int]]] = mapped_column(JSON, default=list,
                                                  doc="tiles still to walk, [[x, y], ...]")

    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", use_alter=True, name="fk_agent_conversation"),
        default=None, doc="the conversation the agent is in; None when it is in none")
    conversation_turn_id: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id"),
        default=None, doc="the agent whose turn it is to speak in that conversation")
    busy_until_tick: Mapped[int | None] = mapped_column(
        Integer, default=None, doc="the agent takes no new decision before this tick")
    cooldowns: Mapped[dict[str, int]] = mapped_column(
        JSON, default=dict, doc="other agent's name -> tick before which they will not talk again")
    recent_perceived: Mapped[list[list[str]]] = mapped_column(
        JSON, default=list, doc="keys of recently perceived events, oldest first (retention): "
                                "[subject, predicate, object, description] each")
    known_places: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, doc="world.spatial_memory.SpatialMemory.to_json()")

    importance_since_reflection: Mapped[int] = mapped_column(
        Integer, default=0, doc="summed importance of records since the last reflection")
    last_reflection_tick: Mapped[int | None] = mapped_column(
        Integer, default=None, doc="None: the agent has not reflected yet")

    @property
    def action_end_tick(self) -> int | None:
        """The first tick after the current action; None without one."""
        if self.action_start_tick is None or self.action_duration_ticks is None:
            return None
        return self.action_start_tick + self.action_duration_ticks


class MemoryRow(AgentsBase):
    """One record of an agent's memory stream; append-only except `last_accessed_tick`.

    `embedding` is the description's embedding as little-endian float32 bytes
    (see `agents.embeddings`). `evidence_ids` are the memory ids a reflection
    cites (reflections may cite reflections). A dialogue memory points to the
    utterance or conversation it remembers, which is stored once.
    """

    __tablename__ = "memory"
    __table_args__ = (Index("ix_memory_agent_id_id", "agent_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    kind: Mapped[MemoryKind] = mapped_column(_str_enum(MemoryKind))
    created_tick: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(32),
                                            doc="game time of creation, ISO 8601")
    last_accessed_tick: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    importance: Mapped[int] = mapped_column(Integer, doc="1 (mundane) .. 10 (life-changing)")
    embedding: Mapped[bytes] = mapped_column(LargeBinary)
    subject: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    predicate: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    object_: Mapped[str | None] = mapped_column("object", String(NAME_LENGTH), default=None)
    evidence_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    utterance_id: Mapped[int | None] = mapped_column(ForeignKey("utterance.id"), default=None)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id"),
                                                        default=None)


class PlanRow(AgentsBase):
    """One item of an agent's plan for a game day, at one of three levels.

    `position` orders items within (agent, day, level). Hour and action items
    always have `start_tick` and `duration_ticks`; a day-plan item may give its
    time only in words. A re-plan keeps the old items and sets their
    `replaced_tick`, so the viewer can show the plan as it stood at any tick.
    """

    __tablename__ = "plan_item"
    __table_args__ = (
        Index("ix_plan_item_agent_day_level", "agent_id", "day", "level", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    day: Mapped[str] = mapped_column(String(10), doc="the game day, ISO date")
    level: Mapped[PlanLevel] = mapped_column(_str_enum(PlanLevel))
    position: Mapped[int] = mapped_column(Integer)
    start_tick: Mapped[int | None] = mapped_column(Integer, default=None)
    duration_ticks: Mapped[int | None] = mapped_column(Integer, default=None)
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(ADDRESS_LENGTH), default=None)
    pictogram: Mapped[str | None] = mapped_column(String(PICTOGRAM_LENGTH), default=None)
    memory_id: Mapped[int | None] = mapped_column(
        ForeignKey("memory.id"), default=None, doc="the plan memory this item was stored as")
    replaced_tick: Mapped[int | None] = mapped_column(
        Integer, default=None, doc="the tick a re-plan superseded it; None while it stands")


class ConversationRow(AgentsBase):
    """A conversation between two agents; `agent_a_id` started it. One utterance per tick."""

    __tablename__ = "conversation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_a_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    agent_b_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    started_tick: Mapped[int] = mapped_column(Integer)
    ended_tick: Mapped[int | None] = mapped_column(Integer, default=None,
                                                   doc="None while it goes on")
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str | None] = mapped_column(Text, default=None)


class UtteranceRow(AgentsBase):
    """One thing said, stored once; dialogue memories and the event log refer to it."""

    __tablename__ = "utterance"
    __table_args__ = (Index("ix_utterance_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"))
    tick: Mapped[int] = mapped_column(Integer)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    listener_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    text: Mapped[str] = mapped_column(Text)
