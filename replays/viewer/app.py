"""The viewer window: a fixed-timestep loop over the run database (live or finished).

Entry point (called by `python -m sim view RUN`):

    run_viewer(engine, town, *, live: bool, start_tick: int | None = None,
               scale: TimeScale | None = None) -> None

`engine` is the run's database, `town` its map (`world.tiled.load_town`),
`live` says whether another process is still writing the run (the viewer
then polls for new ticks and starts at the newest), `scale` turns ticks into
game times (`sim.clock.Clock` fits; without it times show as tick numbers).
Raises `replays.reader.ReplayError` when the database has no event log.

`Viewer` holds the state and is driven by `handle(event)`, `update(seconds)`
and `draw(screen)`, so tests post pygame events without a real window.
"""

from __future__ import annotations

import pygame
from sqlalchemy import Engine

from replays.frame import Frame
from replays.reader import EventLogReader
from replays.timescale import TickScale, TimeScale, has_dates
from replays.viewer import controls
from replays.viewer.camera import Camera
from replays.viewer.details import DetailsQuery
from replays.viewer.hud import clock_card, draw_help, draw_toast, status_card
from replays.viewer.panels import PANEL_WIDTH, draw_panel, layout_panel
from replays.viewer.scene import Drawn, Scene, render_frame
from replays.viewer.state import Playback, ViewState
from replays.viewer.widgets import TIMELINE_HEIGHT, Timeline, draw_prompt
from world.town import Town

UPDATE_HZ = 60
STEP = 1.0 / UPDATE_HZ
POLL_SECONDS = 0.5
DETAILS_SECONDS = 0.3
FOLLOW_EASE = 6.0
PAN_SPEED = 700.0
WINDOW_SIZE = (1280, 800)
CACHED_FRAMES = 6
START_MAX_ZOOM = 2.0
START_MARGIN_TILES = 3


class FrameCache:
    """The last few frames by tick: drawing t and t + 1 each refresh reads the log once per tick."""

    def __init__(self, reader: EventLogReader) -> None:
        self.reader = reader
        self._frames: dict[int, Frame] = {}

    def get(self, tick: int) -> Frame:
        frame = self._frames.pop(tick, None)
        if frame is None:
            frame = self.reader.frame_at(tick)
        self._frames[tick] = frame
        while len(self._frames) > CACHED_FRAMES:
            self._frames.pop(next(iter(self._frames)))
        return frame


class Viewer:
    """One open run: its state, its caches, and how events, time and drawing change them."""

    def __init__(self, engine: Engine, town: Town, *, live: bool, start_tick: int | None = None,
                 scale: TimeScale | None = None, size: tuple[int, int] = WINDOW_SIZE) -> None:
        self.reader = EventLogReader(engine)
        self.details_query = DetailsQuery(engine, self.reader)
        self.town = town
        self.scale = scale or TickScale()
        self.scene = Scene.build(town, self.reader.agent_names(), scale=self.scale,
                                 colours=self.details_query.persona_colours())
        first = self.reader.first_tick() or 0
        last = self.reader.last_tick()
        self.empty = last is None
        last = first if last is None else last
        start = last if live else first
        if start_tick is not None:
            start = min(max(start_tick, first), last)
        playback = Playback(first, last, position=float(start), playing=live, live=live)
        self.size = size
        world_size = (town.width * town.tile_width, town.height * town.tile_height)
        camera = Camera.fitted(self.map_rect(None), world_size)
        self.state = ViewState(camera, playback)
        self.frames = FrameCache(self.reader)
        self._look_at_residents()
        self.timeline = Timeline(self.timeline_rect())
        self.drawn = Drawn()
        self.result_rows: list[tuple[int, pygame.Rect]] = []
        self.hover_timeline_x: int | None = None
        self.held_pan: set[int] = set()
        self.running = True
        self.clock_seconds = 0.0
        self._poll_left = POLL_SECONDS
        self._details_left = 0.0
        self._panel: pygame.Surface | None = None
        self._panel_key: tuple[str, int] | None = None

    def _look_at_residents(self) -> None:
        """Start with every resident in view, as close up as that allows."""
        tiles = [agent.tile for agent in self.current_frames()[0].agents.values()
                 if agent.tile is not None]
        if not tiles:
            return
        tw, th = self.town.tile_width, self.town.tile_height
        m = START_MARGIN_TILES
        left, right = min(t[0] for t in tiles) - m, max(t[0] for t in tiles) + 1 + m
        top, bottom = min(t[1] for t in tiles) - m, max(t[1] for t in tiles) + 1 + m
        camera = self.state.camera
        fit = min(camera.viewport.width / ((right - left) * tw),
                  camera.viewport.height / ((bottom - top) * th))
        camera.zoom = max(camera.min_zoom, min(fit, START_MAX_ZOOM))
        camera.look_at(((left + right) / 2 * tw, (top + bottom) / 2 * th))

    # Layout ---------------------------------------------------------------------------

    def panel_rect(self) -> pygame.Rect | None:
        if self.state.selected is None:
            return None
        width, height = self.size
        return pygame.Rect(width - PANEL_WIDTH, 0, PANEL_WIDTH, height - TIMELINE_HEIGHT)

    def map_rect(self, panel: pygame.Rect | None) -> pygame.Rect:
        width, height = self.size
        right = panel.left if panel is not None else width
        return pygame.Rect(0, 0, right, height - TIMELINE_HEIGHT)

    def timeline_rect(self) -> pygame.Rect:
        width, height = self.size
        return pygame.Rect(0, height - TIMELINE_HEIGHT, width, TIMELINE_HEIGHT)

    def relayout(self, size: tuple[int, int] | None = None) -> None:
        """Fit the map, panel and timeline to the window (after a resize or a selection)."""
        if size is not None:
            self.size = size
        self.state.camera.set_viewport(self.map_rect(self.panel_rect()))
        self.timeline.rect = self.timeline_rect()

    # Time -----------------------------------------------------------------------------

    def current_frames(self) -> tuple[Frame, Frame | None]:
        """The frame at the current tick and the next one (to glide towards), if committed."""
        if self.empty:
            return Frame(), None
        tick = self.state.playback.tick
        frame = self.frames.get(tick)
        following = self.frames.get(tick + 1) if tick + 1 <= self.state.playback.last else None
        return frame, following

    def poll(self) -> None:
        """Ask the database how far a live run has got."""
        last = self.reader.last_tick()
        if last is None:
            return
        if self.empty:
            self.empty = False
            first = self.reader.first_tick() or 0
            self.state.playback.first = first
            self.state.playback.position = float(first)
        self.state.playback.extend(last)

    def update(self, seconds: float) -> None:
        """One fixed step of `seconds`: play, poll a live run, pan, follow, expire toasts."""
        state = self.state
        self.clock_seconds += seconds
        state.playback.advance(seconds)
        if state.playback.live:
            self._poll_left -= seconds
            if self._poll_left <= 0:
                self._poll_left = POLL_SECONDS
                self.poll()
        controls.pan_held(self, seconds * PAN_SPEED)
        if state.follow and state.selected is not None:
            point = self.resident_centre(state.selected)
            if point is not None:
                state.camera.look_at(point, min(1.0, seconds * FOLLOW_EASE))
        state.tick_toast(seconds)
        self._details_left -= seconds

    def resident_centre(self, name: str) -> tuple[float, float] | None:
        """Where a resident is now, in map pixels (the centre of its tile)."""
        agent = self.current_frames()[0].agents.get(name)
        if agent is None or agent.tile is None:
            return None
        return ((agent.tile[0] + 0.5) * self.town.tile_width,
                (agent.tile[1] + 0.5) * self.town.tile_height)

    # Drawing --------------------------------------------------------------------------

    def draw(self, screen: pygame.Surface) -> None:
        state = self.state
        frame, following = self.current_frames()
        viewport = state.camera.viewport
        clock = clock_card(self.scale, state.playback.tick)
        status = status_card(state.playback, state.selected if state.follow else None)
        clock_rect = clock.get_rect(topleft=(viewport.left + 10, viewport.top + 10))
        status_rect = status.get_rect(topleft=(clock_rect.left, clock_rect.bottom + 8))
        self.drawn = render_frame(screen, state, frame, following, scene=self.scene, clock=False,
                                  keep_clear=(clock_rect, status_rect))
        screen.blit(clock, clock_rect)
        screen.blit(status, status_rect)
        if self.empty:
            draw_toast(screen, "Waiting for the run's first tick...", viewport)
        panel = self.panel_rect()
        if panel is not None and state.selected is not None:
            state.panel_scroll = draw_panel(screen, panel, self.panel_content(frame),
                                            state.panel_scroll)
        marks = [hit.tick for hit in state.prompt.hits] if state.prompt is not None else []
        self.timeline.draw(screen, state.playback, self.scale, marks, self.hover_timeline_x)
        self.result_rows = []
        if state.prompt is not None:
            self.result_rows = draw_prompt(screen, viewport, state.prompt, self.scale,
                                           blink_on=int(self.clock_seconds * 2) % 2 == 0)
        if state.toast is not None:
            draw_toast(screen, state.toast, viewport)
        if state.show_help:
            draw_help(screen, viewport)

    def panel_content(self, frame: Frame) -> pygame.Surface:
        """The selected resident's panel, re-read from the database at most every 0.3 s."""
        name = self.state.selected
        assert name is not None
        key = (name, frame.tick)
        if self._panel is None or (key != self._panel_key and self._details_left <= 0):
            day = self.scale.time_at(frame.tick).date() if has_dates(self.scale) else None
            details = self.details_query.details(name, frame.tick, day)
            self._panel = layout_panel(PANEL_WIDTH, details, frame.agents.get(name),
                                       self.scene.look(name), self.scale)
            self._panel_key = key
            self._details_left = DETAILS_SECONDS
        return self._panel

    def select(self, name: str | None) -> None:
        """Open the side panel on `name` (None closes it)."""
        if name == self.state.selected:
            return
        self.state.selected = name
        self.state.panel_scroll = 0
        if name is None:
            self.state.follow = False
        self._panel = None
        self.relayout()

    def handle(self, event: pygame.event.Event) -> None:
        controls.handle(self, event)


def run_viewer(engine: Engine, town: Town, *, live: bool, start_tick: int | None = None,
               scale: TimeScale | None = None) -> None:
    """Open the window and run until it is closed (see the module docstring)."""
    pygame.display.init()
    pygame.font.init()
    try:
        screen = pygame.display.set_mode(WINDOW_SIZE, pygame.RESIZABLE)
        title = engine.url.database or engine.url.render_as_string(hide_password=True)
        pygame.display.set_caption(f"Generative town: {title}")
        viewer = Viewer(engine, town, live=live, start_tick=start_tick, scale=scale,
                        size=screen.get_size())
        pygame.key.stop_text_input()
        clock = pygame.time.Clock()
        pending = 0.0
        while viewer.running:
            for event in pygame.event.get():
                viewer.handle(event)
            pending = min(pending + clock.tick(UPDATE_HZ) / 1000.0, 0.25)
            while pending >= STEP:
                viewer.update(STEP)
                pending -= STEP
            screen = pygame.display.get_surface()  # a resized window has a new surface
            viewer.draw(screen)
            pygame.display.flip()
    finally:
        pygame.display.quit()  # fonts stay usable (they are cached for the process)
