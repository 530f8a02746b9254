"""A run: its database, its model wrappers and its scheduler, one transaction per tick.

Each tick first makes all its model calls (the scheduler works in memory),
then writes everything the tick changed (agents, memories, conversations,
the event log, the model calls, the run's progress) in one short
transaction. A crash loses at most the tick in progress: `RunSession.open`
on the same file rebuilds the minds from the last committed tick.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from agents.context import TickContext
from agents.mind import FallbackCounter, Mind
from agents.prompts.pictogram import SLEEP_EMOJI
from agents.state import SLEEPING, CurrentAction
from agents.tables import ConversationRow, UtteranceRow
from replays.event_log import EventLogWriter
from replays.events import LogEvent
from replays.frame import Frame
from replays.reader import EventLogReader
from sim.batching import drive
from sim.clock import Clock
from sim.config import Scenario, open_town
from sim.db import (
    RunFileError,
    creating_run,
    engine_of,
    leave_wal,
    open_run,
    session_factory,
    use_wal,
)
from sim.liveness import Heartbeat, describe_failure
from sim.models.base import LanguageModel
from sim.models.cache import CachingModel
from sim.models.recording import RecordingModel
from sim.residents import (
    create_agents,
    load_minds,
    perceiver_for,
    save_minds,
    seed_memories,
)
from sim.runfile import read_stored_run
from sim.scheduler import (
    INJECTED_EVENT_MINUTES,
    ActiveConversation,
    InjectedEvent,
    Scheduler,
    TickOutcome,
)
from sim.tables import InboxItem, InboxKind, ModelCall, Run, RunStatus
from world.objects import ObjectStates
from world.town import Town

MAX_SKIP_TICKS = 30
"""Idle stretches are skipped at most this many ticks at a time, so the inbox stays live."""


@dataclass(slots=True)
class RunStats:
    ticks: int = 0
    wall_seconds: float = 0.0
    conversations: int = 0
    utterances: int = 0
    reflections: int = 0


@dataclass(slots=True)
class TickReport:
    tick: int
    calls: int
    mean_batch: float
    stats: RunStats = field(default_factory=RunStats)


class RunSession:
    """An open run; build it with `create` or `open`."""

    def __init__(self, engine_url: str, sessions: sessionmaker[Session], scenario: Scenario,
                 town: Town, recorder: RecordingModel, cache: CachingModel,
                 minds: dict[int, Mind], scheduler: Scheduler, frame: Frame,
                 last_tick: int | None, fallbacks: FallbackCounter) -> None:
        self.engine_url = engine_url
        self.sessions = sessions
        self.scenario = scenario
        self.town = town
        self.recorder = recorder
        self.model: LanguageModel = recorder
        """What the simulation asks: the recorder, answering through `cache`."""
        self.cache = cache
        self.minds = minds
        self.scheduler = scheduler
        self.frame = frame
        self.last_tick = last_tick
        self.fallbacks = fallbacks
        self.clock = scenario.clock
        self.stats = RunStats()
        self.writer = EventLogWriter(keyframe_every=scenario.recording.keyframe_every)

    # --- opening -------------------------------------------------------------------------------

    @classmethod
    def create(cls, db: str | Path, scenario: Scenario, seed: int,
               model: LanguageModel) -> RunSession:
        """A new run at `db` (which must not exist), whole or not at all.

        The run row, the residents and their seed memories are written in one transaction,
        into a database that appears at `db` only once complete (`creating_run`): an error
        or Ctrl-C while creating leaves nothing behind. RunFileError if `db` exists.
        """
        town = open_town(scenario)
        with creating_run(db) as engine:
            sessions = session_factory(engine)
            with sessions() as session, session.begin():
                if session.scalar(select(func.count()).select_from(Run)):
                    raise RunFileError(f"{db}: already holds a run; use --resume or another --db")
                session.add(Run(scenario=scenario.name, scenario_config=scenario.to_json(),
                                seed=seed, model_info=json.dumps(asdict(model.info)),
                                status=RunStatus.STOPPED))
                create_agents(session, scenario, town)
                session.flush()
                created = cls._open(str(db), sessions, session, scenario, town, seed, model)
                created._seed(session)
        engine = open_run(db, write=True)
        use_wal(engine)
        created.sessions = session_factory(engine)
        return created

    @classmethod
    def open(cls, db: str | Path, model: LanguageModel) -> RunSession:
        """An existing run, continued from its last committed tick with its stored config.

        The file is validated first (`sim.runfile.read_stored_run`: RunFileError for a
        damaged or foreign one), then opened for writing.
        """
        engine = open_run(db, write=True)
        sessions = session_factory(engine)
        try:
            with sessions() as session:
                stored = read_stored_run(session, str(db))
        except BaseException:
            engine.dispose()  # refused: the file stays exactly as it was
            raise
        use_wal(engine)  # only once the file is known to be a whole run
        try:
            with sessions() as session:
                return cls._open(str(db), sessions, session, stored.scenario,
                                 open_town(stored.scenario), stored.seed, model)
        except BaseException:
            leave_wal(engine)
            raise

    @classmethod
    def _open(cls, url: str, sessions: sessionmaker[Session], session: Session,
              scenario: Scenario, town: Town, seed: int, backend: LanguageModel) -> RunSession:
        """The run as `session` sees it: minds and conversations of its last committed tick."""
        cache = CachingModel(backend)
        recorder = RecordingModel(cache, cached=cache.__contains__)
        fallbacks = FallbackCounter()
        run = session.scalars(select(Run)).one()
        minds = load_minds(session, scenario, town, fallbacks)
        conversations = _open_conversations(session, minds)
        next_conversation = (session.scalar(select(func.max(ConversationRow.id))) or 0) + 1
        recorder.start_batch_ids_at((session.scalar(select(func.max(ModelCall.batch_id)))
                                     or 0) + 1)
        last_tick = run.last_tick
        injected = [] if last_tick is None else _active_events(session, town, scenario,
                                                               last_tick)
        frame = Frame()
        if last_tick is not None:
            frame = EventLogReader(engine_of(sessions)).frame_at(last_tick)
        objects = ObjectStates.from_json(town, frame.object_states)
        scheduler = Scheduler(town, scenario.clock, minds, recorder, objects, conversations,
                              perceiver=perceiver_for(scenario, town),
                              run_seed=seed, next_conversation_id=next_conversation,
                              injected=injected)
        return cls(url, sessions, scenario, town, recorder, cache, minds, scheduler,
                   frame, last_tick, fallbacks)

    def _seed(self, session: Session) -> None:
        """Seed memories for every resident, then put each to bed until it wakes (in `session`)."""
        ctx = self.scheduler.context(0)
        drive(self.model, {i: seed_memories(m, ctx) for i, m in self.minds.items()})
        for mind in self.minds.values():
            _tuck_in(mind, ctx)
        save_minds(session, self.minds)
        self.recorder.flush(session, 0)

    # --- running -------------------------------------------------------------------------------

    @property
    def next_tick(self) -> int:
        return 0 if self.last_tick is None else self.last_tick + 1

    def run_until(self, target: int, on_tick: Callable[[int], None] | None = None) -> None:
        """Advance until `target` (absolute) is committed; idle stretches are skipped."""
        started = time.perf_counter()
        tick = self.next_tick
        try:
            while tick <= target:
                # Whether a tick is quiet rests on what it asked, never on what the cache held.
                asked_before = self.recorder.stats.requests
                outcome = self.step(tick)
                quiet = not outcome.events and self.recorder.stats.requests == asked_before
                if on_tick is not None:
                    on_tick(tick)
                following = tick + 1
                if quiet:
                    following = min(self.scheduler.next_due_tick(tick), target,
                                    tick + MAX_SKIP_TICKS)
                tick = max(following, tick + 1)
        finally:
            self.stats.wall_seconds += time.perf_counter() - started

    def step(self, tick: int) -> TickOutcome:
        whispers, injected, inbox_ids = self._read_inbox(tick)
        outcome = self.scheduler.step(tick, whispers, injected)
        if tick == 0:
            outcome.events[:0] = self._initial_events()
        self._commit(tick, outcome, inbox_ids)
        self.stats.ticks += 1
        self.stats.conversations += len(outcome.started)
        self.stats.utterances += len(outcome.new_utterances)
        self.stats.reflections += outcome.reflections
        return outcome

    def _initial_events(self) -> list[LogEvent]:
        events = []
        for mind in self.minds.values():
            events.append(LogEvent(0, "move", mind.name, {"tile": list(mind.state.tile)}))
            if mind.state.asleep:
                events.append(LogEvent(0, "sleep", mind.name, {}))
        return events

    def _read_inbox(self, tick: int) -> tuple[dict[int, list[str]], list[InjectedEvent],
                                              list[int]]:
        whispers: dict[int, list[str]] = {}
        injected: list[InjectedEvent] = []
        with self.sessions() as session:
            items = session.scalars(select(InboxItem).where(InboxItem.processed_tick.is_(None))
                                    .order_by(InboxItem.id)).all()
        ids = []
        for item in items:
            ids.append(item.id)
            if item.kind == InboxKind.WHISPER and item.agent in self.scheduler.by_name:
                whispers.setdefault(self.scheduler.by_name[item.agent], []).append(item.text)
            elif item.kind == InboxKind.EVENT and item.place:
                injected.append(_injected_event(item, self.town, self.clock, tick))
        return whispers, injected, ids

    def _commit(self, tick: int, outcome: TickOutcome, inbox_ids: list[int]) -> None:
        self.frame.step(tick, outcome.events)
        with self.sessions() as session, session.begin():
            for talk in outcome.started:
                session.add(ConversationRow(id=talk.id, agent_a_id=talk.initiator,
                                            agent_b_id=talk.partner, started_tick=tick))
            session.flush()
            for cid, utick, speaker, listener, text in outcome.new_utterances:
                session.add(UtteranceRow(conversation_id=cid, tick=utick, speaker_id=speaker,
                                         listener_id=listener, text=text))
            for talk in outcome.ended:
                row = session.get(ConversationRow, talk.id)
                if row is not None:
                    row.ended_tick, row.summary = talk.ended_tick, talk.summary
                    row.rounds = len(talk.history)
            save_minds(session, self.minds)
            for item_id in inbox_ids:
                item = session.get(InboxItem, item_id)
                if item is not None:
                    item.processed_tick = tick
            self.recorder.flush(session, tick)
            self.writer.write_tick(session, tick, outcome.events, self.frame)
            run = session.scalars(select(Run)).one()
            run.last_tick = tick
        self.last_tick = tick

    @contextmanager
    def advancing(self) -> Iterator[None]:
        """The run marked running, with a heartbeat (`sim.liveness`), while the block advances it.

        Afterwards it is marked finished; stopped after Ctrl-C; failed, with the error in one
        line, after any other error. The exception propagates either way.
        """
        self.set_status(RunStatus.RUNNING)
        try:
            with Heartbeat(self.sessions):
                yield
        except KeyboardInterrupt:
            self.set_status(RunStatus.STOPPED)
            raise
        except Exception as error:
            self.set_status(RunStatus.FAILED, failure=describe_failure(error))
            raise
        self.set_status(RunStatus.FINISHED)

    def set_status(self, status: RunStatus, failure: str | None = None) -> None:
        """Record where the run stands (`failure`: why it failed, for status failed)."""
        with self.sessions() as session, session.begin():
            run = session.scalars(select(Run)).one()
            run.status, run.failure = status, failure

    def close(self) -> None:
        leave_wal(engine_of(self.sessions))


def _tuck_in(mind: Mind, ctx: TickContext) -> None:
    """Residents start asleep in bed, to wake at their own waking time (at once if it passed)."""
    wake, bedtime, now = mind.persona.wake_minute, mind.persona.bedtime_minute, ctx.minute_of_day
    awake_now = wake <= now < bedtime or wake <= now + 24 * 60 < bedtime
    minutes = 0 if awake_now else (wake - now) % (24 * 60)
    home = ctx.town.resolve(mind.persona.home)
    mind.state.asleep = True
    mind.state.action = CurrentAction(SLEEPING, home, 0, ctx.ticks_for(minutes)
                                      if minutes else 0, SLEEP_EMOJI, sleep=True)


def _injected_event(item: InboxItem, town: Town, clock: Clock, tick: int) -> InjectedEvent:
    """The world event of an inbox item delivered at `tick`, visible for a while after it."""
    assert item.place is not None
    return InjectedEvent(item.text, town.resolve(item.place),
                         tick + clock.ticks_for_minutes(INJECTED_EVENT_MINUTES))


def _active_events(session: Session, town: Town, scenario: Scenario,
                   last_tick: int) -> list[InjectedEvent]:
    """The injected events still visible after `last_tick`, rebuilt from the delivered inbox."""
    delivered = session.scalars(select(InboxItem).where(
        InboxItem.kind == InboxKind.EVENT, InboxItem.place.is_not(None),
        InboxItem.processed_tick.is_not(None)).order_by(InboxItem.id))
    events = [_injected_event(item, town, scenario.clock, item.processed_tick)
              for item in delivered if item.processed_tick is not None]
    return [event for event in events if event.until_tick > last_tick]


def _open_conversations(session: Session,
                        minds: dict[int, Mind]) -> dict[int, ActiveConversation]:
    """The conversations in progress at the last committed tick, with their transcripts."""
    names = {agent_id: mind.name for agent_id, mind in minds.items()}
    open_rows = session.scalars(select(ConversationRow)
                                .where(ConversationRow.ended_tick.is_(None))).all()
    talks: dict[int, ActiveConversation] = {}
    for row in open_rows:
        talk = ActiveConversation(row.id, row.agent_a_id, row.agent_b_id, row.started_tick)
        for utterance in session.scalars(select(UtteranceRow).where(
                UtteranceRow.conversation_id == row.id).order_by(UtteranceRow.id)):
            talk.history.append((names[utterance.speaker_id], utterance.text))
        talks[row.id] = talk
    return talks
