"""Turn a `TownPlan` into a Tiled `.tmj`: deterministic, so regenerating gives the same bytes.

Order of drawing: grass, painted patches, roads, buildings (floors, walls,
doors, furniture), outdoor areas, loose decor, paths from the doors to the
nearest paving, the ring of trees, street lamps, scattered trees. Then every
walkable tile must be reachable from every other, or the plan is refused.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np

from world.art import jsonfmt
from world.art.canvas import LAYERS, Canvas, PlaceRect, PlanError
from world.art.plan import Area, Building, Item, Room, Scatter, TownPlan
from world.art.roads import draw_roads
from world.art.tileset import FORMAT_VERSION, NAME, TILE, TILED_VERSION, TileSheet, sheet
from world.grid import Tile, TileGrid

FLOWER_SHARE = 0.05
MAX_PATH = 24


def generate(plan: TownPlan, tiles: TileSheet | None = None) -> dict[str, Any]:
    """The Tiled map document for `plan`; PlanError if the plan is inconsistent."""
    canvas = Canvas(plan.width, plan.height, tiles or sheet())
    rng = random.Random(plan.seed)
    for y in range(plan.height):
        for x in range(plan.width):
            canvas.set_ground(x, y, "grass flowers" if rng.random() < FLOWER_SHARE else "grass")
    for patch in plan.patches:
        canvas.fill_ground(patch.piece, patch.x, patch.y, patch.w, patch.h)
    draw_roads(canvas, plan.roads)
    for building in plan.buildings:
        _draw_building(canvas, building)
    _draw_walls(canvas, plan.buildings)
    for area in plan.areas:
        _draw_area(canvas, area)
    for item in plan.decor:
        canvas.stamp(item, 0, 0)
    for building in plan.buildings:
        _draw_door_paths(canvas, building)
    _draw_border(canvas, plan.border, rng)
    _draw_lamps(canvas, plan)
    for index, scatter in enumerate(plan.scatter):
        _scatter(canvas, scatter, random.Random(plan.seed * 1000 + index))
    _check_connected(canvas)
    return _document(plan, canvas)


def write_map(plan: TownPlan, directory: Path) -> Path:
    """Write `<plan.name>.tmj` (referring to the tileset in the same directory)."""
    path = directory / f"{plan.name}.tmj"
    path.write_text(jsonfmt.dumps(generate(plan), row=plan.width), encoding="utf-8")
    return path


# -- buildings ---------------------------------------------------------------------------


def _draw_building(canvas: Canvas, b: Building) -> None:
    what = f"building {b.sector!r}"
    canvas.check_inside(b.x, b.y, b.w, b.h, what)
    if canvas.building[b.y : b.y + b.h, b.x : b.x + b.w].any():
        raise PlanError(f"{what}: overlaps another building")
    canvas.building[b.y : b.y + b.h, b.x : b.x + b.w] = True
    canvas.add_place(PlaceRect("sectors", b.sector, b.x, b.y, b.w, b.h))
    floor = np.zeros((b.h, b.w), dtype=bool)
    for room in b.rooms:
        if room.x < 1 or room.y < 1 or room.x + room.w > b.w - 1 or room.y + room.h > b.h - 1:
            raise PlanError(f"{what}: room {room.arena!r} is not inside the outer walls")
        if floor[room.y : room.y + room.h, room.x : room.x + room.w].any():
            raise PlanError(f"{what}: room {room.arena!r} overlaps another room")
        floor[room.y : room.y + room.h, room.x : room.x + room.w] = True
        _draw_room(canvas, room, b.x, b.y, f"{what}, room {room.arena!r}")
    for dx, dy in b.doors:
        if not (0 <= dx < b.w and 0 <= dy < b.h) or floor[dy, dx]:
            raise PlanError(f"{what}: door ({dx}, {dy}) is not in a wall")
        # A door in a horizontal wall has wall to its left and right.
        left = dx > 0 and not floor[dy, dx - 1] and (dx - 1, dy) not in b.doors
        right = dx < b.w - 1 and not floor[dy, dx + 1] and (dx + 1, dy) not in b.doors
        canvas.set_ground(b.x + dx, b.y + dy, f"door {b.style} {'h' if left and right else 'v'}")
    for item in b.decor:
        canvas.stamp(item, b.x, b.y)


def _draw_room(canvas: Canvas, room: Room, ox: int, oy: int, what: str) -> None:
    x, y = room.x + ox, room.y + oy
    if room.floor is not None:
        canvas.fill_ground(room.floor, x, y, room.w, room.h)
    canvas.add_place(PlaceRect("arenas", room.arena, x, y, room.w, room.h))
    objects: dict[str, tuple[int, int, int, int]] = {}
    for item in room.items:
        iw, ih = canvas.size_of(item)
        inside = room.x <= item.x and item.x + iw <= room.x + room.w
        if not (inside and room.y <= item.y and item.y + ih <= room.y + room.h):
            raise PlanError(f"{what}: {item.piece!r} at ({item.x}, {item.y}) is not in the room")
        rect = canvas.stamp(item, ox, oy)
        if item.name is not None:
            objects[item.name] = _union(objects[item.name], rect) if item.name in objects else rect
    for name, (rx, ry, rw, rh) in objects.items():
        canvas.add_place(PlaceRect("objects", name, rx, ry, rw, rh))
    if room.spawn is not None:
        sx, sy = room.spawn[0] + ox, room.spawn[1] + oy
        if not (x <= sx < x + room.w and y <= sy < y + room.h) or canvas.blocked[sy, sx]:
            raise PlanError(f"{what}: spawn {room.spawn} is not on a free tile of the room")
        canvas.add_place(PlaceRect("spawns", room.arena, sx, sy, point=True))


def _union(
    a: tuple[int, int, int, int], b: tuple[int, int, int, int]
) -> tuple[int, int, int, int]:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def _draw_walls(canvas: Canvas, buildings: tuple[Building, ...]) -> None:
    """Every building tile that is neither floor nor door becomes wall.

    A wall with no wall below it shows its front face; the outer walls'
    faces get a window every third tile, away from corners and doors.
    """
    door_gids = {
        canvas.gid(f"door {b.style} {side}") for b in buildings for side in ("h", "v")
    }
    floors = {canvas.gid(room.floor) for b in buildings for room in b.rooms if room.floor}
    open_cells = door_gids | floors
    wall = canvas.building & ~np.isin(canvas.ground, list(open_cells))
    for b in buildings:
        for y in range(b.y, b.y + b.h):
            for x in range(b.x, b.x + b.w):
                if not wall[y, x]:
                    continue
                below = y + 1 < canvas.height and wall[y + 1, x]
                part = "top" if below else "face"
                outer = y in (b.y, b.y + b.h - 1) and b.x < x < b.x + b.w - 1
                if part == "face" and outer and (x - b.x) % 3 == 2:
                    part = "window" if wall[y, x - 1] and wall[y, x + 1] else part
                canvas.set_ground(x, y, f"wall {b.style} {part}")


def _draw_door_paths(canvas: Canvas, b: Building) -> None:
    """A dirt path from each outside door straight out to the nearest paving."""
    for dx, dy in b.doors:
        if dy in (0, b.h - 1):
            step = (0, -1 if dy == 0 else 1)
        elif dx in (0, b.w - 1):
            step = (-1 if dx == 0 else 1, 0)
        else:
            continue  # a door between two rooms
        x, y = b.x + dx + step[0], b.y + dy + step[1]
        cells: list[Tile] = []
        while canvas.is_free_grass((x, y)) and len(cells) < MAX_PATH:
            cells.append((x, y))
            x, y = x + step[0], y + step[1]
        for cx, cy in cells:
            canvas.set_ground(cx, cy, "path")


# -- outdoors ----------------------------------------------------------------------------


def _draw_area(canvas: Canvas, area: Area) -> None:
    canvas.check_inside(area.x, area.y, area.w, area.h, f"area {area.sector!r}")
    canvas.add_place(PlaceRect("sectors", area.sector, area.x, area.y, area.w, area.h))
    for room in area.arenas:
        _draw_room(canvas, room, area.x, area.y, f"area {area.sector!r}, {room.arena!r}")


def _draw_border(canvas: Canvas, pieces: tuple[str, ...], rng: random.Random) -> None:
    if not pieces:
        return
    w, h = canvas.width, canvas.height
    edge = [(x, 0) for x in range(w)] + [(x, h - 1) for x in range(w)]
    edge += [(0, y) for y in range(1, h - 1)] + [(w - 1, y) for y in range(1, h - 1)]
    for x, y in edge:
        if canvas.is_free_grass((x, y)):
            canvas.stamp(Item(rng.choice(pieces), x, y), 0, 0)


def _draw_lamps(canvas: Canvas, plan: TownPlan) -> None:
    """Lamp posts on the grass verge beside each road, every `plan.lamp_every` tiles."""
    if plan.lamp_every <= 0:
        return
    for road in plan.roads:
        for along in range(road.start + 2, road.end - 1, plan.lamp_every):
            for across in (road.at - 1, road.at + 4):
                x, y = (along, across) if road.horizontal else (across, along)
                canvas.place_free("lamp post", x, y)


def _scatter(canvas: Canvas, scatter: Scatter, rng: random.Random) -> None:
    """Up to `scatter.count` pieces at random free spots (a bounded number of tries)."""
    placed, tries = 0, 0
    while placed < scatter.count and tries < scatter.count * 40:
        tries += 1
        x, y = scatter.x + rng.randrange(scatter.w), scatter.y + rng.randrange(scatter.h)
        placed += canvas.place_free(rng.choice(scatter.pieces), x, y)


def _check_connected(canvas: Canvas) -> None:
    """Refuse a plan where some walkable tile cannot be reached from the others."""
    regions = TileGrid(~canvas.blocked).regions
    if regions.max() <= 1:
        return
    sizes = np.bincount(regions.ravel())[1:]
    smallest = int(np.argmin(sizes)) + 1
    y, x = (int(v) for v in np.argwhere(regions == smallest)[0])
    where = [p for p in canvas.places if p.x <= x < p.x + p.w and p.y <= y < p.y + p.h]
    inside = f" in {where[-1].layer[:-1]} {where[-1].name!r}" if where else ""
    raise PlanError(
        f"walkable tiles are cut off from each other: {int(sizes[smallest - 1])} "
        f"around ({x}, {y}){inside} (a blocked door or a ring of furniture?)"
    )


# -- output ------------------------------------------------------------------------------


def _document(plan: TownPlan, canvas: Canvas) -> dict[str, Any]:
    blocked_gid = canvas.gid("blocked")
    grids = {
        "ground": canvas.ground,
        "decor": canvas.decor,
        "collision": np.where(canvas.blocked, blocked_gid, 0),
    }
    layers: list[dict[str, Any]] = []
    for name, grid in grids.items():
        layers.append(
            {
                "data": [int(v) for v in grid.ravel()],
                "height": plan.height,
                "id": len(layers) + 1,
                "name": name,
                "opacity": 1,
                "type": "tilelayer",
                "visible": name != "collision",
                "width": plan.width,
                "x": 0,
                "y": 0,
            }
        )
    next_object = 1
    for layer_name in LAYERS:
        objects = []
        for place in (p for p in canvas.places if p.layer == layer_name):
            objects.append(_object(place, next_object))
            next_object += 1
        layers.append(
            {
                "draworder": "topdown",
                "id": len(layers) + 1,
                "name": layer_name,
                "objects": objects,
                "opacity": 1,
                "type": "objectgroup",
                "visible": layer_name != "arenas",
                "x": 0,
                "y": 0,
            }
        )
    return {
        "compressionlevel": -1,
        "height": plan.height,
        "infinite": False,
        "layers": layers,
        "nextlayerid": len(layers) + 1,
        "nextobjectid": next_object,
        "orientation": "orthogonal",
        "properties": [{"name": "world", "type": "string", "value": plan.world}],
        "renderorder": "right-down",
        "tiledversion": TILED_VERSION,
        "tileheight": TILE,
        "tilesets": [{"firstgid": 1, "source": f"{NAME}.tsj"}],
        "tilewidth": TILE,
        "type": "map",
        "version": FORMAT_VERSION,
        "width": plan.width,
    }


def _object(place: PlaceRect, object_id: int) -> dict[str, Any]:
    if place.point:
        x, y, w, h = place.x * TILE + TILE // 2, place.y * TILE + TILE // 2, 0, 0
    else:
        x, y, w, h = place.x * TILE, place.y * TILE, place.w * TILE, place.h * TILE
    obj: dict[str, Any] = {
        "height": h,
        "id": object_id,
        "name": place.name,
        "rotation": 0,
        "type": "",
        "visible": True,
        "width": w,
        "x": x,
        "y": y,
    }
    if place.point:
        obj["point"] = True
    return obj
