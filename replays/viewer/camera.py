"""The camera: which part of the town (in map pixels) is shown where on the screen, how big."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

MAX_ZOOM = 4.0
ZOOM_STEP = 1.15

Point = tuple[float, float]


@dataclass(slots=True)
class Camera:
    """Maps map pixels to screen pixels: `centre` (map px) is drawn at the viewport's centre.

    The camera never shows more than a margin of empty space around the map:
    `clamp` keeps the centre inside it and a map smaller than the viewport
    is centred.
    """

    viewport: pygame.Rect
    world_size: tuple[int, int]
    zoom: float = 1.0
    centre: Point = (0.0, 0.0)

    @classmethod
    def fitted(cls, viewport: pygame.Rect, world_size: tuple[int, int],
               max_zoom: float = 2.0) -> Camera:
        """A camera showing the whole map, enlarged to at most `max_zoom`."""
        camera = cls(pygame.Rect(viewport), world_size)
        camera.zoom = min(camera.fit_zoom(), max_zoom)
        camera.centre = (world_size[0] / 2, world_size[1] / 2)
        camera.clamp()
        return camera

    def fit_zoom(self) -> float:
        """The zoom at which the whole map fits the viewport."""
        width, height = self.world_size
        return min(self.viewport.width / max(width, 1), self.viewport.height / max(height, 1))

    @property
    def min_zoom(self) -> float:
        return min(self.fit_zoom(), 1.0)

    def world_to_screen(self, point: Point) -> Point:
        cx, cy = self.viewport.center
        return (cx + (point[0] - self.centre[0]) * self.zoom,
                cy + (point[1] - self.centre[1]) * self.zoom)

    def screen_to_world(self, point: Point) -> Point:
        cx, cy = self.viewport.center
        return (self.centre[0] + (point[0] - cx) / self.zoom,
                self.centre[1] + (point[1] - cy) / self.zoom)

    def visible_world(self) -> tuple[float, float, float, float]:
        """The map area (x, y, width, height in map px) that the viewport shows."""
        width, height = self.viewport.width / self.zoom, self.viewport.height / self.zoom
        return (self.centre[0] - width / 2, self.centre[1] - height / 2, width, height)

    def set_viewport(self, viewport: pygame.Rect) -> None:
        self.viewport = pygame.Rect(viewport)
        self.zoom = max(self.zoom, self.min_zoom)
        self.clamp()

    def zoom_at(self, factor: float, screen_point: Point) -> None:
        """Zoom by `factor`, keeping the map point under `screen_point` where it is."""
        anchor = self.screen_to_world(screen_point)
        self.zoom = max(self.min_zoom, min(MAX_ZOOM, self.zoom * factor))
        cx, cy = self.viewport.center
        self.centre = (anchor[0] - (screen_point[0] - cx) / self.zoom,
                       anchor[1] - (screen_point[1] - cy) / self.zoom)
        self.clamp()

    def pan(self, dx: float, dy: float) -> None:
        """Move the view by a screen distance (dragging the map right shows what is left)."""
        self.centre = (self.centre[0] - dx / self.zoom, self.centre[1] - dy / self.zoom)
        self.clamp()

    def look_at(self, point: Point, smoothing: float = 1.0) -> None:
        """Move the centre towards `point`; `smoothing` 1 jumps, smaller values ease in."""
        self.centre = (self.centre[0] + (point[0] - self.centre[0]) * smoothing,
                       self.centre[1] + (point[1] - self.centre[1]) * smoothing)
        self.clamp()

    def clamp(self) -> None:
        _, _, width, height = self.visible_world()
        self.centre = (_clamp_axis(self.centre[0], width, self.world_size[0]),
                       _clamp_axis(self.centre[1], height, self.world_size[1]))


def _clamp_axis(centre: float, visible: float, size: int) -> float:
    if visible >= size:
        return size / 2
    return max(visible / 2, min(size - visible / 2, centre))
