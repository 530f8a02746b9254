"""What keys, clicks, drags and the wheel do to the viewer (see `hud.HELP` for the list)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import pygame

from replays.reader import ReplayError, SearchHit
from replays.timescale import parse_jump
from replays.viewer.camera import ZOOM_STEP
from replays.viewer.state import Prompt

if TYPE_CHECKING:
    from replays.viewer.app import Viewer

CLICK_SLOP: Final = 5.0
SEARCH_LIMIT: Final = 200
MIN_SEARCH: Final = 2
PAN_KEYS: Final = {pygame.K_LEFT: (1, 0), pygame.K_RIGHT: (-1, 0),
                   pygame.K_UP: (0, 1), pygame.K_DOWN: (0, -1)}
FASTER_KEYS: Final = {pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS}
SLOWER_KEYS: Final = {pygame.K_MINUS, pygame.K_KP_MINUS}


def handle(viewer: Viewer, event: pygame.event.Event) -> None:
    """Dispatch one pygame event."""
    if event.type == pygame.QUIT:
        viewer.running = False
    elif event.type == pygame.VIDEORESIZE:
        viewer.relayout((event.w, event.h))
    elif event.type == pygame.TEXTINPUT:
        _text_input(viewer, event.text)
    elif event.type == pygame.KEYDOWN:
        if viewer.state.prompt is not None:
            _prompt_key(viewer, event)
        else:
            _key(viewer, event)
    elif event.type == pygame.KEYUP:
        viewer.held_pan.discard(event.key)
    elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
        _press(viewer, event.pos)
    elif event.type == pygame.MOUSEBUTTONUP and event.button == 1:
        _release(viewer, event.pos)
    elif event.type == pygame.MOUSEMOTION:
        _motion(viewer, event.pos, event.rel)
    elif event.type == pygame.MOUSEWHEEL:
        _wheel(viewer, event.y)


def _key(viewer: Viewer, event: pygame.event.Event) -> None:
    state, playback = viewer.state, viewer.state.playback
    key, shift = event.key, bool(event.mod & pygame.KMOD_SHIFT)
    ctrl = bool(event.mod & (pygame.KMOD_CTRL | pygame.KMOD_META))
    if key in PAN_KEYS and shift:
        viewer.held_pan.add(key)
        pan_held(viewer, 40.0)
    elif key == pygame.K_SPACE:
        playback.toggle()
    elif key == pygame.K_LEFT:
        playback.step(-1)
    elif key == pygame.K_RIGHT:
        playback.step(1)
    elif key in FASTER_KEYS:
        playback.faster()
        state.notify(f"speed x{playback.speed:g}", 1.0)
    elif key in SLOWER_KEYS:
        playback.slower()
        state.notify(f"speed x{playback.speed:g}", 1.0)
    elif key == pygame.K_HOME:
        playback.seek(playback.first)
    elif key == pygame.K_END:
        playback.seek(playback.last)
    elif (key == pygame.K_f and ctrl) or key == pygame.K_SLASH:
        _open_prompt(viewer, Prompt("search"))
    elif key == pygame.K_f:
        if state.selected is None:
            state.notify("Click a resident first, then press F to follow them.")
        else:
            state.follow = not state.follow
    elif key == pygame.K_g:
        _open_prompt(viewer, Prompt("goto"))
    elif key == pygame.K_TAB:
        _cycle_selection(viewer, -1 if shift else 1)
    elif key in (pygame.K_h, pygame.K_F1, pygame.K_QUESTION):
        state.show_help = not state.show_help
    elif key == pygame.K_ESCAPE:
        if state.show_help:
            state.show_help = False
        else:
            viewer.select(None)
    elif key == pygame.K_q:
        viewer.running = False


def pan_held(viewer: Viewer, distance: float) -> None:
    """Pan for the Shift+arrow keys being held."""
    for key in viewer.held_pan:
        dx, dy = PAN_KEYS[key]
        viewer.state.follow = False
        viewer.state.camera.pan(dx * distance, dy * distance)


def _cycle_selection(viewer: Viewer, step: int) -> None:
    names = sorted(n for n, a in viewer.current_frames()[0].agents.items() if a.tile is not None)
    if not names:
        return
    current = viewer.state.selected
    index = (names.index(current) + step) % len(names) if current in names else 0
    viewer.select(names[index])
    _centre_on(viewer, names[index])


def _centre_on(viewer: Viewer, name: str) -> None:
    point = viewer.resident_centre(name)
    if point is not None:
        viewer.state.camera.look_at(point)


# Prompt -------------------------------------------------------------------------------


def _open_prompt(viewer: Viewer, prompt: Prompt) -> None:
    viewer.state.prompt = prompt
    viewer.state.show_help = False
    pygame.key.start_text_input()


def _close_prompt(viewer: Viewer) -> None:
    viewer.state.prompt = None
    pygame.key.stop_text_input()


def _text_input(viewer: Viewer, text: str) -> None:
    prompt = viewer.state.prompt
    if prompt is None:
        return
    prompt.text += text
    prompt.error = None
    _refresh_search(viewer, prompt)


def _prompt_key(viewer: Viewer, event: pygame.event.Event) -> None:
    prompt = viewer.state.prompt
    assert prompt is not None
    if event.key == pygame.K_ESCAPE:
        _close_prompt(viewer)
    elif event.key == pygame.K_BACKSPACE:
        prompt.text = prompt.text[:-1]
        prompt.error = None
        _refresh_search(viewer, prompt)
    elif event.key in (pygame.K_UP, pygame.K_DOWN) and prompt.hits:
        step = -1 if event.key == pygame.K_UP else 1
        prompt.selected = (prompt.selected + step) % len(prompt.hits)
    elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
        if prompt.kind == "goto":
            _go_to(viewer, prompt)
        elif prompt.hits:
            jump_to_hit(viewer, prompt.hits[prompt.selected])
            _close_prompt(viewer)


def _refresh_search(viewer: Viewer, prompt: Prompt) -> None:
    """Search as the user types; the first hit at or after the current tick is preselected."""
    if prompt.kind != "search":
        return
    text = prompt.text.strip()
    if len(text) < MIN_SEARCH:
        prompt.hits, prompt.searched, prompt.selected = [], None, 0
        return
    try:
        prompt.hits = viewer.reader.search(text, limit=SEARCH_LIMIT)
    except ReplayError as exc:
        prompt.error = str(exc)
        return
    prompt.searched = text
    now = viewer.state.playback.tick
    prompt.selected = next((i for i, hit in enumerate(prompt.hits) if hit.tick >= now), 0)


def _go_to(viewer: Viewer, prompt: Prompt) -> None:
    playback = viewer.state.playback
    try:
        tick = parse_jump(viewer.scale, prompt.text, playback.tick)
    except ValueError as exc:
        prompt.error = str(exc)
        return
    if not playback.first <= tick <= playback.last:
        prompt.error = (f"{viewer.scale.format(tick)} is outside the run "
                        f"({viewer.scale.format(playback.first)} to "
                        f"{viewer.scale.format(playback.last)})")
        return
    playback.playing = False
    playback.seek(tick)
    _close_prompt(viewer)


def jump_to_hit(viewer: Viewer, hit: SearchHit) -> None:
    """Pause on the tick of a search hit and select (and show) who said it."""
    playback = viewer.state.playback
    playback.playing = False
    playback.seek(hit.tick)
    if hit.agent is not None:
        viewer.select(hit.agent)
        _centre_on(viewer, hit.agent)


# Mouse --------------------------------------------------------------------------------


def _press(viewer: Viewer, pos: tuple[int, int]) -> None:
    state = viewer.state
    if state.show_help:
        state.show_help = False
        return
    if state.prompt is not None:
        for index, row in viewer.result_rows:
            if row.collidepoint(pos):
                jump_to_hit(viewer, state.prompt.hits[index])
                _close_prompt(viewer)
                return
    if viewer.timeline.hit(pos):
        state.dragging_timeline = True
        _seek_timeline(viewer, pos[0])
    elif state.camera.viewport.collidepoint(pos):
        state.dragging_map = True
        state.drag_moved = 0.0


def _release(viewer: Viewer, pos: tuple[int, int]) -> None:
    state = viewer.state
    if state.dragging_map and state.drag_moved < CLICK_SLOP:
        clicked = next((hit.name for hit in reversed(viewer.drawn.residents)
                        if hit.rect.collidepoint(pos)), None)
        viewer.select(clicked)
    state.dragging_map = False
    state.dragging_timeline = False


def _motion(viewer: Viewer, pos: tuple[int, int], rel: tuple[int, int]) -> None:
    state = viewer.state
    if state.dragging_timeline:
        _seek_timeline(viewer, pos[0])
    elif state.dragging_map:
        state.drag_moved += abs(rel[0]) + abs(rel[1])
        if state.drag_moved >= CLICK_SLOP:
            state.follow = False
            state.camera.pan(*rel)
    viewer.hover_timeline_x = pos[0] if viewer.timeline.hit(pos) else None
    state.hovered = next((hit.name for hit in reversed(viewer.drawn.residents)
                          if hit.rect.collidepoint(pos)), None)


def _seek_timeline(viewer: Viewer, x: int) -> None:
    playback = viewer.state.playback
    playback.seek(viewer.timeline.tick_at(x, playback.first, playback.last))


def _wheel(viewer: Viewer, clicks: int) -> None:
    state = viewer.state
    pos = pygame.mouse.get_pos()
    panel = viewer.panel_rect()
    if panel is not None and panel.collidepoint(pos):
        state.panel_scroll -= clicks * 40
    elif state.camera.viewport.collidepoint(pos):
        state.camera.zoom_at(ZOOM_STEP ** clicks, pos)
