"""Text drawn over the map: name labels, speech bubbles, object-state tags.

Overlays keep a fixed on-screen size whatever the zoom, so they stay
readable, and a `Placer` stacks each one above those already placed instead
of letting them overlap (two residents on one tile get two stacked labels).
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from replays.viewer.theme import (
    ACCENT,
    ACTION_TEXT,
    ALERT_BG,
    BUBBLE_BG,
    BUBBLE_EDGE,
    INK,
    LABEL_BG,
    LABEL_TEXT,
    draw_card,
    ellipsize,
    font,
    pictogram_font,
    wrap,
)

NAME_SIZE = 20
ACTION_SIZE = 17
BUBBLE_SIZE = 20
TAG_SIZE = 17
BUBBLE_WIDTH = 280
BUBBLE_LINES = 4
ACTION_WIDTH = 220
GAP = 3


class Placer:
    """Greedy non-overlapping placement inside `bounds`.

    A rectangle first moves up past whatever it overlaps (so labels of
    residents on one tile stack); where that would leave the bounds (a label
    under the clock at the top) it moves right, then down, instead.
    """

    def __init__(self, bounds: pygame.Rect) -> None:
        self.bounds = bounds
        self.taken: list[pygame.Rect] = []

    def place(self, rect: pygame.Rect, limit: int = 12) -> pygame.Rect:
        """Where `rect` goes (it is recorded as taken): the first free spot of the three moves."""
        start = rect.copy()
        start.x = max(self.bounds.left + 2, min(start.x, self.bounds.right - start.width - 2))
        start.y = max(self.bounds.top + 2, min(start.y, self.bounds.bottom - start.height - 2))
        for direction in ("up", "right", "down"):
            spot = self._slide(start, direction, limit)
            if spot is not None:
                self.taken.append(spot)
                return spot
        self.taken.append(start)
        return start

    def _slide(self, rect: pygame.Rect, direction: str, limit: int) -> pygame.Rect | None:
        rect = rect.copy()
        for _ in range(limit):
            hit = rect.collidelist(self.taken)
            if hit < 0:
                return rect if self.bounds.contains(rect) else None
            other = self.taken[hit]
            if direction == "up":
                rect.bottom = other.top - GAP
            elif direction == "right":
                rect.left = other.right + GAP
            else:
                rect.top = other.bottom + GAP
            if not self.bounds.contains(rect):
                return None
        return None

    def reserve(self, rect: pygame.Rect) -> None:
        """Keep `rect` free (a resident's body, the clock card)."""
        self.taken.append(rect)


@dataclass(frozen=True, slots=True)
class Label:
    """A resident's name tag: `anchor` is the point just above its head."""

    name: str
    anchor: tuple[int, int]
    pictogram: str = ""
    action: str | None = None
    highlighted: bool = False


def draw_label(surface: pygame.Surface, placer: Placer, label: Label) -> pygame.Rect:
    """Name (with pictogram) and, if given, the current action under it."""
    name_img = font(NAME_SIZE, text=label.name).render(label.name, True, LABEL_TEXT)
    picto_face = pictogram_font(label.pictogram, NAME_SIZE) if label.pictogram else None
    picto_img = picto_face.render(label.pictogram, True, LABEL_TEXT) if picto_face else None
    action_img = None
    if label.action:
        action_face = font(ACTION_SIZE, text=label.action)
        text = ellipsize(action_face, label.action, ACTION_WIDTH)
        action_img = action_face.render(text, True, ACTION_TEXT)
    first_width = name_img.get_width() + (picto_img.get_width() + 4 if picto_img else 0)
    width = max(first_width, action_img.get_width() if action_img else 0) + 10
    height = name_img.get_height() + (action_img.get_height() + 1 if action_img else 0) + 5
    rect = pygame.Rect(0, 0, width, height)
    rect.midbottom = label.anchor
    rect = placer.place(rect)
    border = ACCENT if label.highlighted else None
    draw_card(surface, rect, LABEL_BG, radius=5, border=border, border_width=2)
    x = rect.centerx - first_width // 2
    if picto_img is not None:
        surface.blit(picto_img, (x, rect.top + 3))
        x += picto_img.get_width() + 4
    surface.blit(name_img, (x, rect.top + 3))
    if action_img is not None:
        surface.blit(action_img, action_img.get_rect(midtop=(rect.centerx,
                                                             rect.top + 4 + name_img.get_height())))
    return rect


def draw_bubble(
    surface: pygame.Surface, placer: Placer, text: str, anchor: tuple[int, int]
) -> pygame.Rect:
    """A speech bubble above `anchor` (the top of the speaker's label), its tail pointing there."""
    face = font(BUBBLE_SIZE, text=text)
    lines = wrap(face, text, BUBBLE_WIDTH, max_lines=BUBBLE_LINES)
    line_height = face.get_linesize()
    width = max(face.size(line)[0] for line in lines) + 16
    rect = pygame.Rect(0, 0, width, line_height * len(lines) + 10)
    rect.midbottom = (anchor[0], anchor[1] - 8)
    rect = placer.place(rect)
    tip = (anchor[0], anchor[1] - 1)
    tail_x = max(rect.left + 12, min(rect.right - 12, tip[0]))
    edge = rect.bottom - 1 if tip[1] >= rect.bottom else rect.top
    if not rect.collidepoint(tip):
        tail = [(tail_x - 7, edge), (tail_x + 7, edge), tip]
        pygame.draw.polygon(surface, BUBBLE_BG, tail)
        pygame.draw.lines(surface, BUBBLE_EDGE, False, [tail[0], tip, tail[1]], 1)
    draw_card(surface, rect, BUBBLE_BG, radius=8, border=BUBBLE_EDGE)
    if not rect.collidepoint(tip):
        pygame.draw.line(surface, BUBBLE_BG, (tail_x - 6, edge), (tail_x + 6, edge), 1)
    for i, line in enumerate(lines):
        surface.blit(face.render(line, True, INK), (rect.left + 8, rect.top + 5 + i * line_height))
    return rect


def draw_tag(surface: pygame.Surface, placer: Placer, text: str, anchor: tuple[int, int]) -> None:
    """A small warning-coloured tag for an object whose state changed ("stove: on fire")."""
    face = font(TAG_SIZE, text=text)
    image = face.render(ellipsize(face, text, 220), True, LABEL_TEXT)
    rect = image.get_rect().inflate(10, 5)
    rect.midbottom = anchor
    rect = placer.place(rect)
    draw_card(surface, rect, ALERT_BG, radius=4)
    surface.blit(image, image.get_rect(center=rect.center))
