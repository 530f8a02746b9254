"""The generated tileset and maps: deterministic, loadable, complete, drawn at the right size."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from world.art import jsonfmt
from world.art.canvas import PlanError, stretch
from world.art.mapgen import generate
from world.art.paint import pygame
from world.art.plan import Building, Item, Room, TownPlan
from world.art.render import draw_tile_layers, map_surface, render_map_png
from world.art.shipped import MAPS_DIR, regenerate
from world.art.tileset import sheet
from world.tiled import load_town
from world.town import Town

TILE = 32


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("maps")
    regenerate(directory)
    return directory


@pytest.fixture(scope="module")
def smallville() -> Town:
    return load_town(MAPS_DIR / "smallville.tmj")


@pytest.fixture(scope="module")
def tiny() -> Town:
    return load_town(MAPS_DIR / "tiny.tmj")


def _pixels(path: Path) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(path) as image:
        return image.mode, image.size, image.tobytes()


@pytest.mark.parametrize("name", ["smallville.tmj", "tiny.tmj", "town_tiles.tsj"])
def test_regenerating_gives_the_committed_bytes(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (MAPS_DIR / name).read_bytes()


def test_regenerating_gives_the_committed_tileset_pixels(regenerated: Path) -> None:
    # Pixels, not bytes: PNG compression may differ between Pillow/zlib builds.
    assert _pixels(regenerated / "town_tiles.png") == _pixels(MAPS_DIR / "town_tiles.png")


def test_tileset_json_describes_its_image() -> None:
    tsj = json.loads((MAPS_DIR / "town_tiles.tsj").read_text(encoding="utf-8"))
    with Image.open(MAPS_DIR / tsj["image"]) as image:
        width, height = image.size
    assert (tsj["imagewidth"], tsj["imageheight"]) == (width, height)
    assert tsj["tilewidth"] == tsj["tileheight"] == TILE
    assert tsj["columns"] == width // TILE
    assert tsj["tilecount"] == (width // TILE) * (height // TILE)
    ids = [tile["id"] for tile in tsj["tiles"]]
    assert len(ids) == len(set(ids)) and all(0 <= i < tsj["tilecount"] for i in ids)
    assert {"grass", "bed", "stove", "fountain", "blocked"} <= {t["type"] for t in tsj["tiles"]}


def test_ground_tiles_are_opaque() -> None:
    tiles = sheet()
    image = tiles.draw()
    for name, piece in tiles.pieces.items():
        if piece.layer != "ground":
            continue
        col, row = tiles.origin[name]
        w, h = piece.size
        area = image.subsurface(pygame.Rect(col * TILE, row * TILE, w * TILE, h * TILE))
        assert pygame.mask.from_surface(area, 254).count() == w * h * TILE * TILE, name


def test_rendered_png_has_the_maps_size(tmp_path: Path, tiny: Town) -> None:
    out = render_map_png(MAPS_DIR / "tiny.tmj", tmp_path / "tiny.png", scale=0.25)
    with Image.open(out) as image:
        assert image.size == (tiny.width * 8, tiny.height * 8)
        assert len(image.getcolors(maxcolors=1 << 16) or ()) > 50  # really drawn, not blank


def test_drawing_a_window_matches_the_whole_picture(tiny: Town) -> None:
    whole = map_surface(tiny, tiny.width, tiny.height, scale=0.5)
    window = pygame.Surface((160, 96))
    window.fill((0, 0, 0))
    draw_tile_layers(window, tiny, scale=0.5, origin=(-5 * 16, -3 * 16))
    expected = whole.subsurface(pygame.Rect(80, 48, 160, 96))
    assert pygame.image.tobytes(window, "RGB") == pygame.image.tobytes(expected, "RGB")


SMALLVILLE_PLACES = {
    "Hobbs Cafe:cafe": ["counter", "coffee machine", "cafe table 1", "cafe table 3"],
    "Hobbs Cafe:kitchen": ["stove", "fridge", "sink"],
    "The Rose and Crown Pub:pub": ["bar counter", "pub table 1", "pub table 2", "piano"],
    "Oak Hill College:classroom": ["blackboard", "student desks"],
    "Oak Hill College:library": ["bookshelf", "reading table"],
    "Oak Hill College:hallway": ["notice board"],
    "Oak Hill College Dorm:common room": ["sofa", "tv"],
    "Oak Hill College Dorm:bathroom": ["shower", "sink", "toilet"],
    "Harvey Oak Supply Store:supply store": ["shelves", "checkout counter"],
    "The Willows Market and Pharmacy:market": ["grocery shelves", "checkout counter"],
    "The Willows Market and Pharmacy:pharmacy": ["pharmacy counter", "medicine shelves"],
    "Johnson Park:park": ["bench", "fountain", "garden"],
    "Town Hall:meeting hall": ["podium", "chairs"],
    "Lin family house:Eddy's bedroom": ["bed", "piano"],
    "Lin family house:kitchen": ["stove", "fridge", "dining table"],
    "Lin family house:living room": ["sofa"],
    "Moore family house:Sam and Jennifer's bedroom": ["bed", "easel"],
    "Artists' co-living space:common room": ["sofa", "easel"],
    "Taylor and Ortiz house:Carmen's bedroom": ["bed", "desk"],
    "Ryan Park's apartment:bathroom": ["shower", "sink", "toilet"],
}


@pytest.mark.parametrize("arena", sorted(SMALLVILLE_PLACES))
def test_smallville_has_the_scenarios_places(smallville: Town, arena: str) -> None:
    for name in SMALLVILLE_PLACES[arena]:
        smallville.require(f"{arena}:{name}", "test")


def test_smallville_has_a_spawn_in_every_bedroom(smallville: Town) -> None:
    assert (smallville.width, smallville.height) == (100, 70)
    assert smallville.world == "town"
    arenas_with_beds = {p.address.parent for p in smallville.objects() if p.address.name == "bed"}
    spawned = {spawn.address for spawn in smallville.spawns}
    assert spawned == arenas_with_beds
    assert len(spawned) == 22
    assert all(s.name == s.address.name for s in smallville.spawns)


def test_tiny_has_three_bedrooms_and_the_cafe(tiny: Town) -> None:
    assert (tiny.width, tiny.height) == (30, 20)
    assert sorted(s.name for s in tiny.spawns) == [
        "Isabella's bedroom", "Maria's bedroom", "Sam's bedroom"
    ]
    for place in ("Hobbs Cafe:cafe:cafe table 1", "Shared house:bathroom:sink",
                  "Johnson Park:park:fountain", "Shared house:kitchen:fridge"):
        tiny.require(place, "test")


def test_every_walkable_tile_is_reachable(smallville: Town, tiny: Town) -> None:
    for town in (smallville, tiny):
        regions = town.grid.regions
        assert set(np.unique(regions[regions > 0]).tolist()) == {1}


# -- the generator refuses bad plans -----------------------------------------------------


def _one_room(*items: Item, doors: tuple[tuple[int, int], ...] = ((2, 4),)) -> TownPlan:
    room = Room("room", 1, 1, 4, 3, "floor wood", items, spawn=(1, 3))
    house = Building("House", 2, 2, 6, 5, "brick", (room,), doors)
    return TownPlan("test", 12, 10, seed=1, buildings=(house,), border=(), lamp_every=0)


def test_a_good_plan_makes_a_map() -> None:
    document = generate(_one_room(Item("bed", 1, 1, "bed")))
    objects = {layer["name"]: layer for layer in document["layers"]}["objects"]["objects"]
    assert [(o["name"], o["x"], o["y"], o["width"], o["height"]) for o in objects] == [
        ("bed", 3 * TILE, 3 * TILE, TILE, 2 * TILE)
    ]


@pytest.mark.parametrize(
    ("plan", "problem"),
    [
        (_one_room(Item("bed", 1, 1), Item("desk", 1, 2)), "already has decor"),
        (_one_room(Item("bed", 4, 3)), "is not in the room"),
        (_one_room(doors=((2, 2),)), "is not in a wall"),
        (_one_room(doors=()), "cut off"),
        (_one_room(Item("no such piece", 1, 1)), "no piece"),
    ],
)
def test_a_bad_plan_is_refused(plan: TownPlan, problem: str) -> None:
    with pytest.raises(PlanError, match=problem):
        generate(plan)


def test_stretching_pieces() -> None:
    assert stretch(3, 5, "counter") == [0, 1, 1, 1, 2]
    assert stretch(3, 2, "counter") == [0, 2]
    assert stretch(1, 3, "hedge") == [0, 0, 0]
    assert stretch(2, 2, "sofa") == [0, 1]
    with pytest.raises(PlanError):
        stretch(2, 3, "sofa")


def test_json_rows_wrap_and_round_trip() -> None:
    value = {"b": [1, 2, 3, 4, 5, 6], "a": {"name": "Eddy's bedroom", "ok": True}}
    text = jsonfmt.dumps(value, row=3)
    assert json.loads(text) == value
    assert "\n  1,2,3,\n  4,5,6\n" in text
    assert text.index('"a"') < text.index('"b"')
