"""The town as one big picture, drawn once from its tile layers and shown through the camera.

The tiles are drawn by `world.art.render` (the same code that renders map
previews); this module caches the result and scales the visible part.

A town built without tile art (in a test, or by a tool) is drawn as a plain
plan: floors, grass and walls from its walkable grid and places.
"""

from __future__ import annotations

import pygame

from replays.viewer.camera import Camera
from replays.viewer.theme import MAP_BACKDROP
from world.art.render import map_surface
from world.town import Town

GRASS = (126, 176, 96)
FLOOR = (214, 196, 160)
WALL = (84, 80, 88)
GRID = (0, 0, 0, 26)


def town_surface(town: Town) -> pygame.Surface:
    """The whole map at its native size (one pixel per map pixel)."""
    if town.tile_layers:
        return map_surface(town, town.width, town.height)
    surface = pygame.Surface((town.width * town.tile_width, town.height * town.tile_height))
    _draw_plan(surface, town)
    return surface


def _draw_plan(surface: pygame.Surface, town: Town) -> None:
    tw, th = town.tile_width, town.tile_height
    for y in range(town.height):
        for x in range(town.width):
            if not town.grid.is_walkable((x, y)):
                colour = WALL
            elif town.address_at((x, y)).depth >= 3:
                colour = FLOOR
            else:
                colour = GRASS
            surface.fill(colour, pygame.Rect(x * tw, y * th, tw, th))
    grid = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    for x in range(town.width + 1):
        pygame.draw.line(grid, GRID, (x * tw, 0), (x * tw, town.height * th))
    for y in range(town.height + 1):
        pygame.draw.line(grid, GRID, (0, y * th), (town.width * tw, y * th))
    surface.blit(grid, (0, 0))


class TownArt:
    """Draws the town picture through a camera; keeps the last scaled piece for still cameras."""

    def __init__(self, picture: pygame.Surface) -> None:
        self.picture = picture
        self._key: tuple[float, tuple[int, int, int, int]] | None = None
        self._scaled: pygame.Surface | None = None

    @classmethod
    def of(cls, town: Town) -> TownArt:
        return cls(town_surface(town))

    def draw(self, target: pygame.Surface, camera: Camera) -> None:
        """Fill the camera's viewport with the part of the town it sees."""
        target.fill(MAP_BACKDROP, camera.viewport)
        x, y, width, height = camera.visible_world()
        bounds = self.picture.get_rect()
        source = pygame.Rect(int(x), int(y), int(width) + 2, int(height) + 2).clip(bounds)
        if source.width <= 0 or source.height <= 0:
            return
        size = (round(source.width * camera.zoom), round(source.height * camera.zoom))
        key = (camera.zoom, (source.x, source.y, source.width, source.height))
        if key != self._key or self._scaled is None:
            piece = self.picture.subsurface(source)
            if camera.zoom == 1.0:
                self._scaled = piece
            elif camera.zoom < 1.0:
                self._scaled = pygame.transform.smoothscale(piece, size)
            else:
                self._scaled = pygame.transform.scale(piece, size)
            self._key = key
        left, top = camera.world_to_screen((source.x, source.y))
        clip = target.get_clip()
        target.set_clip(camera.viewport)
        target.blit(self._scaled, (round(left), round(top)))
        target.set_clip(clip)
