"""The agents' tables: names other code relies on, round trips, references, and portability."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.schema import CreateTable

from agents.embeddings import from_blob, stack_blobs, to_blob, unit_rows
from agents.state import AgentState, Conversation, CurrentAction, ScheduledActivity
from agents.tables import (
    AgentRow,
    AgentsBase,
    ConversationRow,
    MemoryKind,
    MemoryRow,
    PlanLevel,
    PlanRow,
    UtteranceRow,
)
from world.address import Address
from world.spatial_memory import SpatialMemory

WHEN = "2023-02-13T07:00:00"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'agents.sqlite'}")
    event.listen(engine, "connect",
                 lambda conn, _record: conn.execute("PRAGMA foreign_keys=ON"))
    AgentsBase.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _columns(row: DeclarativeBase) -> dict[str, Any]:
    return {attr.key: getattr(row, attr.key) for attr in inspect(type(row)).column_attrs}


def _agent(name: str, **state: Any) -> AgentRow:
    return AgentRow(name=name, persona={"name": name, "age": 34}, tile_x=3, tile_y=4, **state)


def test_the_tables_have_their_documented_names(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) == {
        "agent", "memory", "plan_item", "conversation", "utterance"}
    memory_columns = {c["name"] for c in inspect(engine).get_columns("memory")}
    assert {"subject", "predicate", "object", "evidence_ids", "embedding"} <= memory_columns
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("memory")}
    assert indexes["ix_memory_agent_id_id"] == ["agent_id", "id"]


def test_agent_state_survives_a_save_and_a_load(engine: Engine) -> None:
    places = SpatialMemory("town")
    places.learn(Address("town", "Hobbs Cafe", "cafe", "counter"))
    with Session(engine) as session:
        klaus = _agent("Klaus Mueller")
        session.add(klaus)
        session.flush()
        chat = ConversationRow(agent_a_id=klaus.id, agent_b_id=klaus.id, started_tick=90)
        session.add(chat)
        session.flush()
        isabella = _agent(
            "Isabella Rodriguez", summary="Isabella runs Hobbs Cafe.", summary_day="2023-02-13",
            asleep=False, action_description="setting out the pastries",
            action_address="town:Hobbs Cafe:cafe:counter", action_start_tick=100,
            action_duration_ticks=30, action_pictogram="🥐", path=[[3, 4], [3, 5]],
            conversation_id=chat.id, conversation_turn_id=klaus.id, busy_until_tick=130,
            cooldowns={"Klaus Mueller": 500}, recent_perceived=["stove:on", "Klaus:reading"],
            known_places=places.to_json(), importance_since_reflection=42,
            last_reflection_tick=80, state={"tile": [3, 4], "asleep": False})
        session.add(isabella)
        session.commit()
        saved = _columns(isabella)
    with Session(engine) as session:
        loaded = session.get(AgentRow, saved["id"])
        assert loaded is not None
        assert _columns(loaded) == saved
        assert loaded.action_end_tick == 130
        assert SpatialMemory.from_json(loaded.known_places) == places


def test_a_new_agent_starts_asleep_with_empty_state(engine: Engine) -> None:
    with Session(engine) as session:
        agent = _agent("Tom Moreno")
        session.add(agent)
        session.commit()
        session.expire_all()
        state = (agent.asleep, agent.path, agent.cooldowns, agent.recent_perceived,
                 agent.known_places, agent.importance_since_reflection, agent.summary,
                 agent.last_reflection_tick, agent.action_end_tick, agent.state)
    assert state == (True, [], {}, [], {}, 0, "", None, None, {})


def test_the_cognition_state_round_trips_through_the_state_column(engine: Engine) -> None:
    state = AgentState(
        tile=(1, 2), asleep=False, path=[(1, 3), (2, 3)], plan_day="2023-02-13",
        day_plan=[ScheduledActivity(420, 60, "open the cafe")],
        schedule=[ScheduledActivity(420, 30, "unlock the door"),
                  ScheduledActivity(450, 30, "brew the coffee")],
        action=CurrentAction("unlocking the door", Address.parse("town:Hobbs Cafe:cafe:door"),
                             100, 130, "🔑"),
        chunk_place=Address.parse("town:Hobbs Cafe:cafe"),
        conversation=Conversation(7, "Klaus Mueller", "Isabella Rodriguez", 95, "Klaus Mueller"),
        cooldowns={"Klaus Mueller": 500}, importance_since_reflection=12.5)
    with Session(engine) as session:
        row = _agent("Isabella Rodriguez", state=state.to_json())
        session.add(row)
        session.commit()
        row_id = row.id
    with Session(engine) as session:
        loaded = session.get(AgentRow, row_id)
        assert loaded is not None
        assert isinstance(loaded.state["tile"], list)  # JSON made the tuples lists
        assert loaded.state["action"]["address"] == "town:Hobbs Cafe:cafe:door"  # as text
        assert loaded.state["chunk_place"] == "town:Hobbs Cafe:cafe"
        assert AgentState.from_json(loaded.state) == state


def test_agent_names_are_unique(engine: Engine) -> None:
    with Session(engine) as session:
        session.add_all([_agent("Sam Moore"), _agent("Sam Moore")])
        with pytest.raises(IntegrityError):
            session.flush()


def test_a_conversation_stores_each_utterance_once_and_memories_point_to_it(
        engine: Engine) -> None:
    with Session(engine) as session:
        maria, klaus = _agent("Maria Lopez"), _agent("Klaus Mueller")
        session.add_all([maria, klaus])
        session.flush()
        chat = ConversationRow(agent_a_id=maria.id, agent_b_id=klaus.id, started_tick=10)
        session.add(chat)
        session.flush()
        said = UtteranceRow(conversation_id=chat.id, tick=10, speaker_id=maria.id,
                            listener_id=klaus.id, text="Are you coming to the party?")
        session.add(said)
        session.flush()
        memories = [MemoryRow(agent_id=agent.id, kind=MemoryKind.DIALOGUE, created_tick=10,
                              created_at=WHEN, last_accessed_tick=10, importance=4,
                              description="Maria asked about the party",
                              embedding=to_blob([0.0, 1.0]), utterance_id=said.id,
                              conversation_id=chat.id) for agent in (maria, klaus)]
        session.add_all(memories)
        chat.ended_tick, chat.rounds, chat.summary = 18, 4, "Maria invited Klaus to the party."
        session.commit()
        assert session.query(UtteranceRow).count() == 1
        assert {m.utterance_id for m in memories} == {said.id}
        stored_kind = session.execute(text("SELECT kind FROM memory LIMIT 1")).scalar()
        assert stored_kind == "dialogue"


def test_foreign_keys_reject_a_missing_conversation(engine: Engine) -> None:
    with Session(engine) as session:
        maria = _agent("Maria Lopez")
        session.add(maria)
        session.flush()
        session.add(UtteranceRow(conversation_id=999, tick=1, speaker_id=maria.id,
                                 listener_id=maria.id, text="hello?"))
        with pytest.raises(IntegrityError):
            session.flush()


def test_plan_items_keep_their_level_order_and_replacement(engine: Engine) -> None:
    with Session(engine) as session:
        agent = _agent("John Lin")
        session.add(agent)
        session.flush()
        memory = MemoryRow(agent_id=agent.id, kind=MemoryKind.PLAN, created_tick=0,
                           created_at=WHEN, last_accessed_tick=0, importance=5,
                           description="John plans his day", embedding=to_blob([1.0]))
        session.add(memory)
        session.flush()
        items = [
            PlanRow(agent_id=agent.id, day="2023-02-13", level=PlanLevel.DAY, position=0,
                    description="wake up and make breakfast at 7 am", memory_id=memory.id),
            PlanRow(agent_id=agent.id, day="2023-02-13", level=PlanLevel.ACTION, position=0,
                    start_tick=0, duration_ticks=90, description="brushing his teeth",
                    address="town:Lin family's house:bathroom:sink", pictogram="🪥",
                    replaced_tick=40),
        ]
        session.add_all(items)
        session.commit()
        saved = [_columns(item) for item in items]
    with Session(engine) as session:
        loaded = session.query(PlanRow).order_by(PlanRow.id).all()
        assert [_columns(item) for item in loaded] == saved
        assert [item.level for item in loaded] == [PlanLevel.DAY, PlanLevel.ACTION]
        assert session.execute(text("SELECT level FROM plan_item ORDER BY id")).scalars().all() \
            == ["day", "action"]


def test_the_schema_compiles_for_postgresql() -> None:
    ddl = {name: str(CreateTable(table).compile(dialect=postgresql.dialect()))
           for name, table in AgentsBase.metadata.tables.items()}
    assert "embedding BYTEA" in ddl["memory"]
    assert "persona JSON" in ddl["agent"]
    assert "evidence_ids JSON" in ddl["memory"]


def test_embedding_blobs_round_trip_as_little_endian_float32() -> None:
    vector = np.array([0.25, -1.5, 3.0], dtype=np.float64)
    blob = to_blob(vector)
    assert blob == np.array(vector, dtype="<f4").tobytes()
    assert from_blob(blob).dtype == np.float32
    assert from_blob(blob).tolist() == [0.25, -1.5, 3.0]
    matrix = stack_blobs([blob, to_blob([1.0, 0.0, 0.0])], dim=3)
    assert matrix.shape == (2, 3) and matrix[1].tolist() == [1.0, 0.0, 0.0]
    with pytest.raises(ValueError):
        stack_blobs([blob, to_blob([1.0, 0.0])], dim=3)
    with pytest.raises(ValueError):
        to_blob([0.0, float("nan")])
    with pytest.raises(ValueError):
        from_blob(b"abc")


def test_unit_rows_leave_zero_rows_at_zero() -> None:
    rows = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32))
    assert rows.tolist() == [[pytest.approx(0.6), pytest.approx(0.8)], [0.0, 0.0]]
