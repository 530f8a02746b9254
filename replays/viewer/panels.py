"""The side panel: one resident's action, plan, memories, last reflection and conversations.

The content is laid out on a tall surface once per change and shown through
a scrollable window on the right of the screen.
"""

from __future__ import annotations

import itertools
from typing import Final

import pygame

from agents.state import talking_with
from replays.frame import AgentFrame
from replays.timescale import TimeScale, has_dates
from replays.viewer.details import AgentDetails
from replays.viewer.sprites import Look, resident_sprite
from replays.viewer.theme import (
    ACCENT,
    PANEL_BG,
    PANEL_CARD,
    PANEL_MUTED,
    PANEL_TEXT,
    draw_card,
    font,
    pictogram_font,
    wrap,
)

PANEL_WIDTH: Final = 400
PAD: Final = 18
BODY: Final = 20
SMALL: Final = 18


def importance_colour(importance: int) -> tuple[int, int, int]:
    """Grey for mundane records, through amber, to red for life-changing ones."""
    stops = ((1, (120, 128, 140)), (5, (230, 170, 60)), (10, (224, 68, 56)))
    value = min(max(importance, 1), 10)
    for (a, ca), (b, cb) in itertools.pairwise(stops):
        if value <= b:
            t = (value - a) / (b - a)
            return (round(ca[0] + (cb[0] - ca[0]) * t), round(ca[1] + (cb[1] - ca[1]) * t),
                    round(ca[2] + (cb[2] - ca[2]) * t))
    return stops[-1][1]


def short_time(scale: TimeScale, tick: int) -> str:
    return scale.time_at(tick).strftime("%H:%M") if has_dates(scale) else f"t{tick:,}"


class _Column:
    """Lays blocks of text down a surface, top to bottom."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.surface = pygame.Surface((width, 4000), pygame.SRCALPHA)
        self.y = PAD

    @property
    def inner(self) -> int:
        return self.width - 2 * PAD

    def text(self, text: str, *, size: int = BODY, colour: tuple[int, int, int] = PANEL_TEXT,
             indent: int = 0, max_lines: int | None = None, gap: int = 4) -> None:
        face = font(size, text=text)
        for line in wrap(face, text, self.inner - indent, max_lines):
            self.surface.blit(face.render(line, True, colour), (PAD + indent, self.y))
            self.y += face.get_linesize()
        self.y += gap

    def heading(self, text: str) -> None:
        self.y += 10
        pygame.draw.line(self.surface, PANEL_CARD, (PAD, self.y), (self.width - PAD, self.y), 1)
        self.y += 8
        self.surface.blit(font(18).render(text.upper(), True, ACCENT), (PAD, self.y))
        self.y += 24

    def empty(self, text: str = "nothing yet") -> None:
        self.text(text, size=SMALL, colour=PANEL_MUTED)


def layout_panel(width: int, details: AgentDetails | None, agent: AgentFrame | None,
                 look: Look, scale: TimeScale) -> pygame.Surface:
    """The panel's whole content for one resident (cropped to its height)."""
    column = _Column(width)
    name = details.name if details is not None else "?"
    sprite = resident_sprite(look, 44, agent.asleep if agent else False)
    column.surface.blit(sprite, (PAD, column.y))
    column.surface.blit(font(32, text=name).render(name, True, PANEL_TEXT),
                        (PAD + 56, column.y + 6))
    if details is not None and details.headline:
        headline = font(SMALL, text=details.headline).render(details.headline, True, PANEL_MUTED)
        column.surface.blit(headline,
                            (PAD + 56, column.y + 34))
    column.y += sprite.get_height() + 6
    if details is not None and details.traits:
        column.text(details.traits, size=SMALL, colour=PANEL_MUTED, max_lines=2)
    _now(column, agent)
    column.heading("Today's plan")
    if details is None or not details.plan:
        column.empty()
    for entry in details.plan if details is not None else ():
        when = short_time(scale, entry.start_tick) if entry.start_tick is not None else ""
        colour = ACCENT if entry.current else PANEL_TEXT
        top = column.y
        column.surface.blit(font(SMALL).render(when, True, colour if entry.current else
                                               PANEL_MUTED), (PAD, column.y + 1))
        column.text(entry.description, colour=colour, indent=58, max_lines=2, gap=3)
        if entry.current:
            pygame.draw.rect(column.surface, ACCENT, (PAD - 9, top, 3, column.y - top - 3))
    column.heading("Recent memories")
    if details is None or not details.memories:
        column.empty()
    for memory in details.memories if details is not None else ():
        badge_centre = (PAD + 11, column.y + 10)
        pygame.draw.circle(column.surface, importance_colour(memory.importance), badge_centre, 11)
        number = font(SMALL).render(str(memory.importance), True, (20, 20, 24))
        column.surface.blit(number, number.get_rect(center=badge_centre))
        column.text(memory.description, indent=32, max_lines=3, gap=1)
        column.text(f"{short_time(scale, memory.tick)} · {memory.kind}", size=16,
                    colour=PANEL_MUTED, indent=32, gap=7)
    column.heading("Last reflection")
    if details is None or details.last_reflection is None:
        column.empty("no reflection yet")
    else:
        column.text(details.last_reflection, max_lines=6)
        if details.last_reflection_tick is not None:
            column.text(scale.format(details.last_reflection_tick), size=16, colour=PANEL_MUTED)
    column.heading("Talked to")
    if details is None or not details.talked_to:
        column.empty("no conversations yet")
    for partner, count in details.talked_to if details is not None else ():
        times = "once" if count == 1 else f"{count} times"
        column.text(f"{partner}  ({times})", gap=2)
    column.y += PAD
    return column.surface.subsurface((0, 0, width, min(column.y, 4000))).copy()


def _now(column: _Column, agent: AgentFrame | None) -> None:
    column.heading("Now")
    if agent is None:
        column.empty("not in the town yet")
        return
    state = "asleep" if agent.asleep else "awake"
    if agent.talking_to:
        state += f", {talking_with(agent.talking_to)}"
    column.text(state[0].upper() + state[1:], size=SMALL, colour=PANEL_MUTED)
    action = agent.action or "nothing in particular"
    face = pictogram_font(agent.pictogram, 22) if agent.pictogram else None
    if face is not None:
        column.surface.blit(face.render(agent.pictogram, True, PANEL_TEXT), (PAD, column.y))
        column.text(action, indent=32)
    else:
        column.text(action)
    if agent.address:
        column.text(agent.address.replace(":", " / "), size=SMALL, colour=PANEL_MUTED)
    if agent.utterance:
        column.text(f"\u201c{agent.utterance}\u201d", colour=(200, 220, 255), max_lines=4)


def draw_panel(surface: pygame.Surface, rect: pygame.Rect, content: pygame.Surface,
               scroll: int) -> int:
    """Show `content` in `rect` scrolled by `scroll`; returns the scroll actually used."""
    surface.fill(PANEL_BG, rect)
    most = max(0, content.get_height() - rect.height)
    scroll = min(max(scroll, 0), most)
    clip = surface.get_clip()
    surface.set_clip(rect)
    surface.blit(content, (rect.left, rect.top - scroll))
    surface.set_clip(clip)
    pygame.draw.line(surface, (20, 22, 26), rect.topleft, rect.bottomleft, 2)
    if most:
        bar_height = max(30, rect.height * rect.height // content.get_height())
        bar_top = rect.top + (rect.height - bar_height) * scroll // most
        draw_card(surface, pygame.Rect(rect.right - 6, bar_top, 4, bar_height), PANEL_CARD,
                  radius=2)
    footer = font(16).render("F follow   Esc close   wheel scroll", True, PANEL_MUTED)
    surface.blit(footer, footer.get_rect(bottomright=(rect.right - 10, rect.bottom - 6)))
    return scroll
