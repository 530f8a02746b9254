"""What the viewer is showing and how it moves through time: plain data, no drawing, no pygame loop.

Keys and clicks change a `ViewState`; `render_frame` only reads one. Time
is a float `position` in ticks, so residents glide between the tiles of tick
t and t + 1 instead of jumping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final, Literal

from replays.reader import SearchHit
from replays.viewer.camera import Camera

SPEEDS: Final[tuple[float, ...]] = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
BASE_TICKS_PER_SECOND: Final[float] = 2.0
"""Ticks shown per wall second at speed x1: a resident walks two tiles a second."""


@dataclass(slots=True)
class Playback:
    """Where in the run the viewer is, between the first and the last committed tick."""

    first: int
    last: int
    position: float = 0.0
    playing: bool = False
    speed_index: int = 1
    live: bool = False

    @property
    def tick(self) -> int:
        return math.floor(self.position)

    @property
    def speed(self) -> float:
        return SPEEDS[self.speed_index]

    @property
    def at_end(self) -> bool:
        return self.position >= self.last

    def advance(self, seconds: float) -> None:
        """Play for `seconds` of wall time. A replay pauses at its end; a live one waits there."""
        if not self.playing:
            return
        self.position = min(self.position + self.speed * BASE_TICKS_PER_SECOND * seconds,
                            float(self.last))
        if self.at_end and not self.live:
            self.playing = False

    def toggle(self) -> None:
        if not self.playing and self.at_end and not self.live:
            self.position = float(self.first)  # play again from the start
        self.playing = not self.playing

    def seek(self, tick: float) -> None:
        self.position = float(min(max(tick, self.first), self.last))

    def step(self, ticks: int) -> None:
        """Pause and move a whole number of ticks from the current one."""
        self.playing = False
        self.seek(self.tick + ticks)

    def faster(self) -> None:
        self.speed_index = min(self.speed_index + 1, len(SPEEDS) - 1)

    def slower(self) -> None:
        self.speed_index = max(self.speed_index - 1, 0)

    def extend(self, last: int) -> None:
        """A live run committed more ticks."""
        self.last = max(self.last, last)


PromptKind = Literal["search", "goto"]


@dataclass(slots=True)
class Prompt:
    """A one-line text box: dialogue search or jump to a time."""

    kind: PromptKind
    text: str = ""
    error: str | None = None
    hits: list[SearchHit] = field(default_factory=list)
    selected: int = 0
    searched: str | None = None


@dataclass(slots=True)
class ViewState:
    """Everything the user controls; the camera's viewport is the map's part of the window."""

    camera: Camera
    playback: Playback
    selected: str | None = None
    hovered: str | None = None
    follow: bool = False
    show_help: bool = False
    prompt: Prompt | None = None
    panel_scroll: int = 0
    toast: str | None = None
    toast_seconds: float = 0.0
    dragging_map: bool = False
    dragging_timeline: bool = False
    drag_moved: float = 0.0

    def notify(self, message: str, seconds: float = 2.5) -> None:
        """Show a short message at the top of the map."""
        self.toast = message
        self.toast_seconds = seconds

    def tick_toast(self, seconds: float) -> None:
        if self.toast is not None:
            self.toast_seconds -= seconds
            if self.toast_seconds <= 0:
                self.toast = None
