"""The viewer, driven without a window: pixels of rendered frames, posted keys and clicks."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pygame
import pytest
from fixtures.replay_run import (
    ADA,
    ADA_COLOUR,
    BOB,
    CLEO,
    TICKS,
    ada_tile,
    add_agents,
    bob_tile,
    events_at,
    make_run,
)
from run_helpers import REPO
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from replays.event_log import EventLogWriter
from replays.frame import AgentFrame, Frame
from replays.reader import EventLogReader
from replays.tables import ReplaysBase
from replays.viewer.app import STEP, Viewer, run_viewer
from replays.viewer.camera import Camera
from replays.viewer.details import DetailsQuery
from replays.viewer.scene import Scene, render_frame
from replays.viewer.sprites import parse_colour
from replays.viewer.state import BASE_TICKS_PER_SECOND, Playback, ViewState
from replays.viewer.theme import ACCENT, BUBBLE_BG
from sim.clock import Clock
from world.tiled import load_town
from world.town import Town

SIZE = (1024, 700)
CLOCK = Clock(datetime(2023, 2, 13, 7, 0))


@pytest.fixture(scope="module", autouse=True)
def display() -> Iterator[None]:
    pygame.display.init()
    pygame.font.init()
    pygame.display.set_mode((8, 8))
    yield
    pygame.quit()


def open_viewer(engine: Engine, town: Town, *, live: bool = False,
                start_tick: int | None = None) -> Viewer:
    return Viewer(engine, town, live=live, start_tick=start_tick, scale=CLOCK, size=SIZE)


def draw(viewer: Viewer) -> pygame.Surface:
    screen = pygame.Surface(SIZE)
    viewer.draw(screen)
    return screen


def key(viewer: Viewer, code: int, mod: int = 0) -> None:
    """Post a key press through pygame's queue, as a window would get it."""
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=code, mod=mod, unicode=""))
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=code, mod=mod))
    for event in pygame.event.get():
        viewer.handle(event)


def type_text(viewer: Viewer, text: str) -> None:
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=text))
    for event in pygame.event.get():
        viewer.handle(event)


def click(viewer: Viewer, pos: tuple[int, int]) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=pos))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=pos))
    for event in pygame.event.get():
        viewer.handle(event)


def tile_centre(camera: Camera, town: Town, tile: tuple[float, float]) -> tuple[int, int]:
    x, y = camera.world_to_screen(((tile[0] + 0.5) * town.tile_width,
                                   (tile[1] + 0.5) * town.tile_height))
    return (round(x), round(y))


def scene_and_view(engine: Engine, town: Town, position: float) -> tuple[Scene, ViewState]:
    reader = EventLogReader(engine)
    scene = Scene.build(town, reader.agent_names(), scale=CLOCK)
    camera = Camera.fitted(pygame.Rect((0, 0), SIZE),
                           (town.width * town.tile_width, town.height * town.tile_height))
    view = ViewState(camera, Playback(0, TICKS - 1, position=position))
    return scene, view


@pytest.mark.parametrize("tick", [0, 4, 9, 20])
def test_each_resident_is_drawn_on_its_tile(engine: Engine, town: Town, tick: int) -> None:
    reader = EventLogReader(engine)
    scene, view = scene_and_view(engine, town, float(tick))
    surface = pygame.Surface(SIZE)
    render_frame(surface, view, reader.frame_at(tick), scene=scene)
    for name, tile in ((ADA, ada_tile(tick)), (BOB, bob_tile(tick)), (CLEO, (3, 6))):
        pixel = surface.get_at(tile_centre(view.camera, town, tile))[:3]
        assert pixel == scene.looks[name].shirt, name


def test_residents_glide_between_ticks(engine: Engine, town: Town) -> None:
    reader = EventLogReader(engine)
    scene, view = scene_and_view(engine, town, 3.5)
    surface = pygame.Surface(SIZE)
    render_frame(surface, view, reader.frame_at(3), reader.frame_at(4), scene=scene)
    halfway = (ada_tile(3)[0] + 0.5, ada_tile(3)[1])
    assert surface.get_at(tile_centre(view.camera, town, halfway))[:3] == scene.looks[ADA].shirt
    assert surface.get_at(tile_centre(view.camera, town, ada_tile(3)))[:3] != scene.looks[ADA].shirt


def test_a_bubble_shows_what_is_said(engine: Engine, town: Town) -> None:
    reader = EventLogReader(engine)
    scene, view = scene_and_view(engine, town, 12.0)
    surface = pygame.Surface(SIZE)
    quiet = render_frame(surface, view, reader.frame_at(10), scene=scene)
    assert quiet.bubbles == {}
    talking = render_frame(surface, view, reader.frame_at(12), scene=scene)
    bubble = talking.bubbles[BOB]
    assert list(talking.bubbles) == [BOB]
    assert bubble.bottom <= talking.labels[BOB].top  # above the speaker's name
    inside = [surface.get_at((bubble.left + 4, y))[:3] for y in range(bubble.top + 4,
                                                                      bubble.bottom - 4)]
    assert all(pixel == BUBBLE_BG for pixel in inside)


def test_labels_of_residents_on_one_tile_do_not_overlap(town: Town, engine: Engine) -> None:
    scene, view = scene_and_view(engine, town, 0.0)
    frame = Frame(0, {name: AgentFrame(tile=(5, 5)) for name in (ADA, BOB, CLEO)})
    drawn = render_frame(pygame.Surface(SIZE), view, frame, scene=scene)
    labels = list(drawn.labels.values())
    assert len(labels) == 3
    assert all(a.collidelist([b for b in labels if b is not a]) < 0 for a in labels)
    sprites = sorted(hit.rect.centerx for hit in drawn.residents)
    assert sprites[0] < sprites[1] < sprites[2]  # spread sideways, all visible


def test_keys_play_pause_step_and_change_speed(engine: Engine, town: Town) -> None:
    viewer = open_viewer(engine, town)
    playback = viewer.state.playback
    assert (playback.tick, playback.playing) == (0, False)
    key(viewer, pygame.K_SPACE)
    assert playback.playing
    for _ in range(round(1.0 / STEP)):
        viewer.update(STEP)
    assert playback.position == pytest.approx(BASE_TICKS_PER_SECOND)  # one second at x1
    key(viewer, pygame.K_PLUS)
    assert playback.speed == 2.0
    key(viewer, pygame.K_SPACE)
    assert not playback.playing
    start = playback.tick
    key(viewer, pygame.K_RIGHT)
    key(viewer, pygame.K_RIGHT)
    key(viewer, pygame.K_LEFT)
    assert playback.tick == start + 1
    key(viewer, pygame.K_END)
    assert playback.tick == TICKS - 1
    key(viewer, pygame.K_RIGHT)
    assert playback.tick == TICKS - 1  # never past the last committed tick
    for _ in range(10):
        key(viewer, pygame.K_MINUS)
    assert playback.speed == 0.5


def test_a_replay_stops_at_its_end(engine: Engine, town: Town) -> None:
    viewer = open_viewer(engine, town, start_tick=TICKS - 3)
    key(viewer, pygame.K_SPACE)
    for _ in range(5 * round(1.0 / STEP)):
        viewer.update(STEP)
    assert viewer.state.playback.tick == TICKS - 1
    assert not viewer.state.playback.playing


def test_seeking_draws_what_playing_there_draws(engine: Engine, town: Town) -> None:
    stepped = open_viewer(engine, town)
    for _ in range(12):
        key(stepped, pygame.K_RIGHT)
    jumped = open_viewer(engine, town)
    key(jumped, pygame.K_g)
    type_text(jumped, "07:02")
    assert jumped.state.prompt is not None
    assert jumped.state.prompt.kind == "goto"
    key(jumped, pygame.K_RETURN)
    assert jumped.state.prompt is None
    assert stepped.state.playback.tick == jumped.state.playback.tick == 12  # 07:02
    assert pygame.image.tobytes(draw(stepped), "RGB") == pygame.image.tobytes(draw(jumped), "RGB")


def test_go_to_rejects_a_bad_time_with_a_message(engine: Engine, town: Town) -> None:
    viewer = open_viewer(engine, town)
    key(viewer, pygame.K_g)
    type_text(viewer, "soon")
    key(viewer, pygame.K_RETURN)
    assert viewer.state.prompt is not None
    assert viewer.state.prompt.error is not None
    assert "bad time" in viewer.state.prompt.error
    draw(viewer)
    key(viewer, pygame.K_ESCAPE)
    assert viewer.state.prompt is None
    assert viewer.state.playback.tick == 0


def test_search_jumps_to_the_line_and_selects_the_speaker(engine: Engine, town: Town) -> None:
    viewer = open_viewer(engine, town)
    key(viewer, pygame.K_SLASH)
    type_text(viewer, "wouldn't")
    prompt = viewer.state.prompt
    assert prompt is not None
    assert [(hit.tick, hit.agent) for hit in prompt.hits] == [(13, ADA)]
    draw(viewer)
    key(viewer, pygame.K_RETURN)
    assert viewer.state.playback.tick == 13
    assert viewer.state.selected == ADA
    assert viewer.state.prompt is None


def test_clicking_a_resident_opens_the_panel_and_f_follows(engine: Engine, town: Town) -> None:
    viewer = open_viewer(engine, town, start_tick=4)
    draw(viewer)
    bob = next(hit.rect for hit in viewer.drawn.residents if hit.name == BOB)
    click(viewer, bob.center)
    assert viewer.state.selected == BOB
    panel = viewer.panel_rect()
    assert panel is not None
    assert viewer.state.camera.viewport.right == panel.left
    camera = viewer.state.camera
    camera.zoom_at(10.0, camera.viewport.center)  # close up, so following can centre on Bob
    key(viewer, pygame.K_f)
    assert viewer.state.follow
    for _ in range(120):
        viewer.update(STEP)
    centre = viewer.resident_centre(BOB)
    assert centre is not None
    on_screen = camera.world_to_screen(centre)
    assert abs(on_screen[0] - camera.viewport.centerx) < 2
    assert abs(on_screen[1] - camera.viewport.centery) < 2
    key(viewer, pygame.K_h)
    assert viewer.state.show_help
    key(viewer, pygame.K_ESCAPE)  # closes the help first
    assert viewer.state.selected == BOB
    key(viewer, pygame.K_ESCAPE)
    assert viewer.state.selected is None
    assert viewer.panel_rect() is None


def test_wheel_zooms_and_clicking_the_timeline_seeks(engine: Engine, town: Town) -> None:
    viewer = open_viewer(engine, town)
    draw(viewer)
    zoom = viewer.state.camera.zoom
    pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=2, flipped=False))
    for event in pygame.event.get():
        viewer.handle(event)
    assert viewer.state.camera.zoom > zoom
    track = viewer.timeline.track
    click(viewer, (track.right, track.centery))
    assert viewer.state.playback.tick == TICKS - 1
    click(viewer, (track.left, track.centery))
    assert viewer.state.playback.tick == 0


def test_a_live_viewer_follows_new_ticks(tmp_path: Path, town: Town) -> None:
    engine = make_run(tmp_path / "live.sqlite", ticks=5)
    viewer = open_viewer(engine, town, live=True)
    playback = viewer.state.playback
    assert (playback.tick, playback.playing, playback.live) == (4, True, True)
    reader = EventLogReader(engine)
    frame = reader.frame_at(4)
    writer = EventLogWriter(keyframe_every=10)
    for tick in range(5, 8):
        frame.advance(tick)
        with Session(engine) as session:
            writer.write_tick(session, tick, [], frame)
            session.commit()
    for _ in range(round(3.0 / STEP)):
        viewer.update(STEP)
    assert playback.last == 7
    assert playback.tick == 7
    assert playback.playing  # waits at the live edge
    engine.dispose()


def test_the_panel_reads_plan_memories_and_talks_as_of_the_tick(engine: Engine) -> None:
    add_agents(engine)
    query = DetailsQuery(engine, EventLogReader(engine))
    early = query.details(ADA, 8, CLOCK.time_at(8).date())
    assert early.headline == "age 36 · mathematician"
    assert [entry.description for entry in early.plan if entry.current] == ["walk to the park"]
    assert [memory.description for memory in early.memories] == [
        "The stove is on fire", "Cleo is sleeping"]
    assert early.talked_to == () and early.last_reflection is None
    late = query.details(ADA, 25, CLOCK.time_at(25).date())
    assert late.memories[0].description == "The park is quiet"
    assert late.talked_to == ((BOB, 1),)
    assert late.last_reflection == "Bob cares about the party"
    assert query.persona_colours() == {ADA: ADA_COLOUR}


def test_a_persona_colour_dresses_the_resident(engine: Engine, town: Town) -> None:
    add_agents(engine)
    viewer = open_viewer(engine, town, start_tick=4)
    screen = draw(viewer)
    pixel = screen.get_at(tile_centre(viewer.state.camera, town, ada_tile(4)))[:3]
    assert pixel == parse_colour(ADA_COLOUR)
    click(viewer, next(h.rect for h in viewer.drawn.residents if h.name == ADA).center)
    panel = viewer.panel_rect()
    assert panel is not None
    shown = draw(viewer).subsurface(panel)
    colours = {shown.get_at((x, y))[:3] for x in range(0, panel.width, 2)
               for y in range(0, panel.height, 2)}
    assert ACCENT in colours  # the section headings
    assert parse_colour(ADA_COLOUR) in colours  # her portrait


def test_run_viewer_opens_draws_and_closes(engine: Engine, town: Town) -> None:
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    run_viewer(engine, town, live=False, scale=CLOCK)  # returns once it has handled the QUIT
    assert not pygame.display.get_init()
    pygame.display.init()
    pygame.display.set_mode((8, 8))


def test_a_live_run_with_nothing_logged_yet_waits(tmp_path: Path, town: Town) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    ReplaysBase.metadata.create_all(engine)
    viewer = open_viewer(engine, town, live=True)
    assert viewer.empty
    assert draw(viewer).get_size() == SIZE
    frame = Frame()
    frame.step(0, events_at(0))
    with Session(engine) as session:
        EventLogWriter().write_tick(session, 0, events_at(0), frame)
        session.commit()
    viewer.update(1.0)
    assert not viewer.empty
    draw(viewer)
    assert {hit.name for hit in viewer.drawn.residents} == {ADA, BOB, CLEO}
    engine.dispose()


def test_residents_on_the_shipped_tiny_map(engine: Engine) -> None:
    """The real tile art (drawn by world.art.render) under the residents."""
    town = load_town(REPO / "world" / "maps" / "tiny.tmj")
    reader = EventLogReader(engine)
    scene, view = scene_and_view(engine, town, 4.0)
    surface = pygame.Surface(SIZE)
    render_frame(surface, view, reader.frame_at(4), scene=scene)
    for name, tile in ((ADA, ada_tile(4)), (BOB, bob_tile(4)), (CLEO, (3, 6))):
        assert surface.get_at(tile_centre(view.camera, town, tile))[:3] == scene.looks[name].shirt
    colours = {surface.get_at((x, y))[:3] for x in range(0, SIZE[0], 16) for y in range(0, 600, 16)}
    assert len(colours) > 20  # the town's tiles, not a blank plan
