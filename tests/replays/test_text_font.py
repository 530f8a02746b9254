"""Names a user can read: CJK text is drawn as glyphs (not boxes), with a clean fallback."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from collections.abc import Iterator

import pygame
import pytest

from replays.viewer import theme
from replays.viewer.overlays import Label, Placer, draw_label

WHITE = (255, 255, 255)


@pytest.fixture(autouse=True)
def fonts() -> Iterator[None]:
    pygame.font.init()
    yield
    theme._text_font_paths.cache_clear()  # undo a test's TEXT_FONT_PACKAGES


def pixels(surface: pygame.Surface) -> bytes:
    return pygame.image.tobytes(surface, "RGBA")


def drawn(text: str, face: pygame.font.Font) -> bytes:
    return pixels(face.render(text, True, WHITE))


@pytest.mark.parametrize("first,second", [("李", "王"), ("さくら", "ひかり"), ("김민준", "박서연")])
def test_cjk_names_are_drawn_as_their_own_glyphs(first: str, second: str) -> None:
    default = pygame.font.Font(None, 24)
    assert drawn(first, default) == drawn(second, default)  # the default font: the same boxes
    ours = [drawn(name, theme.font(24, text=name)) for name in (first, second)]
    assert ours[0] != ours[1]  # two names, two different drawings
    assert ours[0] != drawn(first, default)


def test_a_label_with_a_cjk_name_differs_by_name() -> None:
    def label(name: str) -> bytes:
        surface = pygame.Surface((200, 80), pygame.SRCALPHA)
        draw_label(surface, Placer(surface.get_rect()), Label(name, (100, 70)))
        return pixels(surface)

    assert label("李明") != label("王明")


def test_latin_text_keeps_the_default_font() -> None:
    assert theme.font(24, text="Isabella Rodriguez") is theme.font(24)


def test_without_a_text_font_package_cjk_falls_back_to_the_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(theme, "TEXT_FONT_PACKAGES", ("no_such_font_package",))
    theme._text_font_paths.cache_clear()
    assert theme.font(24, text="李明") is theme.font(24)
