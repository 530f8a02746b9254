"""Draw a town's tile layers with pygame: into any Surface (the viewer), or a whole map to PNG.

Tiles are cut from the tileset images once and kept per drawn size, so a
viewer redrawing every frame only blits.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from world.art.paint import pygame, save_png
from world.town import TileLayer, Tileset

BACKDROP = (30, 33, 38)


class TileArt(Protocol):
    """What drawing needs from a town (`world.town.Town` has it)."""

    @property
    def tile_layers(self) -> tuple[TileLayer, ...]: ...
    @property
    def tilesets(self) -> tuple[Tileset, ...]: ...
    @property
    def tile_width(self) -> int: ...
    @property
    def tile_height(self) -> int: ...


class TileCache:
    """Tile surfaces by (gid, drawn width, drawn height, alpha), cut from the tileset images."""

    def __init__(self, tilesets: Sequence[Tileset]) -> None:
        self.tilesets = tuple(tilesets)
        self._images: dict[Path, pygame.Surface] = {}
        self._tiles: dict[tuple[int, int, int, int], pygame.Surface | None] = {}

    def _image(self, tileset: Tileset) -> pygame.Surface:
        image = self._images.get(tileset.image)
        if image is None:
            image = pygame.image.load(str(tileset.image))
            if pygame.display.get_init() and pygame.display.get_surface() is not None:
                image = image.convert_alpha()
            self._images[tileset.image] = image
        return image

    def tile(self, gid: int, width: int, height: int, alpha: int = 255) -> pygame.Surface | None:
        """The tile drawn at `width` x `height` pixels; None for gid 0 or an unknown gid."""
        key = (gid, width, height, alpha)
        if key in self._tiles:
            return self._tiles[key]
        found: pygame.Surface | None = None
        tileset = next((t for t in self.tilesets if t.holds(gid)), None)
        if gid and tileset is not None:
            found = self._image(tileset).subsurface(pygame.Rect(tileset.source_rect(gid))).copy()
            if (width, height) != found.get_size():
                shrinking = width < found.get_width()
                scaler = pygame.transform.smoothscale if shrinking else pygame.transform.scale
                found = scaler(found, (width, height))
            if alpha < 255:
                found.set_alpha(alpha)
            elif pygame.mask.from_surface(found, 254).count() == width * height:
                found = _opaque(found)
        self._tiles[key] = found
        return found


def _opaque(tile: pygame.Surface) -> pygame.Surface:
    """A copy without an alpha channel: opaque tiles (floors, grass) blit several times faster."""
    if pygame.display.get_init() and pygame.display.get_surface() is not None:
        return tile.convert()
    plain = pygame.Surface(tile.get_size())
    plain.blit(tile, (0, 0))
    return plain


@cache
def _shared_cache(tilesets: tuple[Tileset, ...]) -> TileCache:
    return TileCache(tilesets)


def tile_pixels(art: TileArt, scale: float) -> tuple[int, int]:
    """The drawn size of one tile at `scale` (whole pixels, at least 1)."""
    return (max(1, round(art.tile_width * scale)), max(1, round(art.tile_height * scale)))


def draw_tile_layers(
    surface: pygame.Surface,
    art: TileArt,
    *,
    scale: float = 1.0,
    origin: tuple[int, int] = (0, 0),
    area: pygame.Rect | None = None,
    cache: TileCache | None = None,
) -> None:
    """Draw every visible tile layer (ground, then decor) onto `surface`.

    Tile (x, y) lands at `origin + (x, y) * tile size at scale`. `area` limits
    drawing to a rectangle of tiles (default: the tiles that fall on the surface).
    """
    cache = cache or _shared_cache(tuple(art.tilesets))
    tw, th = tile_pixels(art, scale)
    if area is None:
        left, top = -origin[0] // tw, -origin[1] // th
        right = (surface.get_width() - origin[0]) // tw + 1
        bottom = (surface.get_height() - origin[1]) // th + 1
        area = pygame.Rect(left, top, right - left, bottom - top)
    for layer in art.tile_layers:
        if not layer.visible or layer.opacity <= 0:
            continue
        rows, cols = layer.gids.shape
        x0, y0 = max(area.left, 0), max(area.top, 0)
        x1, y1 = min(area.right, cols), min(area.bottom, rows)
        if x0 >= x1 or y0 >= y1:
            continue
        alpha = round(255 * min(layer.opacity, 1.0))
        window = layer.gids[y0:y1, x0:x1]
        ys, xs = np.nonzero(window)
        blits = []
        for j, i, gid in zip(ys.tolist(), xs.tolist(), window[ys, xs].tolist(), strict=True):
            tile = cache.tile(gid, tw, th, alpha)
            if tile is not None:
                blits.append((tile, (origin[0] + (x0 + i) * tw, origin[1] + (y0 + j) * th)))
        surface.blits(blits, doreturn=False)


def map_surface(art: TileArt, width: int, height: int, scale: float = 1.0) -> pygame.Surface:
    """The whole `width` x `height`-tile map drawn on one opaque surface."""
    tw, th = tile_pixels(art, scale)
    surface = pygame.Surface((width * tw, height * th))
    surface.fill(BACKDROP)
    draw_tile_layers(surface, art, scale=scale, area=pygame.Rect(0, 0, width, height))
    return surface


def render_map_png(tmj_path: str | Path, out_png: str | Path, scale: float = 0.25) -> Path:
    """Render a `.tmj` map's ground and decor to a PNG `scale` times the map's pixel size."""
    from world.tiled import load_town

    town = load_town(tmj_path)
    out = Path(out_png)
    save_png(map_surface(town, town.width, town.height, scale), out)
    return out
