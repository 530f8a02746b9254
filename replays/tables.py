"""The tables `replays` owns: the run's event log, its keyframes and its head.

`sim` creates them (with every other package's tables) in the run file and
writes them through `replays.event_log.EventLogWriter`, one transaction per
tick. Only portable column types are used, so the same classes work on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class ReplaysBase(DeclarativeBase):
    """The declarative base of the tables owned by `replays`."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class EventRow(ReplaysBase):
    """One world event of one tick (a move, an utterance, an object's new state...).

    `text` repeats the payload's human-readable text (what was said, the
    reflection, the injected event) so dialogue search is one
    case-insensitive LIKE over a plain column on every database.
    """

    __tablename__ = "log_event"
    __table_args__ = (
        Index("ix_log_event_tick", "tick"),
        Index("ix_log_event_kind_tick", "kind", "tick"),
        Index("ix_log_event_agent_kind_tick", "agent", "kind", "tick"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tick: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    agent: Mapped[str | None] = mapped_column(String(200), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    text: Mapped[str | None] = mapped_column(Text, default=None)


class KeyframeRow(ReplaysBase):
    """The whole visible state at a tick, so seeking replays at most N ticks of events."""

    __tablename__ = "log_keyframe"

    tick: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    frame: Mapped[dict[str, Any]] = mapped_column()


class LogHeadRow(ReplaysBase):
    """The single row saying how far the log goes, updated in every tick's transaction.

    A tick without events leaves no event row, so a live viewer learns from
    here that the run has moved on.
    """

    __tablename__ = "log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_tick: Mapped[int] = mapped_column(Integer)
    keyframe_every: Mapped[int] = mapped_column(Integer)


HEAD_ID = 1
"""The primary key of the one `LogHeadRow`."""
