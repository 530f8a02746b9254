"""Read the event log of a run: the frame at any tick, the events between ticks, dialogue search.

    reader = EventLogReader(engine)        # ReplayError if the file has no event log
    reader.last_tick()                     # the last committed tick (None: nothing yet)
    reader.frame_at(1234)                  # nearest keyframe at or before 1234 + later events
    reader.search("party", limit=20)       # [(tick, kind, agent, snippet), ...]

Every query runs in its own short transaction, so a reader follows a run that
another process is still writing. Database failures (a truncated or foreign
file) come out as one `ReplayError` naming the file.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import NamedTuple
from urllib.parse import unquote

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from replays.event_log import DEFAULT_KEYFRAME_EVERY
from replays.events import SEARCHABLE_KINDS, LogEvent
from replays.frame import Frame
from replays.tables import HEAD_ID, EventRow, KeyframeRow, LogHeadRow, ReplaysBase

SNIPPET_BEFORE = 40
SNIPPET_AFTER = 80


class ReplayError(ValueError):
    """A run database cannot be replayed; the message is one line naming the file."""


class SearchHit(NamedTuple):
    """One search result: where in the run, who, and the matching text in context."""

    tick: int
    kind: str
    agent: str | None
    snippet: str


def describe_engine(engine: Engine) -> str:
    """The run's name for messages: the SQLite file path, else the URL without its password."""
    url = engine.url
    if url.get_backend_name() != "sqlite":
        return url.render_as_string(hide_password=True)
    database = url.database or ":memory:"
    if url.query.get("uri") == "true":  # a read-only open: "file:" and a quoted path
        return unquote(database.removeprefix("file:"))
    return database


def snippet(text: str, needle: str) -> str:
    """`text` cut to a window around the first case-insensitive `needle`, with ellipses."""
    at = text.casefold().find(needle.casefold())
    if at < 0:
        at = 0
    start = max(0, at - SNIPPET_BEFORE)
    end = min(len(text), at + len(needle) + SNIPPET_AFTER)
    head = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    return f"{head}{text[start:end].strip()}{tail}"


_EVENT_COLUMNS = (EventRow.tick, EventRow.kind, EventRow.agent, EventRow.payload)
"""What a `LogEvent` is made of, in its field order (plain rows load faster than ORM objects)."""


class EventLogReader:
    """Read-only access to one run's event log (it never writes, so it is safe on a live run)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.source = describe_engine(engine)
        self._cache: Frame | None = None
        self._known_last: int | None = None
        self._reach = DEFAULT_KEYFRAME_EVERY
        self._check_tables()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with Session(self.engine) as session:
                yield session
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise ReplayError(f"{self.source}: cannot read the event log ({reason})") from exc

    def _check_tables(self) -> None:
        try:
            present = set(inspect(self.engine).get_table_names())
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise ReplayError(f"{self.source}: not a readable run database ({reason})") from exc
        missing = sorted(set(ReplaysBase.metadata.tables) - present)
        if missing:
            raise ReplayError(
                f"{self.source}: not a run database with an event log "
                f"(missing tables: {', '.join(missing)})"
            )
        self._reach = self.keyframe_every()
        self.last_tick()

    def last_tick(self) -> int | None:
        """The last tick committed to the log, or None when the run has logged nothing yet."""
        with self._session() as session:
            head = session.get(LogHeadRow, HEAD_ID)
            self._known_last = head.last_tick if head is not None else None
        return self._known_last

    def first_tick(self) -> int | None:
        """The first tick with an event or a keyframe (0 for a run logged from its start)."""
        with self._session() as session:
            first_event = session.scalar(select(func.min(EventRow.tick)))
            first_key = session.scalar(select(func.min(KeyframeRow.tick)))
        ticks = [t for t in (first_event, first_key) if t is not None]
        return min(ticks) if ticks else None

    def keyframe_every(self) -> int:
        with self._session() as session:
            head = session.get(LogHeadRow, HEAD_ID)
        return head.keyframe_every if head is not None else DEFAULT_KEYFRAME_EVERY

    def agent_names(self) -> list[str]:
        """Every resident the log mentions, sorted."""
        with self._session() as session:
            names = session.scalars(
                select(EventRow.agent).where(EventRow.agent.is_not(None)).distinct()
            ).all()
        return sorted(name for name in names if name is not None)

    def frame_at(self, tick: int) -> Frame:
        """The visible state at `tick`: the nearest keyframe at or before it plus the events after.

        Stepping forward a little from the last frame asked for (the viewer
        playing) only reads the events in between. The result is a fresh
        copy the caller may change.
        """
        if tick < 0:
            raise ValueError(f"ticks start at 0, got {tick}")
        cached = self._cache
        if cached is not None and cached.tick <= tick < cached.tick + self._reach:
            frame, start = cached.copy(), cached.tick + 1
        else:
            frame, start = self._keyframe_before(tick)
        _replay(frame, self.events_between(start, tick), tick)
        if self._known_last is not None and tick <= self._known_last:
            self._cache = frame.copy()
        return frame

    def _keyframe_before(self, tick: int) -> tuple[Frame, int]:
        """The last keyframe at or before `tick` and the tick after it (or an empty frame, 0)."""
        with self._session() as session:
            key = session.scalars(
                select(KeyframeRow).where(KeyframeRow.tick <= tick)
                .order_by(KeyframeRow.tick.desc()).limit(1)
            ).first()
            if key is None:
                return Frame(), 0
            return Frame.from_json(key.frame), key.tick + 1

    def events_between(
        self,
        first: int,
        last: int,
        *,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
    ) -> list[LogEvent]:
        """The events of ticks `first` to `last` (both included), in the order they were logged."""
        if last < first:
            return []
        query = select(*_EVENT_COLUMNS).where(EventRow.tick >= first, EventRow.tick <= last)
        if kinds is not None:
            query = query.where(EventRow.kind.in_(list(kinds)))
        if agent is not None:
            query = query.where(EventRow.agent == agent)
        with self._session() as session:
            rows = session.execute(query.order_by(EventRow.tick, EventRow.id)).all()
        return [LogEvent(*row) for row in rows]

    def latest(
        self, agent: str, kinds: Collection[str], *, at_or_before: int, limit: int = 20
    ) -> list[LogEvent]:
        """An agent's most recent events of some kinds up to a tick, newest first."""
        query = (
            select(*_EVENT_COLUMNS)
            .where(EventRow.agent == agent, EventRow.kind.in_(list(kinds)),
                   EventRow.tick <= at_or_before)
            .order_by(EventRow.tick.desc(), EventRow.id.desc())
            .limit(limit)
        )
        with self._session() as session:
            rows = session.execute(query).all()
        return [LogEvent(*row) for row in rows]

    def conversation_partners(self, agent: str, *, at_or_before: int) -> list[tuple[str, int]]:
        """Whom `agent` started conversations with up to a tick, and how often: most often first."""
        partner = EventRow.payload["with"].as_string()
        query = (
            select(partner, func.count())
            .where(EventRow.agent == agent, EventRow.kind == "conversation",
                   EventRow.tick <= at_or_before,
                   EventRow.payload["state"].as_string() == "start")
            .group_by(partner)
        )
        with self._session() as session:
            counts = [(str(name), int(count)) for name, count in session.execute(query).all()]
        return sorted(counts, key=lambda item: (-item[1], item[0]))

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """Case-insensitive search over dialogue, reflections and injected events, by tick."""
        needle = text.strip()
        if not needle:
            return []
        query = (
            select(EventRow)
            .where(EventRow.kind.in_(sorted(SEARCHABLE_KINDS)),
                   EventRow.text.icontains(needle, autoescape=True))
            .order_by(EventRow.tick, EventRow.id)
            .limit(limit)
        )
        with self._session() as session:
            rows = session.scalars(query).all()
            return [
                SearchHit(row.tick, row.kind, row.agent, snippet(row.text or "", needle))
                for row in rows
            ]


def _replay(frame: Frame, events: list[LogEvent], tick: int) -> None:
    """Apply `events` (sorted by tick) to `frame`, then bring it to `tick`."""
    for event in events:
        frame.advance(event.tick)
        frame.apply(event)
    frame.advance(tick)
