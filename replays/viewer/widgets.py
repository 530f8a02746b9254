"""The viewer's controls: the timeline scrubber and the text prompt (search, go to time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import pygame

from replays.timescale import TimeScale, has_dates
from replays.viewer.state import Playback, Prompt
from replays.viewer.theme import (
    ACCENT,
    ALERT_BG,
    PANEL_BG,
    PANEL_CARD,
    PANEL_MUTED,
    PANEL_TEXT,
    draw_card,
    ellipsize,
    font,
)

TIMELINE_HEIGHT: Final = 66
HINTS: Final = ("Space play/pause   Left/Right step   +/- speed   G go to   / search   "
                "F follow   H help")
MINUTE_STEPS: Final = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)
PROMPT_WIDTH: Final = 720
RESULT_ROWS: Final = 8


@dataclass(slots=True)
class Timeline:
    """The bar along the bottom: the run from its first to its last committed tick."""

    rect: pygame.Rect

    @property
    def track(self) -> pygame.Rect:
        return pygame.Rect(self.rect.left + 16, self.rect.top + 14, self.rect.width - 32, 10)

    def hit(self, point: tuple[int, int]) -> bool:
        return self.rect.collidepoint(point) and point[1] < self.rect.top + 36

    def tick_at(self, x: int, first: int, last: int) -> int:
        track = self.track
        share = min(max((x - track.left) / max(track.width, 1), 0.0), 1.0)
        return round(first + share * (last - first))

    def x_of(self, tick: float, first: int, last: int) -> int:
        track = self.track
        share = (tick - first) / (last - first) if last > first else 1.0
        return round(track.left + share * track.width)

    def draw(self, surface: pygame.Surface, playback: Playback, scale: TimeScale,
             marks: list[int], hover_x: int | None) -> None:
        surface.fill(PANEL_BG, self.rect)
        track, first, last = self.track, playback.first, playback.last
        draw_card(surface, track, PANEL_CARD, radius=5)
        done = track.copy()
        done.width = max(0, self.x_of(playback.position, first, last) - track.left)
        if done.width:
            draw_card(surface, done, (120, 150, 200), radius=5)
        for tick, text in _scale_marks(scale, first, last, track.width):
            x = self.x_of(tick, first, last)
            pygame.draw.line(surface, PANEL_MUTED, (x, track.bottom + 1), (x, track.bottom + 5))
            image = font(17).render(text, True, PANEL_MUTED)
            surface.blit(image, image.get_rect(midtop=(x, track.bottom + 6)).clamp(self.rect))
        for tick in marks:
            x = self.x_of(tick, first, last)
            pygame.draw.line(surface, ACCENT, (x, track.top - 3), (x, track.bottom + 2), 2)
        handle_x = self.x_of(playback.position, first, last)
        pygame.draw.circle(surface, (255, 255, 255), (handle_x, track.centery), 9)
        pygame.draw.circle(surface, (70, 110, 180), (handle_x, track.centery), 9, 3)
        hints = font(17).render(HINTS, True, PANEL_MUTED)
        corner = (self.rect.right - 16, self.rect.bottom - 4)
        surface.blit(hints, hints.get_rect(bottomright=corner))
        if hover_x is not None:
            tick = self.tick_at(hover_x, first, last)
            tip = font(19).render(scale.format(tick), True, PANEL_TEXT)
            box = tip.get_rect().inflate(12, 6)
            box.midbottom = (min(max(hover_x, box.width // 2), self.rect.right - box.width // 2),
                             self.rect.top - 4)
            draw_card(surface, box, (24, 26, 32, 230), radius=4)
            surface.blit(tip, tip.get_rect(center=box.center))


def _scale_marks(scale: TimeScale, first: int, last: int, width: int) -> list[tuple[int, str]]:
    """Round times along the track, at least ~90 px apart."""
    if last <= first:
        return []
    most = max(1, width // 90)
    if not has_dates(scale):
        step = _nice_step((last - first) / most)
        return [(t, f"{t:,}") for t in range(-(-first // step) * step, last + 1, step)]
    start, end = scale.time_at(first), scale.time_at(last)
    minutes = (end - start).total_seconds() / 60
    step = next((m for m in MINUTE_STEPS if minutes / m <= most), MINUTE_STEPS[-1])
    # The first whole multiple of `step` minutes (counted from midnight) at or after the start.
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = (start - midnight).total_seconds() / 60
    moment = midnight + timedelta(minutes=-(-elapsed // step) * step)
    marks: list[tuple[int, str]] = []
    while moment <= end:
        marks.append((scale.tick_at(moment), _mark_text(moment)))
        moment += timedelta(minutes=step)
    return marks


def _mark_text(moment: datetime) -> str:
    if moment.hour == 0 and moment.minute == 0:
        return moment.strftime("%a %d")
    return moment.strftime("%H:%M")


def _nice_step(raw: float) -> int:
    magnitude = 1
    while magnitude * 10 <= raw:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if magnitude * factor >= raw:
            return magnitude * factor
    return magnitude * 10


def prompt_rect(area: pygame.Rect, prompt: Prompt) -> pygame.Rect:
    rows = min(len(prompt.hits), RESULT_ROWS) if prompt.kind == "search" else 0
    extra = rows * 30 + (28 if prompt.error or (prompt.searched and not prompt.hits) else 0)
    rect = pygame.Rect(0, 0, min(PROMPT_WIDTH, area.width - 40), 104 + extra)
    rect.midtop = (area.centerx, area.top + 16)
    return rect


def draw_prompt(surface: pygame.Surface, area: pygame.Rect, prompt: Prompt,
                scale: TimeScale, blink_on: bool) -> list[tuple[int, pygame.Rect]]:
    """The prompt box over the map; returns each shown result's index and row (for clicks)."""
    rect = prompt_rect(area, prompt)
    draw_card(surface, rect, (30, 33, 40), radius=10, border=ACCENT)
    title = "Search the dialogue" if prompt.kind == "search" else "Go to time"
    hint = ("Enter: jump   Up/Down: choose   Esc: close" if prompt.kind == "search"
            else "HH:MM, YYYY-MM-DD HH:MM or a tick number   Enter: go   Esc: close")
    surface.blit(font(24).render(title, True, ACCENT), (rect.left + 14, rect.top + 10))
    hint_img = font(17).render(hint, True, PANEL_MUTED)
    surface.blit(hint_img, hint_img.get_rect(topright=(rect.right - 14, rect.top + 13)))
    field = pygame.Rect(rect.left + 14, rect.top + 44, rect.width - 28, 38)
    draw_card(surface, field, (250, 250, 250), radius=6)
    face = font(26, text=prompt.text)
    shown = ellipsize(face, prompt.text, field.width - 24) if prompt.text else ""
    text_img = face.render(shown, True, (20, 20, 24))
    surface.blit(text_img, (field.left + 10, field.centery - text_img.get_height() // 2))
    if blink_on:
        x = field.left + 11 + text_img.get_width()
        pygame.draw.line(surface, (20, 20, 24), (x, field.top + 7), (x, field.bottom - 7), 2)
    y = field.bottom + 10
    if prompt.error:
        surface.blit(font(20).render(prompt.error, True, ALERT_BG), (rect.left + 14, y))
        return []
    if prompt.kind == "search" and prompt.searched and not prompt.hits:
        message = f"No dialogue matches {prompt.searched!r}."
        surface.blit(font(20, text=message).render(message, True, PANEL_MUTED),
                     (rect.left + 14, y))
        return []
    rows: list[tuple[int, pygame.Rect]] = []
    first = max(0, min(prompt.selected - RESULT_ROWS + 1, len(prompt.hits) - RESULT_ROWS))
    for i, hit in enumerate(prompt.hits[first:first + RESULT_ROWS], start=first):
        row = pygame.Rect(rect.left + 8, y, rect.width - 16, 28)
        if i == prompt.selected:
            draw_card(surface, row, (70, 80, 100), radius=4)
        when = font(19).render(scale.format(hit.tick), True, ACCENT)
        surface.blit(when, (row.left + 6, row.top + 6))
        who = f"{hit.agent}: " if hit.agent else ""
        text_width = row.width - when.get_width() - 24
        face = font(19, text=f"{who}{hit.snippet}")
        line = ellipsize(face, f"{who}{hit.snippet}", text_width)
        surface.blit(face.render(line, True, PANEL_TEXT), (row.left + when.get_width() + 16,
                                                           row.top + 6))
        rows.append((i, row))
        y += 30
    return rows
