"""What the side panel shows about one resident, as it stood at a tick.

`AgentDetails` is a plain read-only value; `DetailsQuery` fills it from the
agents' tables (persona, plan, memories) and the event log (reflections, who
they talked to). A run file without the agents' tables (a bare event log)
still gets the event-log half.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, inspect, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from agents.tables import AgentRow, AgentsBase, MemoryKind, MemoryRow, PlanLevel, PlanRow
from replays.reader import EventLogReader, ReplayError

MEMORY_COUNT = 8
PLAN_BEFORE = 2
PLAN_AFTER = 6


@dataclass(frozen=True, slots=True)
class PlanEntry:
    start_tick: int | None
    duration_ticks: int | None
    description: str
    current: bool


@dataclass(frozen=True, slots=True)
class MemoryEntry:
    tick: int
    kind: str
    importance: int
    description: str


@dataclass(frozen=True, slots=True)
class AgentDetails:
    """One resident at `tick`; empty fields mean the run holds nothing for them (yet)."""

    name: str
    tick: int
    headline: str = ""
    traits: str = ""
    plan: tuple[PlanEntry, ...] = ()
    memories: tuple[MemoryEntry, ...] = ()
    last_reflection: str | None = None
    last_reflection_tick: int | None = None
    talked_to: tuple[tuple[str, int], ...] = ()


class DetailsQuery:
    """Reads `AgentDetails` from a run; only reads, in short transactions."""

    def __init__(self, engine: Engine, reader: EventLogReader) -> None:
        self.engine = engine
        self.reader = reader
        try:
            present = set(inspect(engine).get_table_names())
        except SQLAlchemyError as exc:
            raise ReplayError(f"{reader.source}: cannot read the agents' tables ({exc})") from exc
        self.has_agents = set(AgentsBase.metadata.tables) <= present

    def persona_colours(self) -> dict[str, str]:
        """Each resident's colour from its persona, where the scenario gave one."""
        if not self.has_agents:
            return {}
        with Session(self.engine) as session:
            rows = session.execute(select(AgentRow.name, AgentRow.persona)).all()
        return {name: str(persona["color"]) for name, persona in rows
                if isinstance(persona, dict) and persona.get("color")}

    def details(self, name: str, tick: int, day: date | None) -> AgentDetails:
        """`name` as of `tick`; `day` is the game day of `tick` (None when the run has no dates)."""
        reflections = self.reader.latest(name, ["reflection"], at_or_before=tick, limit=1)
        base = AgentDetails(
            name=name,
            tick=tick,
            last_reflection=str(reflections[0].payload["text"]) if reflections else None,
            last_reflection_tick=reflections[0].tick if reflections else None,
            talked_to=tuple(self.reader.conversation_partners(name, at_or_before=tick)),
        )
        if not self.has_agents:
            return base
        with Session(self.engine) as session:
            agent = session.execute(
                select(AgentRow.id, AgentRow.persona).where(AgentRow.name == name)
            ).first()
            if agent is None:
                return base
            persona = agent.persona if isinstance(agent.persona, dict) else {}
            return AgentDetails(
                name=name,
                tick=tick,
                headline=_headline(persona),
                traits=", ".join(str(t) for t in persona.get("traits", ())),
                plan=_plan(session, agent.id, tick, day) if day is not None else (),
                memories=_memories(session, agent.id, tick),
                last_reflection=base.last_reflection,
                last_reflection_tick=base.last_reflection_tick,
                talked_to=base.talked_to,
            )


def _headline(persona: dict[str, object]) -> str:
    parts = [f"age {persona['age']}" if persona.get("age") else "",
             str(persona.get("occupation") or "").strip().rstrip(".")]
    return " · ".join(part for part in parts if part)


def _plan(session: Session, agent_id: int, tick: int, day: date) -> tuple[PlanEntry, ...]:
    """The plan as it stood at `tick`: hour chunks around now (the day's items if none)."""
    memory = aliased(MemoryRow)
    for level in (PlanLevel.HOUR, PlanLevel.DAY):
        rows = session.scalars(
            select(PlanRow)
            .outerjoin(memory, PlanRow.memory_id == memory.id)
            .where(PlanRow.agent_id == agent_id, PlanRow.day == day.isoformat(),
                   PlanRow.level == level,
                   or_(PlanRow.replaced_tick.is_(None), PlanRow.replaced_tick > tick),
                   or_(PlanRow.memory_id.is_(None), memory.created_tick <= tick))
            .order_by(PlanRow.start_tick, PlanRow.position)
        ).all()
        if rows:
            break
    entries = [
        PlanEntry(row.start_tick, row.duration_ticks, row.description,
                  current=row.start_tick is not None and row.duration_ticks is not None
                  and row.start_tick <= tick < row.start_tick + row.duration_ticks)
        for row in rows
    ]
    now = next((i for i, entry in enumerate(entries) if entry.current), None)
    if now is None:
        upcoming = [i for i, e in enumerate(entries) if e.start_tick is not None
                    and e.start_tick > tick]
        now = upcoming[0] if upcoming else 0
    return tuple(entries[max(0, now - PLAN_BEFORE): now + PLAN_AFTER + 1])


def _memories(session: Session, agent_id: int, tick: int) -> tuple[MemoryEntry, ...]:
    """The most recent memories up to `tick`, newest first (plans are shown as the plan)."""
    rows = session.scalars(
        select(MemoryRow)
        .where(MemoryRow.agent_id == agent_id, MemoryRow.created_tick <= tick,
               MemoryRow.kind != MemoryKind.PLAN)
        .order_by(MemoryRow.created_tick.desc(), MemoryRow.id.desc())
        .limit(MEMORY_COUNT)
    ).all()
    return tuple(MemoryEntry(row.created_tick, str(row.kind), row.importance, row.description)
                 for row in rows)
