"""Write the event log: a tick's events, the log's head, and a keyframe every N ticks.

    writer = EventLogWriter(keyframe_every=360)
    frame.step(tick, events)                       # the scheduler's current Frame
    writer.write_tick(session, tick, events, frame)
    session.commit()                               # the caller owns the transaction

Rows are only added to the caller's session, so a tick's events, the agents'
rows and the run's progress commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from replays.events import WorldEventLike, check_event, searchable_text
from replays.frame import Frame
from replays.tables import HEAD_ID, EventRow, KeyframeRow, LogHeadRow

DEFAULT_KEYFRAME_EVERY = 360
"""One keyframe per game hour at 10 s ticks: a seek replays at most an hour of events."""


class EventLogWriter:
    """Adds each tick's events to the caller's session; keeps no state but whether it keyframed.

    Besides every `keyframe_every` ticks, the first tick a writer writes gets
    a keyframe, so a resumed or forked run seeks fast from where it restarted.
    """

    def __init__(self, keyframe_every: int = DEFAULT_KEYFRAME_EVERY) -> None:
        if keyframe_every < 1:
            raise ValueError(f"keyframe_every must be at least 1, got {keyframe_every}")
        self.keyframe_every = keyframe_every
        self._wrote_keyframe = False

    def write_tick(
        self,
        session: Session,
        tick: int,
        events: Sequence[WorldEventLike],
        frame: Frame,
    ) -> None:
        """Log `events` (in order) as happening at `tick`; `frame` must already include them.

        ValueError for a malformed event, a frame at another tick, or a tick not
        after the last one logged (a tick is written once).
        """
        if tick < 0:
            raise ValueError(f"ticks start at 0, got {tick}")
        if frame.tick != tick:
            raise ValueError(
                f"the frame is at tick {frame.tick}, not {tick}: step it with the tick's events"
            )
        for event in events:
            check_event(event)
        head = session.get(LogHeadRow, HEAD_ID)
        if head is None:
            head = LogHeadRow(id=HEAD_ID, last_tick=tick, keyframe_every=self.keyframe_every)
            session.add(head)
        elif tick <= head.last_tick:
            raise ValueError(f"tick {tick} is already logged (the log ends at {head.last_tick})")
        else:
            head.last_tick = tick
            head.keyframe_every = self.keyframe_every
        session.add_all(
            EventRow(
                tick=tick,
                kind=event.kind,
                agent=event.agent,
                payload=dict(event.payload),
                text=searchable_text(event.kind, event.payload),
            )
            for event in events
        )
        if tick % self.keyframe_every == 0 or not self._wrote_keyframe:
            session.add(KeyframeRow(tick=tick, frame=frame.to_json()))
            self._wrote_keyframe = True
