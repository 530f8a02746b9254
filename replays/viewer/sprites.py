"""Residents drawn by code: a small, friendly figure whose shirt colour tells residents apart.

A sprite is drawn straight at the size it is shown (no scaling blur) and
cached. Its bottom `size` pixels cover the resident's tile; the head rises
above it. The shirt covers the tile's centre, which tests rely on.
"""

from __future__ import annotations

import colorsys
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Final

import pygame

from replays.viewer.theme import Colour

HEAD_ROOM: Final[float] = 0.3
"""How far (in tiles) a sprite rises above its tile."""

SKINS: Final[tuple[Colour, ...]] = (
    (255, 220, 189), (241, 194, 155), (224, 172, 130), (198, 134, 94), (141, 85, 56), (99, 61, 40),
)
HAIRS: Final[tuple[Colour, ...]] = (
    (40, 32, 28), (92, 58, 33), (150, 98, 50), (214, 176, 104), (170, 70, 40), (120, 120, 128),
)
TROUSERS: Final[tuple[Colour, ...]] = ((52, 64, 96), (66, 58, 52), (40, 44, 52), (88, 96, 110))
OUTLINE: Final[Colour] = (28, 30, 36)
EYES: Final[Colour] = (30, 30, 40)


@dataclass(frozen=True, slots=True)
class Look:
    """How one resident is drawn."""

    shirt: Colour
    hair: Colour
    skin: Colour
    trousers: Colour


def parse_colour(text: str) -> Colour | None:
    """`"#e07a5f"` or `"e07a5f"` as an RGB triple; None when it is not a hex colour."""
    digits = text.strip().removeprefix("#")
    if len(digits) != 6:
        return None
    try:
        value = int(digits, 16)
    except ValueError:
        return None
    return ((value >> 16) & 255, (value >> 8) & 255, value & 255)


def shirt_colour(index: int) -> Colour:
    """Well-separated pleasant hues: the golden angle walks the colour wheel."""
    hue = (0.07 + index * 0.61803398875) % 1.0
    value = 0.86 if index % 2 == 0 else 0.72
    r, g, b = colorsys.hsv_to_rgb(hue, 0.62, value)
    return (round(r * 255), round(g * 255), round(b * 255))


def _pick(name: str, salt: str, options: tuple[Colour, ...]) -> Colour:
    digest = hashlib.sha256(f"{salt}:{name}".encode()).digest()
    return options[digest[0] % len(options)]


def make_looks(names: Iterable[str], colours: Mapping[str, str] | None = None) -> dict[str, Look]:
    """A look per resident: shirts by sorted name (or the persona's colour), the rest by name."""
    colours = colours or {}
    looks: dict[str, Look] = {}
    for index, name in enumerate(sorted(set(names))):
        shirt = parse_colour(colours.get(name, "")) or shirt_colour(index)
        looks[name] = Look(shirt, _pick(name, "hair", HAIRS), _pick(name, "skin", SKINS),
                           _pick(name, "trousers", TROUSERS))
    return looks


def _shade(colour: Colour, factor: float) -> Colour:
    r, g, b = colour
    return (min(255, round(r * factor)), min(255, round(g * factor)), min(255, round(b * factor)))


@cache
def resident_sprite(look: Look, size: int, asleep: bool = False) -> pygame.Surface:
    """The figure for a tile `size` pixels wide; the surface is `size` x `size * 1.3`."""
    size = max(size, 8)
    top = round(HEAD_ROOM * size)
    surface = pygame.Surface((size, size + top), pygame.SRCALPHA)

    def at(x: float, y: float) -> tuple[int, int]:
        return (round(x * size), top + round(y * size))

    def box(x0: float, y0: float, x1: float, y1: float) -> pygame.Rect:
        (ax, ay), (bx, by) = at(x0, y0), at(x1, y1)
        return pygame.Rect(ax, ay, max(1, bx - ax), max(1, by - ay))

    radius = max(1, round(0.1 * size))
    # Legs and shoes.
    for left in (0.36, 0.52):
        pygame.draw.rect(surface, look.trousers, box(left, 0.72, left + 0.12, 0.9))
        pygame.draw.rect(surface, OUTLINE, box(left - 0.01, 0.88, left + 0.13, 0.94),
                         border_radius=max(1, radius // 2))
    # Arms (a shade darker than the shirt), hands.
    sleeve = _shade(look.shirt, 0.82)
    for x0, x1 in ((0.19, 0.3), (0.7, 0.81)):
        pygame.draw.rect(surface, sleeve, box(x0, 0.33, x1, 0.62), border_radius=radius)
        pygame.draw.circle(surface, look.skin, at((x0 + x1) / 2, 0.64), max(1, round(0.055 * size)))
    # Body: the shirt covers the tile's centre.
    pygame.draw.rect(surface, look.shirt, box(0.28, 0.29, 0.72, 0.78), border_radius=radius)
    pygame.draw.rect(surface, _shade(look.shirt, 1.18), box(0.43, 0.29, 0.57, 0.36),
                     border_radius=max(1, radius // 2))
    # Head: hair behind, face in front.
    head_r = 0.21 * size
    cx, cy = at(0.5, 0.08)
    pygame.draw.circle(surface, look.hair, (cx, cy - round(0.02 * size)), round(head_r * 1.05))
    face = pygame.Rect(0, 0, round(head_r * 1.72), round(head_r * 1.45))
    face.center = (cx, cy + round(head_r * 0.3))
    pygame.draw.ellipse(surface, look.skin, face)
    eye_y = cy + round(head_r * 0.38)
    for dx in (-0.36, 0.36):
        ex = cx + round(dx * head_r)
        if asleep:
            pygame.draw.line(surface, EYES, (ex - max(1, size // 24), eye_y),
                             (ex + max(1, size // 24), eye_y), max(1, size // 28))
        else:
            pygame.draw.circle(surface, EYES, (ex, eye_y), max(1, round(0.035 * size)))
    _outline(surface, max(1, size // 24))
    return surface


def _outline(surface: pygame.Surface, width: int) -> None:
    """A dark outline around the figure, so it reads on grass and on floors alike."""
    mask = pygame.mask.from_surface(surface)
    for points in (mask.outline(),):
        if len(points) > 2:
            pygame.draw.lines(surface, OUTLINE, True, points, width)
