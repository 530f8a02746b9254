"""The tables `sim` owns: the run file's identity, the run, its model calls, its inbox.

Agents and replays define their own tables on their own declarative bases; `sim.db` creates
them all in one run file. Only portable column types are used, so the same classes work on
SQLite and PostgreSQL. JSON payloads are stored as text: the model-call log keeps exactly the
bytes it wrote (non-finite logprobs included), which a native JSON column would not.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    Float,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from agents.tables import ADDRESS_LENGTH, NAME_LENGTH


def _string_enum(enum: type[StrEnum]) -> Enum:
    """A portable enum column: the values as short strings, checked by SQLAlchemy, no DB type."""
    return Enum(enum, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class SimBase(DeclarativeBase):
    """The declarative base of the tables owned by `sim`."""


class Meta(SimBase):
    """Key/value facts about the file itself: which program wrote it, in which schema version."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RunStatus(StrEnum):
    """Where a run stands; only `running` with a fresh heartbeat means a process advances it."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    STOPPED = "stopped"
    """Created and not advanced yet, or interrupted by the user (Ctrl-C): resumable."""


class Run(SimBase):
    """The one run a file holds: what was simulated, with which seed and model, and how far."""

    __tablename__ = "run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario: Mapped[str] = mapped_column(String(NAME_LENGTH))
    scenario_config: Mapped[str] = mapped_column(Text, doc="the resolved scenario, as JSON")
    seed: Mapped[int] = mapped_column(BigInteger)
    model_info: Mapped[str] = mapped_column(Text, doc="the answering model's ModelInfo, as JSON")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
    last_tick: Mapped[int | None] = mapped_column(
        Integer, default=None, doc="the last tick whose transaction committed; None before any"
    )
    status: Mapped[RunStatus] = mapped_column(
        _string_enum(RunStatus), default=RunStatus.RUNNING,
    )
    failure: Mapped[str | None] = mapped_column(
        Text, default=None, doc="why the run stopped on an error (status failed), in one line"
    )
    heartbeat_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=None,
        doc="the database's clock when the advancing process last said it is alive",
    )


class ModelCall(SimBase):
    """One request answered by the model, logged so that a run can be audited and replayed."""

    __tablename__ = "model_call"
    __table_args__ = (Index("ix_model_call_fingerprint", "fingerprint"),
                      Index("ix_model_call_tick", "tick"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tick: Mapped[int] = mapped_column(Integer)
    tag: Mapped[str] = mapped_column(String(200), default="", doc="phase or purpose")
    batch_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    request: Mapped[str] = mapped_column(Text, doc="the request, as JSON")
    fingerprint: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(Text, doc="the result, as JSON")
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    computed_prompt_tokens: Mapped[int] = mapped_column(
        Integer, default=0, doc="prompt tokens the model ran for it (cached prefixes excluded)")
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_s: Mapped[float] = mapped_column(Float, default=0.0)
    backend: Mapped[str] = mapped_column(String(64), default="")
    cached: Mapped[bool] = mapped_column(
        Boolean, default=False, doc="answered from the run's cache (or a repeat in its batch)"
    )


class InboxKind(StrEnum):
    WHISPER = "whisper"
    EVENT = "event"


class InboxItem(SimBase):
    """A whisper to an agent or an event at a place, waiting for the scheduler's next tick."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_processed_tick", "processed_tick"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[InboxKind] = mapped_column(_string_enum(InboxKind))
    agent: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    place: Mapped[str | None] = mapped_column(String(ADDRESS_LENGTH), default=None)
    text: Mapped[str] = mapped_column(Text)
    created_tick: Mapped[int | None] = mapped_column(
        Integer, default=None, doc="the run's last tick when it was sent"
    )
    processed_tick: Mapped[int | None] = mapped_column(
        Integer, default=None, doc="the tick that delivered it; None while pending"
    )
