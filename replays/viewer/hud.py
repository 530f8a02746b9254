"""Things drawn on top of the map in screen space: the clock, the play status, toasts, help."""

from __future__ import annotations

from typing import Final

import pygame

from replays.timescale import TimeScale, has_dates
from replays.viewer.state import BASE_TICKS_PER_SECOND, Playback
from replays.viewer.theme import (
    ACCENT,
    LABEL_TEXT,
    PANEL_MUTED,
    PANEL_TEXT,
    draw_card,
    draw_text,
    font,
)

HUD_BG: Final = (24, 26, 32, 215)
LIVE_RED: Final = (226, 72, 72)

HELP: Final[tuple[tuple[str, str], ...]] = (
    ("Space", "play / pause"),
    ("Left / Right", "one tick back / forward"),
    ("+ / -", "faster / slower (x0.5 to x32)"),
    ("Home / End", "start / latest tick"),
    ("G", "go to a time (HH:MM, YYYY-MM-DD HH:MM or a tick)"),
    ("/ or Ctrl+F", "search the dialogue"),
    ("Click", "select a resident (side panel)"),
    ("F", "follow the selected resident"),
    ("Wheel", "zoom (over the panel: scroll it)"),
    ("Drag, Shift+arrows", "pan the map"),
    ("Timeline", "click or drag to seek"),
    ("Esc", "close / deselect"),
    ("H or F1", "this help"),
    ("Q", "quit"),
)


def clock_card(scale: TimeScale, tick: int) -> pygame.Surface:
    """Game time, date and tick on a translucent card."""
    lines: list[tuple[str, int, tuple[int, int, int]]]
    if has_dates(scale):
        when = scale.time_at(tick)
        lines = [(when.strftime("%H:%M"), 50, LABEL_TEXT),
                 (when.strftime("%a %d %b %Y"), 22, PANEL_TEXT),
                 (f"tick {tick:,}", 19, PANEL_MUTED)]
    else:
        lines = [(f"tick {tick:,}", 40, LABEL_TEXT)]
    images = [font(size).render(text, True, colour) for text, size, colour in lines]
    width = max(image.get_width() for image in images) + 20
    height = sum(image.get_height() for image in images) + 4 * len(images) + 10
    card = pygame.Surface((width, height), pygame.SRCALPHA)
    draw_card(card, card.get_rect(), HUD_BG, radius=8)
    y = 7
    for image in images:
        card.blit(image, (10, y))
        y += image.get_height() + 4
    return card


def draw_clock(surface: pygame.Surface, scale: TimeScale, tick: int,
               topleft: tuple[int, int]) -> pygame.Rect:
    """The clock card at `topleft`; returns where it went."""
    return surface.blit(clock_card(scale, tick), topleft)


def status_card(playback: Playback, follow: str | None) -> pygame.Surface:
    """Play/pause icon, speed and LIVE/REPLAY, plus whom the camera follows."""
    face = font(21)
    speed = playback.speed
    speed_text = f"x{speed:g}  ({speed * BASE_TICKS_PER_SECOND:g} ticks/s)"
    mode = "LIVE" if playback.live else "REPLAY"
    parts = [speed_text] + ([f"following {follow.split()[0]}"] if follow else [])
    text_img = face.render("   ".join(parts), True, PANEL_TEXT)
    mode_img = face.render(mode, True, LABEL_TEXT)
    card = pygame.Surface((38 + text_img.get_width() + mode_img.get_width() + 34, 38),
                          pygame.SRCALPHA)
    rect = card.get_rect()
    draw_card(card, rect, HUD_BG, radius=8)
    icon = pygame.Rect(12, rect.centery - 8, 16, 16)
    if playback.playing:
        pygame.draw.polygon(card, ACCENT, [icon.topleft, icon.bottomleft, icon.midright])
    else:
        for x in (icon.left + 1, icon.left + 10):
            pygame.draw.rect(card, ACCENT, (x, icon.top, 5, icon.height))
    card.blit(text_img, (icon.right + 10, rect.centery - text_img.get_height() // 2))
    chip = mode_img.get_rect().inflate(12, 6)
    chip.midleft = (icon.right + 10 + text_img.get_width() + 12, rect.centery)
    draw_card(card, chip, LIVE_RED if playback.live else (90, 96, 108), radius=4)
    card.blit(mode_img, mode_img.get_rect(center=chip.center))
    return card


def draw_toast(surface: pygame.Surface, text: str, area: pygame.Rect) -> None:
    image = font(23).render(text, True, LABEL_TEXT)
    card = image.get_rect().inflate(24, 14)
    card.midtop = (area.centerx, area.top + 12)
    draw_card(surface, card, HUD_BG, radius=8)
    surface.blit(image, image.get_rect(center=card.center))


def draw_help(surface: pygame.Surface, area: pygame.Rect) -> None:
    """The controls, centred over the map."""
    key_face, text_face = font(22), font(21)
    row = 30
    card = pygame.Rect(0, 0, 640, row * len(HELP) + 72)
    card.center = area.center
    draw_card(surface, card, (24, 26, 32), radius=10, border=ACCENT)
    draw_text(surface, "Controls", (card.left + 20, card.top + 14), size=28, colour=ACCENT)
    for i, (key, what) in enumerate(HELP):
        y = card.top + 56 + i * row
        surface.blit(key_face.render(key, True, ACCENT), (card.left + 20, y))
        surface.blit(text_face.render(what, True, PANEL_TEXT), (card.left + 230, y))
