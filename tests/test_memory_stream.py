"""The memory stream: records added and retrieved in memory, written by one flush per tick."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session

from agents.memory import MemoryIds, MemoryRecord, MemoryStream, NewMemory
from agents.retrieval import RetrievalConfig
from agents.tables import AgentRow, AgentsBase, MemoryKind, MemoryRow

HOURLY = RetrievalConfig(tick_seconds=3600)  # one tick = one game hour keeps the arithmetic plain
WHEN = "2023-02-13T07:00:00"


def _engine(url: str = "sqlite://") -> Engine:
    engine = create_engine(url)
    event.listen(engine, "connect",
                 lambda conn, _record: conn.execute("PRAGMA foreign_keys=ON"))
    AgentsBase.metadata.create_all(engine)
    return engine


def _add_agent(session: Session, name: str) -> int:
    agent = AgentRow(name=name, persona={"name": name}, tile_x=0, tile_y=0)
    session.add(agent)
    session.flush()
    return agent.id


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = _engine()
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def _abc(config: RetrievalConfig = HOURLY, agent_id: int = 1,
         ids: MemoryIds | None = None) -> tuple[MemoryStream, list[int]]:
    """Three records: A (relevant, dull, old), B (irrelevant, important), C (between, newest).

    Each was last accessed at its creation tick: A at 0, B at 10, C at 20.
    """
    stream = MemoryStream(agent_id, config, ids or MemoryIds())
    records = [
        stream.add(MemoryKind.OBSERVATION, "A", 2, [1.0, 0.0, 0.0], 0, created_at=WHEN),
        stream.add(MemoryKind.REFLECTION, "B", 8, [0.0, 2.0, 0.0], 10, created_at=WHEN),
        stream.add(MemoryKind.PLAN, "C", 5, [0.6, 0.8, 0.0], 20, created_at=WHEN),
    ]
    return stream, [record.id for record in records]


def _stored_access(session: Session) -> dict[int, int]:
    rows = session.execute(select(MemoryRow.id, MemoryRow.last_accessed_tick))
    return {memory_id: tick for memory_id, tick in rows}


def _statements(engine: Engine) -> list[str]:
    """The SQL statements `engine` executes from now on, as they are sent."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", record)
    return seen


def test_retrieval_matches_hand_computed_scores() -> None:
    stream, (a, b, c) = _abc()
    results = stream.retrieve([1.0, 0.0, 0.0], now_tick=20, touch=False)

    # recency 0.995 ** hours since access: A 20 h, B 10 h, C 0 h; min-max -> A 0, C 1.
    recency_b = (0.995**10 - 0.995**20) / (1 - 0.995**20)
    # importance 2, 8, 5 -> 0, 1, 0.5; cosine 1, 0, 0.6 (B's length does not matter) -> same.
    expected = {a: (0.0, 0.0, 1.0), b: (recency_b, 1.0, 0.0), c: (1.0, 0.5, 0.6)}
    assert [r.id for r in results] == [c, b, a]  # 2.1 > 1.4875 > 1.0
    for result in results:
        recency, importance, relevance = expected[result.id]
        assert result.recency == pytest.approx(recency)
        assert result.importance == pytest.approx(importance)
        assert result.relevance == pytest.approx(relevance, abs=1e-6)
        assert result.score == pytest.approx(recency + importance + relevance, abs=1e-6)
    assert [r.memory.description for r in results] == ["C", "B", "A"]


def test_original_code_mode_decays_by_rank_and_weighs_0_5_2_3() -> None:
    stream, (a, b, c) = _abc(RetrievalConfig.original_code(tick_seconds=3600))
    results = stream.retrieve([1.0, 0.0, 0.0], now_tick=20, touch=False)

    # Ranks by last access, newest first: C 1, B 2, A 3 -> 0.99, 0.99^2, 0.99^3.
    recency_b = (0.99**2 - 0.99**3) / (0.99 - 0.99**3)
    scores = {r.id: r.score for r in results}
    assert scores[a] == pytest.approx(0.5 * 0 + 2 * 0 + 3 * 1.0)
    assert scores[b] == pytest.approx(0.5 * recency_b + 2 * 1.0 + 3 * 0)
    assert scores[c] == pytest.approx(0.5 * 1 + 2 * 0.5 + 3 * 0.6, abs=1e-6)
    assert [r.id for r in results] == [c, a, b]  # the paper's weights put B before A


def test_rank_mode_ranks_equal_access_times_newest_first() -> None:
    stream = MemoryStream(1, RetrievalConfig.original_code(), MemoryIds())
    ids = [stream.add(MemoryKind.OBSERVATION, f"m{i}", 5, [1.0, 0.0], 7, created_at=WHEN).id
           for i in range(3)]
    results = stream.retrieve([1.0, 0.0], now_tick=7, touch=False)
    assert [r.id for r in results] == ids[::-1]
    assert [r.recency for r in results] == pytest.approx([1.0, 0.99 / (1 + 0.99), 0.0])


def test_touch_false_queues_nothing_and_touch_true_marks_only_the_returned(
        session: Session) -> None:
    stream, ids = _abc(agent_id=_add_agent(session, "Isabella Rodriguez"))
    assert stream.flush(session) == 3
    query = [1.0, 0.0, 0.0]
    before = stream.retrieve(query, now_tick=30, touch=False)
    again = stream.retrieve(query, now_tick=30, touch=False)
    assert stream.pending == 0
    assert [stream.last_accessed(i) for i in ids] == [0, 10, 20]
    assert [(r.id, r.score) for r in again] == [(r.id, r.score) for r in before]

    top_two = {r.id for r in stream.retrieve(query, now_tick=30, k=2)}
    assert len(top_two) == 2 and stream.pending == 2
    expected = {i: 30 if i in top_two else tick for i, tick in zip(ids, [0, 10, 20], strict=True)}
    assert {i: stream.last_accessed(i) for i in ids} == expected
    assert _stored_access(session) == dict(zip(ids, [0, 10, 20], strict=True))  # not yet written
    assert stream.flush(session) == 2
    assert _stored_access(session) == expected


def test_touching_changes_later_recency() -> None:
    stream, (a, _b, _c) = _abc()
    query = [1.0, 0.0, 0.0]
    assert stream.retrieve(query, now_tick=40, touch=False)[-1].id == a  # the stalest
    (touched,) = stream.retrieve(query, now_tick=40, kinds=["observation"])
    assert touched.id == a
    later = {r.id: r for r in stream.retrieve(query, now_tick=40, touch=False)}
    assert later[a].recency == 1.0


def test_kinds_restrict_candidates_and_normalisation() -> None:
    stream, (a, b, c) = _abc()
    results = stream.retrieve([1.0, 0.0, 0.0], now_tick=20, touch=False,
                              kinds=[MemoryKind.OBSERVATION, "plan"])
    assert [r.id for r in results] == [c, a]
    assert results[0].importance == 1.0 and results[1].importance == 0.0  # 5 and 2 only
    assert stream.retrieve([1.0, 0.0, 0.0], now_tick=20, kinds=["dialogue"]) == []
    assert [stream.last_accessed(i) for i in (a, b, c)] == [0, 10, 20]


def test_a_lone_record_scores_zero_because_constant_terms_normalise_to_zero() -> None:
    stream = MemoryStream(1, HOURLY, MemoryIds())
    stream.add(MemoryKind.OBSERVATION, "only", 4, [0.0, 1.0], 3, created_at=WHEN)
    (result,) = stream.retrieve([1.0, 0.0], now_tick=9)
    assert (result.score, result.recency, result.importance, result.relevance) == (0, 0, 0, 0)


def test_equal_scores_come_in_id_order_and_k_defaults_to_config() -> None:
    stream = MemoryStream(1, RetrievalConfig(k=4), MemoryIds())
    ids = [stream.add(MemoryKind.OBSERVATION, f"same {i}", 3, [0.0, 1.0], 5, created_at=WHEN).id
           for i in range(6)]
    results = stream.retrieve([0.3, 0.7], now_tick=5)
    assert [r.id for r in results] == ids[:4]


def test_records_added_in_a_tick_are_retrievable_and_citable_before_any_flush(
        engine: Engine, session: Session) -> None:
    agent_id = _add_agent(session, "Klaus Mueller")
    session.commit()
    statements = _statements(engine)
    stream = MemoryStream(agent_id, HOURLY, MemoryIds())
    seen = stream.add(MemoryKind.OBSERVATION, "Maria is at the cafe", 4, [1.0, 0.0], 10,
                      created_at=WHEN)
    (best,) = stream.retrieve([1.0, 0.1], now_tick=10, k=1)
    thought = stream.add("reflection", "Maria likes the cafe", 6, [0.9, 0.1], 10,
                         created_at=WHEN, evidence_ids=[best.id])
    assert best.memory is seen
    assert thought.evidence_ids == (seen.id,)
    assert statements == []  # cognition touched no database
    assert session.scalar(select(func.count()).select_from(MemoryRow)) == 0
    assert stream.flush(session) == 2
    stored = session.get(MemoryRow, thought.id)
    assert stored is not None and stored.evidence_ids == [seen.id]


def test_flush_writes_exactly_the_pending_rows_and_updates(
        engine: Engine, session: Session) -> None:
    stream, (a, b, c) = _abc(agent_id=_add_agent(session, "Maria Lopez"))
    assert stream.pending == 3
    assert stream.flush(session) == 3
    stream.retrieve([1.0, 0.0, 0.0], now_tick=30, kinds=["observation"])  # touches A
    d = stream.add(MemoryKind.DIALOGUE, "D", 3, [0.0, 0.0, 1.0], 31, created_at=WHEN).id
    stream.retrieve([0.0, 0.0, 1.0], now_tick=32, kinds=["dialogue"])  # D, before it is written
    stream.retrieve([1.0, 0.0, 0.0], now_tick=33, kinds=["observation"])  # A again: 1 update
    assert stream.pending == 2
    statements = _statements(engine)
    assert stream.flush(session) == 2
    assert statements == ["INSERT", "UPDATE"]
    assert (stream.pending, stream.flush(session)) == (0, 0)
    assert statements == ["INSERT", "UPDATE"]  # an empty flush sends nothing
    assert _stored_access(session) == {a: 33, b: 10, c: 20, d: 32}


def test_a_stream_reloaded_after_flush_retrieves_identically(tmp_path: Path) -> None:
    engine = _engine(f"sqlite:///{tmp_path / 'run.sqlite'}")
    rng = np.random.default_rng(7)
    kinds = list(MemoryKind)
    with Session(engine) as session:
        stream = MemoryStream(_add_agent(session, "Sam Moore"), HOURLY, MemoryIds.load(session))
        for tick in range(40):
            stream.add(kinds[tick % len(kinds)], f"m{tick}", int(rng.integers(1, 11)),
                       rng.standard_normal(8), tick, created_at=WHEN)
            if tick % 7 == 6:
                stream.retrieve(rng.standard_normal(8), now_tick=tick, k=5)
                stream.flush(session)
        stream.flush(session)
        session.commit()
    queries = rng.standard_normal((3, 8))
    with Session(engine) as session:
        fresh = MemoryStream.load(session, stream.agent_id, HOURLY, MemoryIds.load(session))
    assert len(fresh) == len(stream) == 40
    assert fresh.records() == stream.records()
    assert [fresh.last_accessed(r.id) for r in fresh.records()] == \
        [stream.last_accessed(r.id) for r in stream.records()]
    for query in queries:
        mine = stream.retrieve(query, now_tick=50, touch=False)
        theirs = fresh.retrieve(query, now_tick=50, touch=False)
        assert [(r.id, r.score, r.memory) for r in mine] == \
            [(r.id, r.score, r.memory) for r in theirs]
    engine.dispose()


def test_a_stream_loaded_after_a_rollback_forgets_the_lost_tick(session: Session) -> None:
    ids = MemoryIds()
    stream, _ids = _abc(agent_id=_add_agent(session, "Tom Moreno"), ids=ids)
    stream.flush(session)
    session.commit()
    stream.add(MemoryKind.OBSERVATION, "lost", 9, [0.0, 0.0, 1.0], 30, created_at=WHEN)
    stream.flush(session)
    session.rollback()
    ids = MemoryIds.load(session)
    stream = MemoryStream.load(session, stream.agent_id, HOURLY, ids)
    assert len(stream) == 3
    assert "lost" not in {r.description for r in stream.records()}
    assert ids.next() == 4  # the lost record's id is handed out again


def test_memory_ids_are_unique_across_agents_and_match_the_database(session: Session) -> None:
    ids = MemoryIds.load(session)
    first, _ = _abc(agent_id=_add_agent(session, "Ayesha Khan"), ids=ids)
    second, _ = _abc(agent_id=_add_agent(session, "Wolfgang Schulz"), ids=ids)
    first.add(MemoryKind.THOUGHT, "late", 1, [0.0, 0.0, 1.0], 21, created_at=WHEN)
    expected = {(r.id, r.agent_id, r.description) for s in (first, second) for r in s.records()}
    assert sorted(i for i, _, _ in expected) == list(range(1, 8))
    assert first.flush(session) + second.flush(session) == 7
    stored = session.execute(select(MemoryRow.id, MemoryRow.agent_id, MemoryRow.description))
    assert {tuple(row) for row in stored} == expected
    assert MemoryIds.load(session).next() == ids.next() == 8


def test_add_stores_every_field_and_checks_its_input(session: Session) -> None:
    ids = MemoryIds()
    stream, evidence = _abc(agent_id=_add_agent(session, "Isabella Rodriguez"), ids=ids)
    reflection = stream.add(
        "reflection", "Isabella cares about her regulars", 7, [0.0, 0.0, 1.0], 25,
        created_at="2023-02-13T07:04:10", subject="Isabella", predicate="cares about",
        object_="regulars", evidence_ids=evidence[:2])
    assert reflection == MemoryRecord(
        4, stream.agent_id, MemoryKind.REFLECTION, 25, "2023-02-13T07:04:10",
        "Isabella cares about her regulars", 7, "Isabella", "cares about", "regulars",
        tuple(evidence[:2]))
    stream.flush(session)
    session.expire_all()
    stored = session.get(MemoryRow, reflection.id)
    assert stored is not None
    assert (stored.kind, stored.evidence_ids, stored.object_, stored.last_accessed_tick,
            stored.created_at) == (MemoryKind.REFLECTION, evidence[:2], "regulars", 25,
                                   "2023-02-13T07:04:10")
    with pytest.raises(ValueError, match="importance"):
        stream.add("observation", "x", 11, [1.0, 0.0, 0.0], 1, created_at=WHEN)
    with pytest.raises(ValueError, match="values"):
        stream.add("observation", "x", 3, [1.0, 0.0], 1, created_at=WHEN)
    with pytest.raises(ValueError, match="evidence"):
        stream.add("reflection", "x", 3, [1.0, 0.0, 0.0], 1, created_at=WHEN,
                   evidence_ids=[evidence[0], 10_000])
    with pytest.raises(ValueError, match="values"):
        stream.retrieve([1.0, 0.0], now_tick=1)
    assert (len(stream), stream.pending, ids.next()) == (4, 0, 5)  # failures added nothing


def test_add_many_appends_in_order_with_ids() -> None:
    stream = MemoryStream(1, HOURLY, MemoryIds(first=10))
    records = stream.add_many([
        NewMemory(MemoryKind.OBSERVATION, f"seen {i}", 2, [float(i), 1.0], 3, WHEN)
        for i in range(4)])
    assert [r.description for r in stream.recent(10)] == [f"seen {i}" for i in range(4)]
    assert [r.id for r in records] == [10, 11, 12, 13]
    assert stream.add_many([]) == []


def test_recent_records_importance_since_and_by_ids() -> None:
    stream, (a, b, c) = _abc()
    assert [r.id for r in stream.recent(2)] == [b, c]
    assert [r.id for r in stream.recent(5, kinds=["observation", "plan"])] == [a, c]
    assert stream.recent(0) == []
    assert [r.id for r in stream.records()] == [a, b, c]
    assert [r.id for r in stream.records(kinds=[MemoryKind.REFLECTION])] == [b]
    assert stream.importance_since(0) == 8 + 5
    assert stream.importance_since(-1) == 2 + 8 + 5
    assert stream.importance_since(10, kinds=["plan"]) == 5
    assert [r.id for r in stream.by_ids([c, a])] == [c, a]
    other = MemoryStream(2, HOURLY, MemoryIds(first=100))
    with pytest.raises(KeyError):
        other.by_ids([a])
    with pytest.raises(KeyError):
        other.last_accessed(a)


def test_an_empty_stream_retrieves_nothing_and_flushes_nothing(session: Session) -> None:
    stream = MemoryStream.load(session, _add_agent(session, "Eddy Lin"), HOURLY, MemoryIds())
    assert stream.retrieve([1.0, 0.0], now_tick=0) == []
    assert (len(stream), stream.dim, stream.importance_since(0), stream.pending) == (0, None, 0, 0)
    assert stream.recent(3) == [] and stream.records() == []
    assert stream.flush(session) == 0


@st.composite
def _records(draw: st.DrawFn) -> tuple[list[tuple[int, int, list[float]]], list[float], int]:
    n = draw(st.integers(1, 12))
    vector = st.lists(st.floats(-4, 4, allow_nan=False, width=32), min_size=3, max_size=3)
    records = draw(st.lists(st.tuples(st.integers(1, 10), st.integers(0, 500), vector),
                            min_size=n, max_size=n))
    return records, draw(vector), draw(st.integers(1, 15))


@settings(max_examples=60, deadline=None)
@given(data=_records(), rank_mode=st.booleans())
def test_scores_are_bounded_and_ordered_by_score_then_id(
        data: tuple[list[tuple[int, int, list[float]]], list[float], int], rank_mode: bool) -> None:
    records, query, k = data
    stream = MemoryStream(1, RetrievalConfig(recency_mode="rank" if rank_mode else "hours"),
                          MemoryIds())
    for importance, tick, vector in records:
        stream.add("observation", "m", importance, vector, tick, created_at=WHEN)
    results = stream.retrieve(query, now_tick=600, k=k)
    assert len(results) == min(k, len(records))
    assert all(0.0 <= r.score <= 3.0 for r in results)
    assert all(0.0 <= term <= 1.0 for r in results
               for term in (r.recency, r.importance, r.relevance))
    keys = [(-r.score, r.id) for r in results]
    assert keys == sorted(keys)
