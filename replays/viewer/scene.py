"""`render_frame`: the town at one moment, drawn onto any surface (window, export, test).

    scene = Scene.build(town, names, scale=clock)
    drawn = render_frame(surface, view, frame, next_frame, scene=scene)

It reads the view (camera, time position, selection) and the frames, and
changes neither; what it returns says where each resident, label and bubble
went (a window maps clicks to residents with it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pygame

from replays.frame import AgentFrame, Frame
from replays.timescale import TickScale, TimeScale
from replays.viewer.camera import Camera
from replays.viewer.hud import clock_card
from replays.viewer.overlays import Label, Placer, draw_bubble, draw_label, draw_tag
from replays.viewer.sprites import HEAD_ROOM, Look, make_looks, resident_sprite
from replays.viewer.state import ViewState
from replays.viewer.theme import ACCENT, font
from replays.viewer.town_art import TownArt
from world.town import Town

SHOW_ACTIONS_ZOOM = 1.2
FULL_NAMES_ZOOM = 0.9
SLEEP_COLOUR = (214, 228, 255)

WorldPoint = tuple[float, float]


@dataclass(frozen=True, slots=True)
class ResidentHit:
    """Where a resident's sprite was drawn, for clicks and hovering."""

    name: str
    rect: pygame.Rect


@dataclass(slots=True)
class Drawn:
    """Where things went on the screen in one `render_frame`."""

    residents: list[ResidentHit] = field(default_factory=list)
    labels: dict[str, pygame.Rect] = field(default_factory=dict)
    bubbles: dict[str, pygame.Rect] = field(default_factory=dict)


@dataclass(slots=True)
class Scene:
    """What drawing needs that does not change from frame to frame."""

    town: Town
    art: TownArt
    looks: dict[str, Look]
    scale: TimeScale = field(default_factory=TickScale)
    colours: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, town: Town, names: Iterable[str], *, scale: TimeScale | None = None,
              colours: Mapping[str, str] | None = None, art: TownArt | None = None) -> Scene:
        colours = dict(colours or {})
        return cls(town, art or TownArt.of(town), make_looks(names, colours),
                   scale or TickScale(), colours)

    def look(self, name: str) -> Look:
        """The resident's look; one first seen mid-run gets one too (the others keep theirs)."""
        if name not in self.looks:
            fresh = make_looks([*self.looks, name], self.colours)
            self.looks[name] = fresh[name]
        return self.looks[name]


def resident_positions(frame: Frame, next_frame: Frame | None, alpha: float,
                       town: Town) -> dict[str, WorldPoint]:
    """Each placed resident's tile top-left in map pixels, `alpha` of the way to its next tile.

    Residents sharing a tile are spread sideways so each stays visible.
    """
    tw, th = town.tile_width, town.tile_height
    glide = next_frame is not None and next_frame.tick == frame.tick + 1
    points: dict[str, WorldPoint] = {}
    for name, agent in frame.agents.items():
        if agent.tile is None:
            continue
        x, y = float(agent.tile[0]), float(agent.tile[1])
        after = next_frame.agents.get(name) if glide and next_frame is not None else None
        if after is not None and after.tile is not None:
            dx, dy = after.tile[0] - x, after.tile[1] - y
            if abs(dx) + abs(dy) == 1:  # one step: glide; a longer jump is a teleport
                x, y = x + dx * alpha, y + dy * alpha
        points[name] = (x * tw, y * th)
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    for name, (x, y) in sorted(points.items()):
        groups[(round(x / tw), round(y / th))].append(name)
    for names in groups.values():
        if len(names) < 2:
            continue
        spread = min(0.6, 0.3 * (len(names) - 1)) * tw
        for i, name in enumerate(names):
            x, y = points[name]
            points[name] = (x - spread / 2 + spread * i / (len(names) - 1), y)
    return points


def render_frame(
    surface: pygame.Surface,
    view: ViewState,
    frame: Frame,
    next_frame: Frame | None = None,
    *,
    scene: Scene,
    clock: bool = True,
    keep_clear: Sequence[pygame.Rect] = (),
) -> Drawn:
    """Draw the town, its residents, labels, bubbles and (optionally) the clock card.

    Labels and bubbles stay off `keep_clear` (what the caller draws on top,
    e.g. its status card) and off the clock card.
    """
    camera = view.camera
    scene.art.draw(surface, camera)
    previous_clip = surface.get_clip()
    surface.set_clip(camera.viewport)
    alpha = min(max(view.playback.position - frame.tick, 0.0), 1.0)
    points = resident_positions(frame, next_frame, alpha, scene.town)
    size = max(8, round(scene.town.tile_width * camera.zoom))
    placer = Placer(camera.viewport)
    card = clock_card(scene.scale, view.playback.tick) if clock else None
    clock_at = (camera.viewport.left + 10, camera.viewport.top + 10)
    if card is not None:
        placer.reserve(card.get_rect(topleft=clock_at))
    for rect in keep_clear:
        placer.reserve(rect)
    drawn = Drawn()
    heads: dict[str, tuple[int, int]] = {}
    order: list[str] = []
    for name in sorted(points, key=lambda n: (points[n][1], n)):
        rect = _draw_resident(surface, view, scene, name, frame.agents[name], points[name], size)
        if not rect.colliderect(camera.viewport):
            continue  # off screen: no label dragged in from the edge
        order.append(name)
        drawn.residents.append(ResidentHit(name, rect))
        heads[name] = (rect.centerx, rect.top)
        placer.reserve(pygame.Rect(rect.x + rect.width // 4, rect.y + rect.height // 3,
                                   rect.width // 2, rect.height // 2))
    _draw_object_tags(surface, placer, scene, camera, frame)
    # Labels go on their own layer, blitted after the bubbles: a bubble pushed away from a
    # crowd keeps its tail to the speaker, and the tail then passes under the names.
    labels = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    labels.set_clip(camera.viewport)
    for name in sorted(order, key=lambda n: (n != view.selected, -heads[n][1], n)):
        agent = frame.agents[name]
        highlighted = name in (view.selected, view.hovered)
        shown = name if camera.zoom >= FULL_NAMES_ZOOM or highlighted else name.split()[0]
        action = agent.action if (camera.zoom >= SHOW_ACTIONS_ZOOM or highlighted) else None
        drawn.labels[name] = draw_label(
            labels, placer,
            Label(shown, (heads[name][0], heads[name][1] - 2), agent.pictogram, action or None,
                  highlighted))
    for name in order:
        agent = frame.agents[name]
        if agent.utterance:
            drawn.bubbles[name] = draw_bubble(surface, placer, agent.utterance,
                                              drawn.labels[name].midtop)
    surface.blit(labels, (0, 0))
    surface.set_clip(previous_clip)
    if card is not None:
        surface.blit(card, clock_at)
    return drawn


def _draw_resident(surface: pygame.Surface, view: ViewState, scene: Scene, name: str,
                   agent: AgentFrame, point: WorldPoint, size: int) -> pygame.Rect:
    """The sprite (with a ring when selected, 'Zz' when asleep); returns its screen rect."""
    left, top = view.camera.world_to_screen(point)
    sprite = resident_sprite(scene.look(name), size, agent.asleep)
    rect = sprite.get_rect(topleft=(round(left), round(top - HEAD_ROOM * size)))
    if name in (view.selected, view.hovered):
        ring = pygame.Rect(0, 0, round(size * 0.8), max(4, round(size * 0.28)))
        ring.center = (rect.centerx, rect.bottom - round(size * 0.08))
        pygame.draw.ellipse(surface, ACCENT, ring, max(2, size // 14))
    surface.blit(sprite, rect)
    if agent.asleep:
        face = font(max(12, size // 2), bold=True)
        for i, letter in enumerate("zZ"):
            image = face.render(letter, True, SLEEP_COLOUR)
            surface.blit(image, (rect.right - size // 6 + i * size // 5,
                                 rect.top - i * size // 5))
    return rect


def _draw_object_tags(surface: pygame.Surface, placer: Placer, scene: Scene, camera: Camera,
                      frame: Frame) -> None:
    """Tags for objects whose state differs from their idle state (what others would notice)."""
    town = scene.town
    for address_text, state in sorted(frame.object_states.items()):
        try:
            address = town.resolve(address_text)
        except ValueError:
            continue
        if address not in town:
            continue
        place = town.place(address)
        if state == (place.state or "idle"):
            continue
        xs = [x for x, _ in place.tiles]
        top = min(y for _, y in place.tiles)
        x, y = camera.world_to_screen(((min(xs) + max(xs) + 1) / 2 * town.tile_width,
                                       top * town.tile_height))
        if not camera.viewport.collidepoint(x, y):
            continue
        draw_tag(surface, placer, f"{address.name}: {state}", (round(x), round(y)))
