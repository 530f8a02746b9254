"""Reading a run for people: what it is, how far it got, and where each resident stands.

Everything here only reads: `inspect_run` gathers the figures `python -m sim
inspect` prints, from a run opened with
`sim.runfile.opened_run`. A live run can be read while it is written, since every query
is its own short transaction. Questions the run cannot answer (a resident it
does not have) raise `RunQueryError`, reported in one line by the command line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agents.tables import AgentRow, ConversationRow, MemoryKind, MemoryRow, UtteranceRow
from replays.tables import EventRow
from sim.clock import Clock
from sim.runfile import StoredRun, opened_run
from sim.tables import InboxItem, InboxKind, ModelCall

RECENT_MEMORIES = 6
"""Memories shown per resident in a whole-run inspection; one resident gets more."""


# --- the inspection ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallFigures:
    """The model calls of one kind and tag, and the tokens they took."""

    kind: str
    tag: str
    calls: int
    prompt_tokens: int
    computed_prompt_tokens: int  # run through the model: cached and shared prefixes excluded
    completion_tokens: int


@dataclass(frozen=True, slots=True)
class WaitingItem:
    """A whisper or an event in the inbox that no tick has delivered yet."""

    id: int
    kind: str
    to: str
    """The resident a whisper is for, or the place of an event."""
    text: str
    sent: str
    """The game time of the run's last tick when it was sent ("before the first tick")."""


@dataclass(frozen=True, slots=True)
class Overview:
    run: str
    scenario: str
    seed: int
    model: str
    status: str
    start: str
    reached: str
    residents: int
    memories: dict[str, int]
    conversations: int
    utterances: int
    reflections: int
    model_calls: list[CallFigures]
    fallbacks: dict[str, int]
    """Unusable model answers by prompt tag (a defined fallback was taken each time)."""
    inbox_pending: int
    inbox_delivered: int
    waiting_events: list[WaitingItem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MemoryLine:
    id: int
    kind: str
    created_at: str
    importance: int
    description: str


@dataclass(frozen=True, slots=True)
class PlanLine:
    start: str
    end: str
    description: str
    current: bool


@dataclass(frozen=True, slots=True)
class Partner:
    name: str
    conversations: int
    last_at: str


@dataclass(frozen=True, slots=True)
class ResidentView:
    name: str
    tile: tuple[int, int]
    asleep: bool
    action: str | None
    action_place: str | None
    action_since: str | None
    action_until: str | None
    talking_with: str | None
    plan: list[PlanLine]
    recent_memories: list[MemoryLine]
    memories: int
    last_reflection: MemoryLine | None
    talked_with: list[Partner]
    waiting_whispers: list[WaitingItem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Inspection:
    overview: Overview
    residents: list[ResidentView] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def inspect_run(db: str | Path, agent: str | None = None,
                recent: int | None = None) -> Inspection:
    """The run's overview and every resident's state (only `agent`'s when given)."""
    with opened_run(db) as (sessions, stored):
        names = [stored.resident(agent)] if agent is not None else None
        shown = recent if recent is not None else RECENT_MEMORIES * (3 if agent else 1)
        with sessions() as session:
            overview = _overview(session, stored)
            residents = _residents(session, stored, names, shown)
    return Inspection(overview, residents)


def _overview(session: Session, stored: StoredRun) -> Overview:
    memories = {str(kind): int(n) for kind, n in session.execute(
        select(MemoryRow.kind, func.count()).group_by(MemoryRow.kind).order_by(MemoryRow.kind))}
    calls = [CallFigures(kind, tag, int(n), int(prompt or 0), int(computed or 0),
                         int(completion or 0))
             for kind, tag, n, prompt, computed, completion in session.execute(
                 select(ModelCall.kind, ModelCall.tag, func.count(),
                        func.sum(ModelCall.prompt_tokens),
                        func.sum(ModelCall.computed_prompt_tokens),
                        func.sum(ModelCall.completion_tokens))
                 .group_by(ModelCall.kind, ModelCall.tag)
                 .order_by(ModelCall.kind, ModelCall.tag))]
    fallbacks = Counter(str(payload.get("tag", "?")) for payload in session.scalars(
        select(EventRow.payload).where(EventRow.kind == "fallback")))
    pending = session.scalar(select(func.count()).select_from(InboxItem)
                             .where(InboxItem.processed_tick.is_(None))) or 0
    inbox = session.scalar(select(func.count()).select_from(InboxItem)) or 0
    return Overview(
        run=stored.location, scenario=f"{stored.scenario.name} ({stored.scenario.source})",
        seed=stored.seed, model=stored.model_label, status=stored.condition,
        start=stored.clock.format(0), reached=stored.reached(),
        residents=session.scalar(select(func.count()).select_from(AgentRow)) or 0,
        memories=memories,
        conversations=session.scalar(select(func.count()).select_from(ConversationRow)) or 0,
        utterances=session.scalar(select(func.count()).select_from(UtteranceRow)) or 0,
        reflections=memories.get(MemoryKind.REFLECTION.value, 0), model_calls=calls,
        fallbacks=dict(sorted(fallbacks.items())),
        inbox_pending=int(pending), inbox_delivered=int(inbox - pending),
        waiting_events=_waiting(session, stored, InboxKind.EVENT))


def _residents(session: Session, stored: StoredRun, names: list[str] | None,
               recent: int) -> list[ResidentView]:
    query = select(AgentRow).order_by(AgentRow.id)
    if names is not None:
        query = query.where(AgentRow.name.in_(names))
    agents = session.scalars(query).all()
    by_id = {row.id: row.name for row in session.scalars(select(AgentRow))}
    conversations = session.scalars(select(ConversationRow).order_by(ConversationRow.id)).all()
    return [_resident(session, stored, row, by_id, conversations, recent) for row in agents]


def _resident(session: Session, stored: StoredRun, row: AgentRow, names: dict[int, str],
              conversations: Sequence[ConversationRow], recent: int) -> ResidentView:
    clock = stored.clock
    now = stored.last_tick or 0
    end = row.action_end_tick
    talking = None
    if row.conversation_id is not None:
        talking = next((names[c.agent_b_id] if c.agent_a_id == row.id else names[c.agent_a_id]
                        for c in conversations if c.id == row.conversation_id), None)
    return ResidentView(
        name=row.name, tile=(row.tile_x, row.tile_y), asleep=row.asleep,
        action=row.action_description, action_place=row.action_address,
        action_since=_time(clock, row.action_start_tick),
        action_until=_time(clock, end), talking_with=talking,
        plan=_plan(row.state, clock.minute_of_day(now)),
        recent_memories=_memories(session, row.id, recent),
        memories=session.scalar(select(func.count()).where(MemoryRow.agent_id == row.id)) or 0,
        last_reflection=next(iter(_memories(session, row.id, 1, MemoryKind.REFLECTION)), None),
        talked_with=_partners(row.id, names, conversations, clock),
        waiting_whispers=_waiting(session, stored, InboxKind.WHISPER, row.name))


def _waiting(session: Session, stored: StoredRun, kind: InboxKind,
             agent: str | None = None) -> list[WaitingItem]:
    """The undelivered inbox items of `kind` (whispers: to `agent`), oldest first."""
    query = (select(InboxItem).where(InboxItem.processed_tick.is_(None), InboxItem.kind == kind)
             .order_by(InboxItem.id))
    if agent is not None:
        query = query.where(InboxItem.agent == agent)
    return [WaitingItem(item.id, item.kind.value, item.agent or item.place or "?", item.text,
                        _time(stored.clock, item.created_tick) or "before the first tick")
            for item in session.scalars(query)]


def _plan(state: dict[str, Any], minute: int) -> list[PlanLine]:
    """Today's hourly schedule as stored in the agent's state, the item under way marked."""
    lines = []
    for item in state.get("schedule", []):
        start, length = int(item["start_minute"]), int(item["duration"])
        lines.append(PlanLine(_minute(start), _minute(start + length), str(item["description"]),
                              start <= minute < start + length))
    return lines


def _memories(session: Session, agent_id: int, n: int,
              kind: MemoryKind | None = None) -> list[MemoryLine]:
    """The agent's `n` newest memories (of `kind`), newest first."""
    query = (select(MemoryRow.id, MemoryRow.kind, MemoryRow.created_at, MemoryRow.importance,
                    MemoryRow.description)
             .where(MemoryRow.agent_id == agent_id).order_by(MemoryRow.id.desc()).limit(n))
    if kind is not None:
        query = query.where(MemoryRow.kind == kind)
    return [MemoryLine(int(i), str(k), created.replace("T", " "), int(importance), text)
            for i, k, created, importance, text in session.execute(query)]


def _partners(agent_id: int, names: dict[int, str], conversations: Sequence[ConversationRow],
              clock: Clock) -> list[Partner]:
    """Whom the agent has talked with, most often first, with when they last started talking."""
    counts: Counter[str] = Counter()
    last: dict[str, int] = {}
    for talk in conversations:
        if agent_id not in (talk.agent_a_id, talk.agent_b_id):
            continue
        other = names[talk.agent_b_id if talk.agent_a_id == agent_id else talk.agent_a_id]
        counts[other] += 1
        last[other] = max(last.get(other, 0), talk.started_tick)
    return [Partner(name, n, clock.format(last[name]))
            for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _time(clock: Clock, tick: int | None) -> str | None:
    return None if tick is None else clock.format(tick)


def _minute(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"
