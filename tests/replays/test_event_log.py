"""The event log: writer, frames, seeking, search, and clear errors for files that are not runs."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from fixtures.replay_run import ADA, BOB, CLEO, STOVE, TICKS, ada_tile, events_at, make_run
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from replays.event_log import EventLogWriter
from replays.events import LogEvent
from replays.frame import UTTERANCE_TICKS, AgentFrame, Frame
from replays.reader import EventLogReader, ReplayError
from replays.tables import KeyframeRow, ReplaysBase


def played_to(tick: int) -> Frame:
    """The frame reached by applying every scripted tick from 0: what a seek must equal."""
    frame = Frame()
    for t in range(tick + 1):
        frame.step(t, events_at(t))
    return frame


def test_events_come_back_in_order_with_their_payloads(engine: Engine) -> None:
    reader = EventLogReader(engine)
    logged = reader.events_between(0, TICKS - 1)
    assert logged == [event for t in range(TICKS) for event in events_at(t)]
    assert reader.events_between(12, 12) == events_at(12)
    assert reader.events_between(5, 4) == []


def test_keyframes_every_n_ticks_and_the_head(engine: Engine) -> None:
    with Session(engine) as session:
        ticks = session.scalars(select(KeyframeRow.tick).order_by(KeyframeRow.tick)).all()
    assert ticks == [0, 10, 20]
    reader = EventLogReader(engine)
    assert reader.last_tick() == TICKS - 1
    assert reader.first_tick() == 0
    assert reader.keyframe_every() == 10
    assert reader.agent_names() == [ADA, BOB, CLEO]


def test_seeking_equals_playing_from_the_start(engine: Engine) -> None:
    reader = EventLogReader(engine)
    ticks = list(range(TICKS))
    random.Random(7).shuffle(ticks)
    for tick in [*ticks, *range(TICKS)]:  # random seeks, then stepping forward (cached path)
        assert reader.frame_at(tick) == played_to(tick), tick


def test_frame_shows_moves_talk_sleep_and_objects(engine: Engine) -> None:
    reader = EventLogReader(engine)
    start = reader.frame_at(0)
    assert start.agents[CLEO].asleep
    assert start.agents[ADA].action == "walking to the park"
    assert reader.frame_at(7).agents[CLEO].asleep is False
    assert reader.frame_at(7).object_states == {STOVE: "on fire"}
    assert reader.frame_at(4).agents[ADA].tile == ada_tile(4)
    talking = reader.frame_at(12)
    assert talking.agents[BOB].utterance is not None
    assert talking.agents[BOB].utterance.startswith("Good morning Ada")
    assert talking.agents[ADA].talking_to == BOB
    assert talking.agents[ADA].utterance is None
    after = reader.frame_at(16)
    assert after.agents[ADA].talking_to is None
    assert after.agents[ADA].utterance == "See you there, then."  # still on screen
    assert reader.frame_at(15 + UTTERANCE_TICKS).agents[ADA].utterance is None


def test_the_returned_frame_is_the_callers_to_change(engine: Engine) -> None:
    reader = EventLogReader(engine)
    reader.last_tick()
    frame = reader.frame_at(3)
    frame.agents[ADA].tile = (0, 0)
    assert reader.frame_at(4).agents[ADA].tile == ada_tile(4)


def test_search_is_case_insensitive_and_escapes_wildcards(engine: Engine) -> None:
    reader = EventLogReader(engine)
    hits = reader.search("VALENTINE")
    assert [(hit.tick, hit.kind, hit.agent) for hit in hits] == [
        (12, "utterance", BOB), (16, "conversation", ADA), (16, "conversation", BOB)]
    assert "Valentine" in hits[0].snippet
    assert [hit.tick for hit in reader.search("100%")] == [14]
    assert [hit.tick for hit in reader.search("%")] == [14]  # not a wildcard
    assert reader.search("_") == []
    assert reader.search("fire")[0].kind == "event"
    assert reader.search("cake")[0].agent == CLEO
    assert reader.search("walking to the park") == []  # actions are not dialogue
    assert len(reader.search("e", limit=2)) == 2
    assert reader.search("   ") == []


def test_a_live_reader_sees_new_ticks(tmp_path: Path) -> None:
    engine = make_run(tmp_path / "live.sqlite", ticks=12)
    reader = EventLogReader(engine)
    assert reader.last_tick() == 11
    assert reader.frame_at(11) == played_to(11)
    writer = EventLogWriter(keyframe_every=10)
    frame = played_to(11)
    for tick in range(12, 15):
        frame.step(tick, events_at(tick))
        with Session(engine) as session:
            writer.write_tick(session, tick, events_at(tick), frame)
            session.commit()
    assert reader.last_tick() == 14
    assert reader.frame_at(14) == played_to(14)
    with Session(engine) as session:  # a resumed writer keyframes where it restarted
        assert session.get(KeyframeRow, 12) is not None
    engine.dispose()


def test_frame_json_round_trip() -> None:
    frame = played_to(13)
    assert Frame.from_json(frame.to_json()) == frame
    assert frame.agents[ADA] == AgentFrame.from_json(frame.agents[ADA].to_json())


def test_a_frame_never_goes_back() -> None:
    frame = played_to(3)
    with pytest.raises(ValueError, match="back in time"):
        frame.advance(2)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (LogEvent(0, "teleport", ADA, {}), "unknown event kind 'teleport'"),
        (LogEvent(0, "move", ADA, {}), "payload lacks tile"),
        (LogEvent(0, "move", ADA, {"tile": [1.5, 2]}), "integers"),
        (LogEvent(0, "sleep", None, {}), "needs the agent"),
        (LogEvent(0, "conversation", ADA, {"with": BOB, "state": "paused"}), "start or end"),
    ],
)
def test_the_writer_rejects_malformed_events(event: LogEvent, message: str) -> None:
    engine = create_engine("sqlite://")
    ReplaysBase.metadata.create_all(engine)
    with Session(engine) as session, pytest.raises(ValueError, match=message):
        EventLogWriter().write_tick(session, 0, [event], Frame())


def test_the_writer_rejects_a_stale_frame_and_a_repeated_tick(engine: Engine) -> None:
    writer = EventLogWriter()
    with Session(engine) as session:
        with pytest.raises(ValueError, match="frame is at tick 3"):
            writer.write_tick(session, 4, [], played_to(3))
        with pytest.raises(ValueError, match="already logged"):
            writer.write_tick(session, 5, [], played_to(5))


def test_a_foreign_database_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY)")
    with pytest.raises(ReplayError, match=r"other\.sqlite: not a run database.*log_event"):
        EventLogReader(create_engine(f"sqlite:///{path}"))


@pytest.mark.parametrize("keep_bytes", [0, 100, 6000])
def test_a_truncated_or_garbage_file_gives_one_clear_error(tmp_path: Path, keep_bytes: int) -> None:
    path = tmp_path / "broken.sqlite"
    make_run(path).dispose()
    data = path.read_bytes()
    path.write_bytes(data[:keep_bytes] if keep_bytes else b"this is not sqlite" * 400)
    with pytest.raises(ReplayError, match=r"broken\.sqlite"):
        reader = EventLogReader(create_engine(f"sqlite:///{path}"))
        reader.frame_at(TICKS - 1)
        reader.search("party")


def test_conversation_partners_and_latest_events(engine: Engine) -> None:
    reader = EventLogReader(engine)
    assert reader.conversation_partners(ADA, at_or_before=10) == []
    assert reader.conversation_partners(ADA, at_or_before=29) == [(BOB, 1)]
    latest = reader.latest(ADA, ["reflection", "utterance"], at_or_before=29, limit=2)
    assert [(event.tick, event.kind) for event in latest] == [(20, "reflection"), (15, "utterance")]


def test_a_run_file_made_by_sim_holds_the_log(run_engine: Engine) -> None:
    """The run file `sim` creates has the event log tables; a second connection reads live."""
    writer = EventLogWriter(keyframe_every=10)
    reader = EventLogReader(run_engine)
    assert reader.last_tick() is None
    frame = Frame()
    for tick in range(3):
        frame.step(tick, events_at(tick))
        with Session(run_engine) as session:
            writer.write_tick(session, tick, events_at(tick), frame)
            session.commit()
    assert reader.last_tick() == 2
    assert reader.frame_at(2) == played_to(2)
