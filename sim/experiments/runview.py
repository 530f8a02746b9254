"""A finished run as the evaluation reads it, and its residents' minds at any earlier tick.

Everything is read once, and nothing is ever written: interviews and probes
retrieve with `touch=False`. A mind "at a checkpoint" keeps only the memories
created at or before that tick (and, for interview-time ablation, only some
kinds), in a fresh in-memory stream; its recency counts from each record's
creation, since when a record was last read before a past tick is not stored.
Such a mind is headed by the scenario's persona, not the run's cached summary,
which was written later, from every kind of memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from agents.context import Neighbour, TickContext
from agents.embeddings import from_blob
from agents.memory import MemoryIds, MemoryStream, NewMemory
from agents.mind import FallbackCounter, Mind
from agents.state import AgentState
from agents.tables import ConversationRow, MemoryKind, MemoryRow
from replays.events import LogEvent
from replays.frame import Frame
from replays.reader import EventLogReader
from sim.config import Scenario, open_town
from sim.db import engine_of, open_run
from sim.residents import load_minds
from sim.runfile import StoredRun, opened_run
from sim.tables import ModelCall
from world.objects import ObjectStates
from world.pathfinding import Pathfinder
from world.town import Town

LOGGED_KINDS = ("utterance", "whisper", "conversation")
"""The events the evaluation reads whole (moves are read only around a scheduled event)."""


@dataclass(frozen=True, slots=True)
class StoredMemory:
    agent_id: int
    kind: MemoryKind
    created_tick: int
    created_at: str
    description: str
    importance: int
    embedding: bytes


@dataclass(frozen=True, slots=True)
class Talk:
    """A conversation: who started it, with whom, when."""

    a: str
    b: str
    tick: int


@dataclass(frozen=True, slots=True)
class CallRow:
    """The model_call columns the statistics need."""

    kind: str
    batch_id: int
    tick: int
    prompt_tokens: int
    completion_tokens: int
    latency_s: float


class RunView:
    """One run's file, read for evaluation."""

    def __init__(self, db: str | Path) -> None:
        self.db = Path(db)
        with opened_run(db) as (sessions, stored):
            self.stored: StoredRun = stored
            self.town: Town = open_town(stored.scenario)
            with sessions() as session:
                self.minds = load_minds(session, stored.scenario, self.town, FallbackCounter())
                self.memories = [StoredMemory(*row) for row in session.execute(
                    select(MemoryRow.agent_id, MemoryRow.kind, MemoryRow.created_tick,
                           MemoryRow.created_at, MemoryRow.description, MemoryRow.importance,
                           MemoryRow.embedding).order_by(MemoryRow.id))]
                names = {agent_id: mind.name for agent_id, mind in self.minds.items()}
                self.talks = [Talk(names[a], names[b], tick) for a, b, tick in session.execute(
                    select(ConversationRow.agent_a_id, ConversationRow.agent_b_id,
                           ConversationRow.started_tick).order_by(ConversationRow.id))]
                self.calls = [CallRow(*row) for row in session.execute(
                    select(ModelCall.kind, ModelCall.batch_id, ModelCall.tick,
                           ModelCall.prompt_tokens, ModelCall.completion_tokens,
                           ModelCall.latency_s).order_by(ModelCall.id))]
                session.rollback()
            reader = EventLogReader(engine_of(sessions))
            self.events: list[LogEvent] = reader.events_between(
                0, self.last_tick, kinds=LOGGED_KINDS)
        self.pathfinder = Pathfinder(self.town)

    @property
    def scenario(self) -> Scenario:
        return self.stored.scenario

    @property
    def last_tick(self) -> int:
        return self.stored.last_tick if self.stored.last_tick is not None else 0

    @property
    def names(self) -> list[str]:
        """The residents, in agent-id order."""
        return [mind.name for _, mind in sorted(self.minds.items())]

    def context(self, tick: int) -> TickContext:
        """The time of `tick`; residents where the run left them (interviews read only the time)."""
        residents = {m.name: Neighbour(m.name, m.state.tile, m.activity(),
                                       m.state.action.address if m.state.action else None,
                                       m.state.asleep, m.state.conversation is not None)
                     for m in self.minds.values()}
        clock = self.stored.clock
        return TickContext(tick=tick, now=clock.time_at(tick), tick_seconds=clock.tick_seconds,
                           town=self.town, pathfinder=self.pathfinder,
                           objects=ObjectStates(self.town), residents=residents,
                           run_seed=self.stored.seed)

    def minds_now(self, kinds: Sequence[MemoryKind] | None,
                  fallbacks: FallbackCounter) -> dict[int, Mind]:
        """The minds as the run left them, counting their fallbacks in `fallbacks`.

        They read the run's own streams (shared, with `touch=False`); with `kinds`
        they are headed by the persona, not the summary written from every kind.
        """
        return {agent_id: Mind(agent_id, mind.persona,
                               mind.state if kinds is None else _without_summary(mind.state),
                               mind.memory, mind.places, mind.config, fallbacks)
                for agent_id, mind in self.minds.items()}

    def minds_at(self, tick: int, kinds: Sequence[MemoryKind] | None,
                 fallbacks: FallbackCounter) -> dict[int, Mind]:
        """Each mind with only the memories created at or before `tick` (of `kinds`)."""
        wanted = set(kinds) if kinds is not None else set(MemoryKind)
        ids = MemoryIds()
        minds: dict[int, Mind] = {}
        for agent_id, mind in self.minds.items():
            stream = MemoryStream(agent_id, mind.memory.config, ids)
            stream.add_many([
                NewMemory(m.kind, m.description, m.importance, from_blob(m.embedding),
                          m.created_tick, m.created_at)
                for m in self.memories
                if m.agent_id == agent_id and m.created_tick <= tick and m.kind in wanted])
            minds[agent_id] = Mind(agent_id, mind.persona, _without_summary(mind.state), stream,
                                   mind.places, mind.config, fallbacks)
        return minds

    def memory_texts(self, tick: int, kinds: Sequence[MemoryKind] | None
                     ) -> list[tuple[str, str]]:
        """(owner's name, description) of the memories at or before `tick` (of `kinds`)."""
        wanted = set(kinds) if kinds is not None else set(MemoryKind)
        names = {agent_id: mind.name for agent_id, mind in self.minds.items()}
        return [(names[m.agent_id], m.description) for m in self.memories
                if m.created_tick <= tick and m.kind in wanted]

    def memory_counts(self) -> dict[str, int]:
        counts = {kind.value: 0 for kind in MemoryKind}
        for memory in self.memories:
            counts[memory.kind.value] += 1
        return counts

    def positions(self, first: int, last: int) -> tuple[dict[str, tuple[int, int]],
                                                         list[LogEvent]]:
        """Where each resident stood at `first`, and the moves of ticks `first`+1 to `last`."""
        engine = open_run(self.db)
        try:
            reader = EventLogReader(engine)
            frame: Frame = reader.frame_at(first)
            moves = reader.events_between(first + 1, last, kinds=("move",))
        finally:
            engine.dispose()
        tiles = {name: agent.tile for name, agent in frame.agents.items()
                 if agent.tile is not None}
        return tiles, moves


def _without_summary(state: AgentState) -> AgentState:
    copy = AgentState.from_json(state.to_json())
    copy.summary = ""
    return copy
