"""A tiny pixel-art brush over a pygame Surface, used to draw every tile.

Every drawing call is integer-pixel and aliased, so tiles stay crisp when the
viewer scales them by whole numbers; the only randomness (texture speckles)
comes from a generator seeded by the piece's name.
"""

from __future__ import annotations

import os
import random
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # (after the variable above, which silences its greeting)
from PIL import Image

Colour = tuple[int, int, int] | tuple[int, int, int, int]

TILE = 32
"""Tile size in pixels (the map convention's 32 x 32)."""

OUTLINE: Colour = (46, 40, 52)
SHADOW: Colour = (20, 24, 30, 70)


def hex_colour(code: str, alpha: int = 255) -> Colour:
    """`'#78b25c'` -> (120, 178, 92) (with alpha when it is not opaque)."""
    code = code.lstrip("#")
    rgb = (int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16))
    return rgb if alpha == 255 else (*rgb, alpha)


def shade(colour: Colour, amount: float) -> Colour:
    """Lighter (amount > 0) or darker (< 0) by a fraction towards white or black."""
    r, g, b = colour[:3]
    if amount >= 0:
        mixed = tuple(round(c + (255 - c) * amount) for c in (r, g, b))
    else:
        mixed = tuple(round(c * (1 + amount)) for c in (r, g, b))
    return (mixed[0], mixed[1], mixed[2], *colour[3:])


class Painter:
    """Draws on a transparent canvas of `cols` x `rows` tiles."""

    def __init__(self, name: str, cols: int = 1, rows: int = 1) -> None:
        self.name = name
        self.width, self.height = cols * TILE, rows * TILE
        self.surface = pygame.Surface((self.width, self.height), pygame.SRCALPHA)
        self.surface.fill((0, 0, 0, 0))
        self.rng = random.Random(zlib.crc32(name.encode("utf-8")))

    # -- primitives ---------------------------------------------------------------------

    def fill(self, colour: Colour) -> None:
        self.surface.fill(colour)

    def rect(self, x: int, y: int, w: int, h: int, colour: Colour) -> None:
        """A filled rectangle; pixels are written, not blended (so shadows stay translucent)."""
        if w > 0 and h > 0:
            self.surface.fill(colour, pygame.Rect(x, y, w, h))

    def box(self, x: int, y: int, w: int, h: int, colour: Colour, edge: Colour = OUTLINE) -> None:
        """A filled rectangle with a one-pixel outline."""
        self.rect(x, y, w, h, edge)
        self.rect(x + 1, y + 1, w - 2, h - 2, colour)

    def px(self, x: int, y: int, colour: Colour) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            self.surface.set_at((x, y), colour)

    def pixels(self, points: Iterable[tuple[int, int]], colour: Colour) -> None:
        for x, y in points:
            self.px(x, y, colour)

    def hline(self, x: int, y: int, w: int, colour: Colour) -> None:
        self.rect(x, y, w, 1, colour)

    def vline(self, x: int, y: int, h: int, colour: Colour) -> None:
        self.rect(x, y, 1, h, colour)

    def line(self, a: tuple[int, int], b: tuple[int, int], colour: Colour) -> None:
        pygame.draw.line(self.surface, colour, a, b)

    def disc(self, cx: float, cy: float, r: float, colour: Colour) -> None:
        """A filled circle, pixel by pixel (pygame's circle is lumpy at small radii)."""
        self.ellipse(cx, cy, r, r, colour)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, colour: Colour) -> None:
        for y in range(int(cy - ry) - 1, int(cy + ry) + 2):
            for x in range(int(cx - rx) - 1, int(cx + rx) + 2):
                dx, dy = (x + 0.5 - cx) / rx, (y + 0.5 - cy) / ry
                if dx * dx + dy * dy <= 1.0:
                    self.px(x, y, colour)

    def ring(self, cx: float, cy: float, r: float, colour: Colour, inner: Colour) -> None:
        """A disc with a one-pixel rim."""
        self.disc(cx, cy, r, colour)
        self.disc(cx, cy, r - 1, inner)

    def polygon(self, points: Sequence[tuple[int, int]], colour: Colour) -> None:
        pygame.draw.polygon(self.surface, colour, points)

    # -- textures -----------------------------------------------------------------------

    def speckle(
        self,
        colours: Sequence[Colour],
        count: int,
        area: tuple[int, int, int, int] | None = None,
        size: int = 1,
    ) -> None:
        """Scatter `count` dots of the given colours over `area` (default: everything)."""
        x0, y0, w, h = area or (0, 0, self.width, self.height)
        for _ in range(count):
            x = x0 + self.rng.randrange(max(w - size + 1, 1))
            y = y0 + self.rng.randrange(max(h - size + 1, 1))
            self.rect(x, y, size, size, self.rng.choice(colours))

    def tufts(
        self, colour: Colour, count: int, area: tuple[int, int, int, int] | None = None
    ) -> None:
        """Little 'v' grass blades."""
        x0, y0, w, h = area or (1, 1, self.width - 3, self.height - 3)
        for _ in range(count):
            x, y = x0 + self.rng.randrange(w), y0 + self.rng.randrange(h)
            self.pixels(((x, y), (x + 2, y), (x + 1, y + 1)), colour)

    def shadow(self, x: int, y: int, w: int, h: int) -> None:
        """A soft translucent ellipse under a piece of furniture or a tree."""
        self.ellipse(x + w / 2, y + h / 2, w / 2, h / 2, SHADOW)

    def tile(self, col: int, row: int) -> pygame.Surface:
        """A copy of one 32 x 32 tile of the canvas."""
        return self.surface.subsurface(pygame.Rect(col * TILE, row * TILE, TILE, TILE)).copy()


def save_png(surface: pygame.Surface, path: Path) -> None:
    """Write a PNG with Pillow (no timestamps or other varying chunks); RGBA if it has alpha."""
    mode: Literal["RGBA", "RGB"] = "RGBA" if surface.get_flags() & pygame.SRCALPHA else "RGB"
    raw = pygame.image.tobytes(surface, mode)
    Image.frombytes(mode, surface.get_size(), raw).save(path, format="PNG")


Draw = Callable[[Painter], None]


@dataclass(frozen=True, slots=True)
class Piece:
    """One drawing in the tileset: a single tile or a block of `size` (cols, rows) tiles.

    `layer` says which map layer it belongs on; `blocked` pieces also get a
    collision tile under every tile they cover.
    """

    name: str
    draw: Draw
    size: tuple[int, int] = (1, 1)
    layer: Literal["ground", "decor"] = "decor"
    blocked: bool = False


def registrar(into: list[Piece]) -> Callable[..., Callable[[Draw], Draw]]:
    """A decorator factory that appends each decorated drawing to `into`, in order."""

    def piece(
        name: str,
        *,
        size: tuple[int, int] = (1, 1),
        layer: Literal["ground", "decor"] = "decor",
        blocked: bool = False,
    ) -> Callable[[Draw], Draw]:
        def register(draw: Draw) -> Draw:
            into.append(Piece(name, draw, size, layer, blocked))
            return draw

        return register

    return piece
