"""Colours, fonts and text helpers shared by everything the viewer draws.

Text uses pygame's default font (it ships with pygame, so it looks the same
everywhere); text with glyphs it lacks (a resident named in Chinese, Japanese or
Korean) uses Noto Sans CJK from the `noto-cjk-sans-jp-regular` package, a project
dependency, and falls back to the default font (missing glyphs as boxes) when that
is not installed. Pictograms, usually emoji, are drawn with the first installed
font that has their glyphs, and left out when none has.
"""

from __future__ import annotations

import importlib
from functools import cache, lru_cache
from typing import Final

import pygame
import pygame.freetype

Colour = tuple[int, int, int]

INK: Final[Colour] = (33, 37, 41)
PAPER: Final[Colour] = (250, 248, 242)
PANEL_BG: Final[Colour] = (36, 40, 48)
PANEL_CARD: Final[Colour] = (48, 54, 64)
PANEL_TEXT: Final[Colour] = (230, 232, 236)
PANEL_MUTED: Final[Colour] = (156, 163, 175)
ACCENT: Final[Colour] = (255, 196, 61)
LABEL_BG: Final[tuple[int, int, int, int]] = (24, 26, 32, 200)
LABEL_TEXT: Final[Colour] = (255, 255, 255)
ACTION_TEXT: Final[Colour] = (214, 220, 228)
BUBBLE_BG: Final[Colour] = (255, 255, 255)
BUBBLE_EDGE: Final[Colour] = (70, 74, 84)
ALERT_BG: Final[Colour] = (214, 84, 46)
MAP_BACKDROP: Final[Colour] = (30, 33, 38)

# Packages whose FONT_PATH is tried, in order, for text pygame's default font lacks glyphs for.
TEXT_FONT_PACKAGES: Final[tuple[str, ...]] = ("noto_cjk_sans_jp_regular",)

# Fonts tried for pictograms, in order, when pygame's default font lacks a glyph.
SYMBOL_FONTS: Final[tuple[str, ...]] = (
    "notoemoji", "segoeuiemoji", "segoeuisymbol", "symbola", "dejavusans",
)


def _ensure_fonts() -> None:
    """Start the font modules; after a `pygame.quit()` cached fonts are dead, so drop them."""
    if pygame.font.get_init() and pygame.freetype.get_init():
        return
    for cached in (_font, _font_at, _glyph_checker, _has_glyphs, _pictogram_font):
        cached.cache_clear()
    pygame.font.init()
    pygame.freetype.init()


def font(size: int, bold: bool = False, text: str = "") -> pygame.font.Font:
    """pygame's default font at `size` (cached: fonts are slow to open); for `text` with
    glyphs the default lacks, the first text font (`TEXT_FONT_PACKAGES`) that has them all."""
    _ensure_fonts()
    if not text.isascii() and not _has_glyphs(None, text):
        for path in _text_font_paths():
            if _has_glyphs(path, text):
                return _font_at(path, size, bold)
    return _font(size, bold)


@cache
def _text_font_paths() -> tuple[str, ...]:
    """The font files of the installed `TEXT_FONT_PACKAGES`."""
    paths = []
    for package in TEXT_FONT_PACKAGES:
        try:
            paths.append(str(importlib.import_module(package).FONT_PATH))
        except (ImportError, AttributeError):
            continue
    return tuple(paths)


@cache
def _font_at(path: str, size: int, bold: bool) -> pygame.font.Font:
    face = pygame.font.Font(path, size)
    face.set_bold(bold)
    return face


@cache
def _font(size: int, bold: bool) -> pygame.font.Font:
    face = pygame.font.Font(None, size)
    face.set_bold(bold)
    return face


@cache
def _glyph_checker(path: str | None) -> pygame.freetype.Font:
    return pygame.freetype.Font(path, 16)


@lru_cache(maxsize=4096)
def _has_glyphs(path: str | None, text: str) -> bool:
    metrics = _glyph_checker(path).get_metrics(text)
    return all(m is not None for m in metrics)


@cache
def _symbol_font_paths() -> tuple[str, ...]:
    found = (pygame.font.match_font(name) for name in SYMBOL_FONTS)
    return tuple(path for path in found if path)


def pictogram_font(text: str, size: int) -> pygame.font.Font | None:
    """A font that draws every glyph of `text`, or None when no installed font does."""
    _ensure_fonts()
    return _pictogram_font(text, size)


@cache
def _pictogram_font(text: str, size: int) -> pygame.font.Font | None:
    if not text.strip():
        return None
    if _has_glyphs(None, text):
        return font(size)
    for path in _symbol_font_paths():
        if _has_glyphs(path, text):
            try:
                return pygame.font.Font(path, size)
            except (pygame.error, OSError):
                continue
    return None


def ellipsize(face: pygame.font.Font, text: str, width: int) -> str:
    """`text`, cut with an ellipsis so that it fits in `width` pixels."""
    if face.size(text)[0] <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if face.size(text[:middle].rstrip() + "…")[0] <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def wrap(face: pygame.font.Font, text: str, width: int, max_lines: int | None = None) -> list[str]:
    """Greedy word wrap to `width` pixels; the last kept line is ellipsized when cut short."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if face.size(candidate)[0] <= width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    lines = [ellipsize(face, line, width) for line in lines]
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = ellipsize(face, lines[-1] + " …", width)
    return lines


def draw_text(
    surface: pygame.Surface,
    text: str,
    position: tuple[int, int],
    *,
    size: int = 16,
    colour: Colour = INK,
    bold: bool = False,
    anchor: str = "topleft",
) -> pygame.Rect:
    """Draw one line of text anchored at `position`; returns where it went."""
    image = font(size, bold, text).render(text, True, colour)
    rect = image.get_rect(**{anchor: position})
    surface.blit(image, rect)
    return rect


def draw_card(
    surface: pygame.Surface,
    rect: pygame.Rect,
    fill: tuple[int, int, int] | tuple[int, int, int, int],
    *,
    radius: int = 6,
    border: Colour | None = None,
    border_width: int = 1,
) -> None:
    """A rounded rectangle; `fill` may be translucent (blended onto `surface`)."""
    if len(fill) == 4 and fill[3] < 255:
        layer = pygame.Surface(rect.size, pygame.SRCALPHA)
        pygame.draw.rect(layer, fill, layer.get_rect(), border_radius=radius)
        surface.blit(layer, rect.topleft)
    else:
        pygame.draw.rect(surface, fill[:3], rect, border_radius=radius)
    if border is not None:
        pygame.draw.rect(surface, border, rect, border_width, border_radius=radius)
