"""A run stopped and resumed at any tick ends exactly as an uninterrupted one.

Everything that shapes later ticks lives in rows: a run is stopped (its session closed)
and reopened at many ticks, including mid-conversation, on the tick a whisper and an
event are queued, and while the event is visible; every result table and the model-call
log (requests, answers, batch ids, order) must equal the uninterrupted run's.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from run_helpers import CACHE_COLUMNS, RESULT_TABLES, table_dump
from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.tables import ConversationRow, MemoryKind, MemoryRow
from sim.config import load_scenario
from sim.db import open_engine
from sim.models.fake import FakeModel
from sim.run import RunSession
from sim.tables import InboxItem, InboxKind, ModelCall

pytestmark = pytest.mark.slow

TICKS = 1100  # 07:00 to about 10:03 of the first day: three conversations in `tiny`
SENT_AT = 600  # after this tick a whisper pair and an event are queued
EVENT_VISIBLE = 180  # ticks: half an hour of 10 s ticks
RESIDENT = "Sam Moore"
COMPARED = (*RESULT_TABLES, "inbox", "log_head", "model_call", "run")


def _queue(session: RunSession) -> None:
    """Two whispers to one resident and an event at the cafe, as the commands queue them."""
    with session.sessions() as db, db.begin():
        db.add_all([
            InboxItem(kind=InboxKind.WHISPER, agent=RESIDENT, text="Bake a cake for Maria",
                      created_tick=SENT_AT),
            InboxItem(kind=InboxKind.WHISPER, agent=RESIDENT, text="Ask Isabella about jazz",
                      created_tick=SENT_AT),
            InboxItem(kind=InboxKind.EVENT, place="Hobbs Cafe:cafe",
                      text="The espresso machine is on fire", created_tick=SENT_AT),
        ])


def _run(db: Path, stops: Sequence[int]) -> None:
    """Run `tiny` to TICKS, closing and reopening the run after each tick of `stops`."""
    session = RunSession.create(db, load_scenario("tiny"), 0, FakeModel())
    for stop in sorted({*stops, SENT_AT, TICKS}):
        session.run_until(stop)
        if stop == SENT_AT:
            _queue(session)
        if stop in stops:
            session.close()
            session = RunSession.open(db, FakeModel())
            assert session.next_tick == stop + 1
    session.close()


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("whole") / "whole.sqlite"
    _run(db, [])
    return db


def _mid_conversation(db: Path) -> list[int]:
    """A tick of each conversation after which it goes on."""
    with _reading(db) as session:
        rows = session.scalars(select(ConversationRow)).all()
    return [row.started_tick for row in rows
            if row.ended_tick is not None and row.ended_tick > row.started_tick]


@contextmanager
def _reading(db: Path) -> Iterator[Session]:
    engine = open_engine(db)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _compare(db: Path, uninterrupted: Path) -> None:
    whole = table_dump(uninterrupted, COMPARED, aside=CACHE_COLUMNS)
    resumed = table_dump(db, COMPARED, aside=CACHE_COLUMNS)
    for table in COMPARED:
        assert resumed[table] == whole[table], table


def test_the_uninterrupted_run_has_what_the_stops_must_cross(uninterrupted: Path) -> None:
    assert len(_mid_conversation(uninterrupted)) >= 2
    with _reading(uninterrupted) as session:
        thoughts = session.scalars(select(MemoryRow.description).where(
            MemoryRow.kind == MemoryKind.THOUGHT)).all()
        observed = session.scalars(select(MemoryRow.description).where(
            MemoryRow.description.contains("espresso machine"))).all()
        cached = session.scalars(select(ModelCall.id).where(ModelCall.cached)).all()
    assert sorted(thoughts) == ["Ask Isabella about jazz", "Bake a cake for Maria"]
    assert observed, "no resident observed the injected event"
    assert cached, "the cache answered nothing, so the log's cache hits go untested"


def test_stopped_at_chosen_ticks_equals_uninterrupted(tmp_path: Path,
                                                      uninterrupted: Path) -> None:
    """Mid-conversation, with a whisper queued, on the event's tick and while it is visible."""
    stops = [1, *_mid_conversation(uninterrupted), SENT_AT, SENT_AT + 1, SENT_AT + 5,
             SENT_AT + EVENT_VISIBLE - 1, SENT_AT + EVENT_VISIBLE, TICKS - 1]
    db = tmp_path / "stopped.sqlite"
    _run(db, stops)
    _compare(db, uninterrupted)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stopped_at_random_ticks_equals_uninterrupted(seed: int, tmp_path: Path,
                                                      uninterrupted: Path) -> None:
    stops = random.Random(seed).sample(range(0, TICKS), 12)
    db = tmp_path / "stopped.sqlite"
    _run(db, stops)
    _compare(db, uninterrupted)


def test_smallville_stopped_where_the_cache_decided_quiet_ticks(tmp_path: Path) -> None:
    """The issue's case: stopped at 153 and resumed to 200, against 200 at once."""
    whole, parts = tmp_path / "whole.sqlite", tmp_path / "parts.sqlite"
    session = RunSession.create(whole, load_scenario("smallville"), 0, FakeModel())
    session.run_until(200)
    session.close()
    session = RunSession.create(parts, load_scenario("smallville"), 0, FakeModel())
    session.run_until(153)
    session.close()
    session = RunSession.open(parts, FakeModel())
    session.run_until(200)
    session.close()
    _compare(parts, whole)
