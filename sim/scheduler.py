"""The tick scheduler: every agent's model requests of a phase go as one batch.

A tick runs in phases: deliver the inbox -> move -> wake and plan the day ->
perceive -> react (talk decisions, reactions) -> converse -> act (next
actions) -> reflect. In each phase the steps of all agents that have something
to do are driven together (`sim.batching.drive`), so their requests share
batches; results are applied in agent-id order and conversations are paired
in a deterministic second step. A phase with nothing to do costs nothing, so
an idle stretch costs no model call; `next_due_tick` lets the run skip it.

The scheduler changes only memory; `RunSession` writes each tick in one
transaction after all its model calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from agents.cognition import conversing, interviewing, observing, planning, reacting
from agents.cognition.reflecting import reflect, should_reflect
from agents.context import Neighbour, TickContext
from agents.memory import MemoryRecord
from agents.mind import Mind
from agents.phrasing import being
from agents.prompts.converse import Line
from agents.prompts.pictogram import TALK_EMOJI
from agents.state import Conversation, CurrentAction, talking_with
from agents.steps import Step
from replays.events import LogEvent
from sim.batching import drive
from sim.clock import Clock
from sim.models.base import LanguageModel
from world.address import Address
from world.objects import ObjectStates
from world.pathfinding import Pathfinder
from world.perception import Perceiver, WorldEvent
from world.town import Town

INJECTED_EVENT_MINUTES = 30
"""How long a user's world event stays visible, in game minutes."""

K = TypeVar("K", bound=int)
T = TypeVar("T")


@dataclass(slots=True)
class ActiveConversation:
    id: int
    initiator: int
    partner: int
    started_tick: int
    history: list[Line] = field(default_factory=list)
    ended_tick: int | None = None
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class InjectedEvent:
    """A user's world event ("the stove is on fire") at a place, visible for a while."""

    description: str
    address: Address
    until_tick: int


@dataclass(slots=True)
class TickOutcome:
    """What a tick changed, for the log and the run's statistics."""

    events: list[LogEvent] = field(default_factory=list)
    new_utterances: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    started: list[ActiveConversation] = field(default_factory=list)
    ended: list[ActiveConversation] = field(default_factory=list)
    reflections: int = 0

    def log(self, tick: int, kind: str, agent: str | None, **payload: object) -> None:
        self.events.append(LogEvent(tick, kind, agent, payload))


class Scheduler:
    def __init__(self, town: Town, clock: Clock, minds: dict[int, Mind], model: LanguageModel,
                 objects: ObjectStates, conversations: dict[int, ActiveConversation],
                 *, perceiver: Perceiver, run_seed: int, next_conversation_id: int,
                 injected: Sequence[InjectedEvent] = ()) -> None:
        self.town, self.clock, self.minds, self.model = town, clock, minds, model
        self.objects = objects
        self.conversations = conversations
        self.run_seed = run_seed
        self.next_conversation_id = next_conversation_id
        self.pathfinder = Pathfinder(town)
        self.perceiver = perceiver
        self.injected: list[InjectedEvent] = list(injected)
        """Injected events still visible; a resumed run rebuilds them from its inbox."""
        self.by_name = {mind.name: agent_id for agent_id, mind in minds.items()}

    # --- the tick ------------------------------------------------------------------------------

    def context(self, tick: int) -> TickContext:
        residents = {m.name: Neighbour(m.name, m.state.tile, m.activity(),
                                       m.state.action.address if m.state.action else None,
                                       m.state.asleep, m.state.conversation is not None)
                     for m in self.minds.values()}
        return TickContext(tick=tick, now=self.clock.time_at(tick),
                           tick_seconds=self.clock.tick_seconds, town=self.town,
                           pathfinder=self.pathfinder, objects=self.objects,
                           residents=residents, run_seed=self.run_seed)

    def step(self, tick: int, whispers: Mapping[int, list[str]] | None = None,
             events: list[InjectedEvent] | None = None) -> TickOutcome:
        out = TickOutcome()
        whispers = whispers or {}
        self.injected = [e for e in [*self.injected, *(events or [])] if e.until_tick > tick]
        for event in events or []:
            out.log(tick, "event", None, text=event.description, address=str(event.address))
        self._move(tick, out)
        ctx = self.context(tick)
        self._phase({i: interviewing.whisper(self.minds[i], ctx, texts)
                     for i, texts in whispers.items() if texts})
        for agent_id, texts in whispers.items():
            for text in texts:
                out.log(tick, "whisper", self.minds[agent_id].name, text=text)
        self._wake(ctx, out)
        perceived = self._perceive(ctx)
        ctx = self.context(tick)
        self._react(ctx, perceived, out)
        self._converse(ctx, out)
        self._act(ctx, out)
        out.reflections = sum(len(r) for r in self._phase(
            {i: reflect(m, ctx) for i, m in self.minds.items() if should_reflect(m)}).values())
        # The minds of a run share one counter; each distinct counter is drained once.
        for counter in {id(m.fallbacks): m.fallbacks for m in self.minds.values()}.values():
            for agent, tag in counter.take_unlogged():
                out.log(tick, "fallback", agent, tag=tag)
        return out

    def _phase(self, steps: Mapping[K, Step[T]]) -> dict[K, T]:
        """Drive one phase's steps together; each step's value by key (agent or conversation id)."""
        return drive(self.model, steps) if steps else {}

    def _move(self, tick: int, out: TickOutcome) -> None:
        for mind in self.minds.values():
            state = mind.state
            if state.path:
                state.tile = state.path.pop(0)
                out.log(tick, "move", mind.name, tile=list(state.tile))
                for place in self.perceiver.perceive(state.tile, ()).places:
                    mind.places.learn(place)
            elif state.action is not None and state.action.sleep and not state.asleep:
                state.asleep = True
                out.log(tick, "sleep", mind.name)

    def _wake(self, ctx: TickContext, out: TickOutcome) -> None:
        waking = [i for i, m in self.minds.items()
                  if m.state.asleep and self._due_to_wake(m, ctx)]
        for agent_id in waking:
            mind = self.minds[agent_id]
            mind.state.asleep = False
            mind.state.action = None
            out.log(ctx.tick, "wake", mind.name)
        self._phase({i: planning.start_day(self.minds[i], ctx) for i in waking})

    def _due_to_wake(self, mind: Mind, ctx: TickContext) -> bool:
        action = mind.state.action
        if action is not None and action.sleep:
            return ctx.tick >= action.end_tick
        return ctx.minute_of_day >= mind.persona.wake_minute and mind.state.plan_day != ctx.day

    def _world_events(self) -> list[WorldEvent]:
        events = [WorldEvent(m.name, "is", m.activity(), being(m.name, m.activity()),
                             m.state.tile, self.town.address_at(m.state.tile))
                  for m in self.minds.values()]
        for address, state in sorted(self.objects.changed().items()):
            tile = min(self.town.tiles_of(address))
            events.append(WorldEvent(str(address), "is", state,
                                     f"{address.object} is {state}", tile, address))
        for injected in self.injected:
            tile = min(self.town.tiles_of(injected.address))
            events.append(WorldEvent(str(injected.address), "event", injected.description,
                                     injected.description, tile, injected.address))
        return events

    def _perceive(self, ctx: TickContext) -> dict[int, tuple[list[WorldEvent],
                                                               list[MemoryRecord]]]:
        world = self._world_events()
        seen: dict[int, list[WorldEvent]] = {}
        for agent_id, mind in self.minds.items():
            if mind.state.asleep or mind.state.conversation is not None:
                continue
            perception = self.perceiver.perceive(mind.state.tile, news_for(mind, world),
                                                 mind.state.recent_perceived)
            for place in perception.places:
                mind.places.learn(place)
            if perception.events:
                seen[agent_id] = list(perception.events)
        records = self._phase({i: observing.observe(self.minds[i], ctx, events)
                               for i, events in seen.items()})
        return {i: (events, records.get(i, [])) for i, events in seen.items()}

    def _react(self, ctx: TickContext, perceived: Mapping[int, tuple[list[WorldEvent],
                                                                     list[MemoryRecord]]],
               out: TickOutcome) -> None:
        decisions = self._phase({i: reacting.consider(self.minds[i], ctx, events, records)
                                 for i, (events, records) in perceived.items()})
        for agent_id in sorted(decisions):
            decision = decisions[agent_id]
            mind = self.minds[agent_id]
            if isinstance(decision, planning.ActionStarted):
                self._log_action(ctx.tick, mind, decision, out)
            elif isinstance(decision, reacting.TalkTo):
                partner_id = self.by_name[decision.partner]
                partner = self.minds[partner_id]
                if mind.state.conversation is None and partner.state.conversation is None:
                    self._start_conversation(ctx.tick, agent_id, partner_id, out)

    def _start_conversation(self, tick: int, initiator: int, partner: int,
                            out: TickOutcome) -> None:
        talk = ActiveConversation(self.next_conversation_id, initiator, partner, tick)
        self.next_conversation_id += 1
        self.conversations[talk.id] = talk
        out.started.append(talk)
        a, b = self.minds[initiator], self.minds[partner]
        for me, other in ((a, b), (b, a)):
            me.state.conversation = Conversation(talk.id, other.name, a.name, tick, turn=a.name)
            me.state.path = []
            me.state.action = CurrentAction(talking_with(other.name),
                                            self.town.address_at(me.state.tile), tick, tick + 1,
                                            TALK_EMOJI)
            out.log(tick, "conversation", me.name, **{"with": other.name, "state": "start"})

    def _converse(self, ctx: TickContext, out: TickOutcome) -> None:
        live = {c.id: c for c in self.conversations.values() if c.ended_tick is None}
        speakers = {cid: self._speaker(c) for cid, c in live.items()}
        turns = self._phase({cid: conversing.take_turn(
            self.minds[speakers[cid]], ctx, self.minds[self._other(c, speakers[cid])].name,
            c.history, self.minds[speakers[cid]].config.max_rounds)
            for cid, c in live.items()})
        ending: list[ActiveConversation] = []
        for cid in sorted(turns):
            talk, speaker_id = live[cid], speakers[cid]
            turn = turns[cid]
            speaker = self.minds[speaker_id]
            listener = self.minds[self._other(talk, speaker_id)]
            if turn.text is None:
                ending.append(talk)
                continue
            talk.history.append((speaker.name, turn.text))
            out.new_utterances.append((cid, ctx.tick, speaker_id, listener.agent_id,
                                       turn.text))
            out.log(ctx.tick, "utterance", speaker.name, to=listener.name, text=turn.text,
                    conversation_id=cid)
            for mind in (speaker, listener):
                if mind.state.conversation is not None:
                    mind.state.conversation.turn = listener.name
                    mind.state.conversation.rounds += 1
        if ending:
            self._end_conversations(ctx, ending, out)

    def _end_conversations(self, ctx: TickContext, ending: list[ActiveConversation],
                           out: TickOutcome) -> None:
        summaries = self._phase({c.id: conversing.summarise(
            self.minds[c.initiator], ctx, self.minds[c.partner].name, c.history)
            for c in ending})
        steps: dict[int, Step[None]] = {}
        for talk in ending:
            talk.ended_tick, talk.summary = ctx.tick, summaries[talk.id]
            out.ended.append(talk)
            for me, other in ((talk.initiator, talk.partner), (talk.partner, talk.initiator)):
                mind = self.minds[me]
                mind.state.conversation = None
                mind.state.action = None
                out.log(ctx.tick, "conversation", mind.name, **{
                    "with": self.minds[other].name, "state": "end", "summary": talk.summary})
                steps[me] = conversing.remember_conversation(
                    mind, ctx, self.minds[other].name, talk.summary, talk.id)
        self._phase(steps)

    def _act(self, ctx: TickContext, out: TickOutcome) -> None:
        due = [i for i, m in self.minds.items() if not m.state.asleep
               and m.state.conversation is None
               and (m.state.action is None or m.state.action.end_tick <= ctx.tick)]
        for agent_id in due:  # an action that ends frees its object
            self._release_object(ctx.tick, self.minds[agent_id], out)
        started = self._phase({i: planning.next_action(self.minds[i], ctx) for i in due})
        for agent_id in sorted(started):
            self._log_action(ctx.tick, self.minds[agent_id], started[agent_id], out)

    def _log_action(self, tick: int, mind: Mind, started: planning.ActionStarted,
                    out: TickOutcome) -> None:
        action = mind.state.action
        duration = action.end_tick - action.start_tick if action else 0
        out.log(tick, "action", mind.name, description=started.description,
                pictogram=started.pictogram, address=str(started.address), start_tick=tick,
                duration=duration)
        if started.object_state:
            address = started.address
            if address in self.objects:
                self.objects[address] = started.object_state
                out.log(tick, "object_state", mind.name, address=str(address),
                        state=started.object_state)

    def _release_object(self, tick: int, mind: Mind, out: TickOutcome) -> None:
        action = mind.state.action
        if action is None:
            return
        address = action.address
        if address in self.objects and self.objects[address] != self.objects.idle_state(address):
            self.objects.reset(address)
            out.log(tick, "object_state", mind.name, address=str(address),
                    state=self.objects[address])

    def _speaker(self, talk: ActiveConversation) -> int:
        if not talk.history:
            return talk.initiator
        last = talk.history[-1][0]
        return talk.partner if last == self.minds[talk.initiator].name else talk.initiator

    @staticmethod
    def _other(talk: ActiveConversation, agent_id: int) -> int:
        return talk.partner if agent_id == talk.initiator else talk.initiator

    # --- idle stretches ------------------------------------------------------------------------

    def next_due_tick(self, tick: int) -> int:
        """The first tick after `tick` at which anything can happen without outside input."""
        due = tick + self.clock.ticks_per_day
        for mind in self.minds.values():
            state = mind.state
            if state.path or state.conversation is not None:
                return tick + 1
            if state.action is None:
                return tick + 1
            due = min(due, max(state.action.end_tick, tick + 1))
            if not state.asleep and state.action.sleep:
                return tick + 1
        for injected in self.injected:
            due = min(due, injected.until_tick)
        return max(due, tick + 1)


def news_for(mind: Mind, world: Sequence[WorldEvent]) -> list[WorldEvent]:
    """The events of `world` that `mind` can notice: all but its own doing, which is its own
    activity and the state its action gave the object it uses ("stove is being checked"
    while it checks the stove). An injected event at that object is still news. Measured
    on the quick-start hour: both of its reactions answered the resident's own object
    state ("stove is being checked" -> "put out the fire on the stove")."""
    own = {mind.name}
    if mind.state.action is not None:
        own.add(str(mind.state.action.address))
    return [event for event in world if not (event.predicate == "is" and event.subject in own)]
