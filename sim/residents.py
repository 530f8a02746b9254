"""Residents between the scenario, the run database and the scheduler's minds.

A new run creates one `AgentRow` per resident (at a spawn in its home, asleep)
and its seed memories; a resumed run loads the rows back into `Mind`s. After
every tick `save_minds` writes each mind's state and new memories in the
tick's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.cognition.observing import remember_rated
from agents.config import CognitionConfig
from agents.context import TickContext
from agents.memory import MemoryIds, MemoryStream, RetrievalConfig
from agents.mind import FallbackCounter, Mind
from agents.persona import Persona, Relationship
from agents.state import AgentState
from agents.steps import Step
from agents.tables import AgentRow, MemoryKind
from sim.config import Scenario
from sim.config.scenario import Resident
from world.perception import Perceiver
from world.spatial_memory import SpatialMemory
from world.town import Town


def perceiver_for(scenario: Scenario, town: Town) -> Perceiver:
    """What residents notice, by the scenario's `[perception]` settings (one for all)."""
    p = scenario.perception
    return Perceiver(town, vision_radius=p.vision_radius,
                     attention_bandwidth=p.attention_bandwidth, retention=p.retention)


def cognition_config(scenario: Scenario) -> CognitionConfig:
    """The scenario's settings as the plain value cognition reads."""
    r, modules = scenario.retrieval, scenario.modules
    return CognitionConfig(
        retrieval=RetrievalConfig(
            w_recency=r.recency_weight, w_importance=r.importance_weight,
            w_relevance=r.relevance_weight, decay=r.recency_decay, k=r.top_k,
            recency_mode=r.recency_by, tick_seconds=scenario.tick_seconds),
        tick_seconds=scenario.tick_seconds,
        observation=modules.observation, planning=modules.planning,
        reflection=modules.reflection,
        reflection_threshold=scenario.reflection.threshold,
        reflection_recent=scenario.reflection.recent_records,
        reflection_questions=scenario.reflection.questions,
        reflection_insights=scenario.reflection.insights,
        retention=scenario.perception.retention,
        max_rounds=scenario.conversation.max_rounds,
        cooldown_minutes=scenario.conversation.cooldown_minutes,
        hourly_by_model=scenario.planning.hourly_schedule == "model",
        chunk_minutes=scenario.planning.chunk_minutes,
        action_min_minutes=scenario.planning.action_min_minutes,
        action_max_minutes=scenario.planning.action_max_minutes,
        react_importance=scenario.perception.react_importance,
        conversation_memories=scenario.conversation.memories_recalled,
        reflection_memories=scenario.reflection.records_per_question,
        interview_memories=scenario.memory.interview_memories,
        intentions_kept=scenario.memory.intentions_kept,
        reuse_importance=scenario.memory.reuse_importance,
        known_support=scenario.memory.known_support,
        temperature=scenario.model.temperature, top_p=scenario.model.top_p,
        max_tokens=scenario.model.max_tokens.model_dump())


def persona_of(resident: Resident, scenario: Scenario) -> Persona:
    return resident_persona(resident, tuple(
        i.description for i in scenario.intentions if i.resident == resident.name))


def resident_persona(resident: Resident, intentions: Sequence[str] = ()) -> Persona:
    """The persona of a resident as a scenario writes it, holding `intentions`."""
    return Persona(
        name=resident.name, age=resident.age, traits=tuple(resident.traits),
        background=resident.background, occupation=resident.occupation,
        lifestyle=resident.lifestyle, home=resident.home, workplace=resident.workplace,
        known_places=resident.places,
        relationships=tuple(Relationship(r.name, r.description) for r in resident.relationships),
        seed_memories=tuple(resident.seed_memories), wake_minute=resident.wake_minute,
        sleep_minute=resident.sleep_minute, color=resident.color,
        intentions=tuple(intentions))


def create_agents(session: Session, scenario: Scenario, town: Town) -> None:
    """One row per resident, asleep at a spawn of its home arena (in scenario order)."""
    for resident in scenario.residents:
        home = town.require(resident.home, f"{scenario.source}: resident {resident.name!r}")
        spawns = town.spawns_in(home)
        tile = spawns[0].tile if spawns else sorted(town.interaction_tiles(home))[0]
        places = SpatialMemory.from_addresses(town, resident.places)
        persona = persona_of(resident, scenario)
        state = AgentState(tile=tile)
        session.add(AgentRow(name=resident.name, persona=_persona_json(persona),
                             tile_x=tile[0], tile_y=tile[1], asleep=True,
                             known_places=places.to_json(), state=state.to_json()))


def load_minds(session: Session, scenario: Scenario, town: Town,
               fallbacks: FallbackCounter) -> dict[int, Mind]:
    """Every resident's mind as the last committed tick left it, by agent id."""
    config = cognition_config(scenario)
    ids = MemoryIds.load(session)
    minds: dict[int, Mind] = {}
    for row in session.scalars(select(AgentRow).order_by(AgentRow.id)):
        persona = persona_of(scenario.resident(row.name), scenario)
        memory = MemoryStream.load(session, row.id, config.retrieval, ids)
        places = SpatialMemory.from_json(row.known_places)
        minds[row.id] = Mind(row.id, persona, AgentState.from_json(row.state), memory, places,
                             config, fallbacks)
    return minds


def seed_memories(mind: Mind, ctx: TickContext) -> Step[None]:
    """The scenario's seed memories (and intentions) as the agent's first records."""
    texts: Sequence[str] = [*mind.persona.seed_memories, *mind.persona.intentions]
    yield from remember_rated(mind, ctx, MemoryKind.OBSERVATION, texts)
    mind.state.importance_since_reflection = 0.0


def save_minds(session: Session, minds: dict[int, Mind]) -> None:
    """Write every mind's state and pending memories into the tick's transaction."""
    rows = {row.id: row for row in session.scalars(select(AgentRow))}
    for agent_id, mind in sorted(minds.items()):
        mind.memory.flush(session)
        row, state = rows[agent_id], mind.state
        row.state = state.to_json()
        row.tile_x, row.tile_y = state.tile
        row.asleep = state.asleep
        row.summary = state.summary
        row.summary_day = state.summary_day
        row.path = [list(tile) for tile in state.path]
        action = state.action
        row.action_description = action.description if action else None
        row.action_address = str(action.address) if action else None
        row.action_start_tick = action.start_tick if action else None
        row.action_duration_ticks = action.end_tick - action.start_tick if action else None
        row.action_pictogram = action.pictogram if action else None
        row.conversation_id = state.conversation.id if state.conversation else None
        row.cooldowns = dict(state.cooldowns)
        row.recent_perceived = [list(key) for key in state.recent_perceived]
        row.known_places = mind.places.to_json()
        row.importance_since_reflection = int(state.importance_since_reflection)
        row.last_reflection_tick = state.last_reflection_tick or None


def _persona_json(persona: Persona) -> dict[str, object]:
    return {"name": persona.name, "age": persona.age, "traits": list(persona.traits),
            "background": persona.background, "occupation": persona.occupation,
            "lifestyle": persona.lifestyle, "home": persona.home,
            "workplace": persona.workplace, "color": persona.color}
