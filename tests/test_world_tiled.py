"""Loading towns from Tiled JSON: round trip, encodings, and one clear error per malformation."""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from world.address import Address
from world.errors import MapError, UnknownPlaceError
from world.tiled import load_town

T = 16  # tile size of the test maps, in pixels
ROWS = [
    "##########",
    "#....#...#",
    "#....#...#",
    "#........#",
    "##########",
]
W, H = len(ROWS[0]), len(ROWS)
FIXTURES = Path(__file__).parent / "fixtures" / "maps"


def rect(oid: int, name: str, x: float, y: float, w: float, h: float, **props: str) -> dict:
    obj: dict[str, Any] = {"id": oid, "name": name, "x": x * T, "y": y * T}
    obj |= {"width": w * T, "height": h * T}
    if props:
        obj["properties"] = [{"name": k, "type": "string", "value": v} for k, v in props.items()]
    return obj


def point(oid: int, name: str, x: int, y: int) -> dict:
    return {"id": oid, "name": name, "point": True, "x": (x + 0.5) * T, "y": (y + 0.5) * T}


def tile_layer(name: str, data: list[int]) -> dict:
    return {"type": "tilelayer", "name": name, "width": W, "height": H, "data": data}


def object_layer(name: str, objects: list[dict]) -> dict:
    return {"type": "objectgroup", "name": name, "objects": objects}


GROUND = [1] * (W * H)
DECOR = [0] * (W * H)
DECOR[W + 1] = 2
COLLISION = [2 if c == "#" else 0 for row in ROWS for c in row]


def map_data() -> dict[str, Any]:
    """A two-building map: a cafe (with a counter) and a house (with a bedroom and a bed)."""
    return {
        "type": "map",
        "orientation": "orthogonal",
        "infinite": False,
        "width": W,
        "height": H,
        "tilewidth": T,
        "tileheight": T,
        "properties": [{"name": "world", "type": "string", "value": "village"}],
        "tilesets": [{"firstgid": 1, "source": "tiles.tsj"}],
        "layers": [
            tile_layer("ground", GROUND),
            tile_layer("decor", DECOR),
            tile_layer("collision", COLLISION),
            object_layer(
                "sectors", [rect(1, "Hobbs Cafe", 0, 0, 5, 5), rect(2, "Lin house", 5, 0, 5, 5)]
            ),
            object_layer(
                "arenas", [rect(3, "cafe", 1, 1, 4, 3), rect(4, "Eddy's bedroom", 6, 1, 3, 3)]
            ),
            object_layer(
                "objects",
                [rect(5, "counter", 1, 1, 2, 1, state="empty"), rect(6, "bed", 8, 1, 1, 1)],
            ),
            object_layer("spawns", [point(7, "Isabella", 2, 3), point(8, "Eddy", 7, 2)]),
        ],
    }


def write(directory: Path, data: dict[str, Any] | str, *, tileset: bool = True) -> Path:
    """Write the map (and unless told otherwise its tileset and image) into `directory`."""
    if tileset:
        tsj = {"name": "tiles", "image": "tiles.png", "imagewidth": 2 * T, "imageheight": T}
        tsj |= {"columns": 2, "tilecount": 2, "tilewidth": T, "tileheight": T}
        (directory / "tiles.tsj").write_text(json.dumps(tsj))
        (directory / "tiles.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # only its presence matters
    path = directory / "m.tmj"
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1))
    return path


def layer(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(item for item in data["layers"] if item["name"] == name)


def load_error(tmp_path: Path, data: dict[str, Any] | str, **kwargs: bool) -> str:
    with pytest.raises(MapError) as caught:
        load_town(write(tmp_path, data, **kwargs))
    message = str(caught.value)
    assert message.startswith("m.tmj: ") and "\n" not in message, message
    return message


def test_round_trip_grid_places_spawns_layers(tmp_path: Path) -> None:
    town = load_town(write(tmp_path, map_data()))
    expected = np.array([[c != "#" for c in row] for row in ROWS])
    assert town.world == "village" and (town.width, town.height) == (W, H)
    assert np.array_equal(town.grid.walkable, expected)
    assert [str(p.address) for p in town.places] == [
        "village:Hobbs Cafe",
        "village:Hobbs Cafe:cafe",
        "village:Hobbs Cafe:cafe:counter",
        "village:Lin house",
        "village:Lin house:Eddy's bedroom",
        "village:Lin house:Eddy's bedroom:bed",
    ]
    cafe = town.place(Address("village", "Hobbs Cafe", "cafe"))
    assert cafe.tiles == {(x, y) for x in range(1, 5) for y in range(1, 4)}
    counter = town.place(Address("village", "Hobbs Cafe", "cafe", "counter"))
    assert counter.tiles == {(1, 1), (2, 1)} and counter.state == "empty"
    assert town.place(Address("village", "Lin house", "Eddy's bedroom", "bed")).state == "idle"
    assert [(s.name, s.tile, str(s.address)) for s in town.spawns] == [
        ("Isabella", (2, 3), "village:Hobbs Cafe:cafe"),
        ("Eddy", (7, 2), "village:Lin house:Eddy's bedroom"),
    ]
    assert [tl.name for tl in town.tile_layers] == ["ground", "decor"]
    assert town.tile_layers[1].gids.shape == (H, W)
    assert town.tile_layers[1].gids.ravel().tolist() == DECOR
    (tileset,) = town.tilesets
    assert (tileset.first_gid, tileset.columns, tileset.tile_count) == (1, 2, 2)
    assert tileset.image == (tmp_path / "tiles.png").resolve()
    assert tileset.source_rect(2) == (T, 0, T, T)
    assert town.tileset_for(2) is tileset and (town.tile_width, town.tile_height) == (T, T)


def test_committed_fixture_loads() -> None:
    town = load_town(FIXTURES / "mini.tmj")
    assert (town.width, town.height) == (16, 10)
    assert Address.parse("town:Hobbs Cafe:cafe:coffee machine") in town
    assert {s.name for s in town.spawns} == {"Isabella Rodriguez", "Eddy Lin"}


def test_base64_zlib_layers_and_groups_load_like_csv(tmp_path: Path) -> None:
    data = map_data()
    collision = layer(data, "collision")
    raw = np.array(COLLISION, dtype="<u4").tobytes()
    collision |= {"encoding": "base64", "compression": "zlib"}
    collision["data"] = base64.b64encode(zlib.compress(raw)).decode()
    places = [item for item in data["layers"] if item["type"] == "objectgroup"]
    data["layers"] = [item for item in data["layers"] if item["type"] != "objectgroup"]
    data["layers"].append({"type": "group", "name": "places", "layers": places})
    town = load_town(write(tmp_path, data))
    (tmp_path / "plain").mkdir()
    plain = load_town(write(tmp_path / "plain", map_data()))
    assert np.array_equal(town.grid.walkable, plain.grid.walkable)
    assert [p.address for p in town.places] == [p.address for p in plain.places]


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    message = load_error(tmp_path, '{\n  "width": 3,\n  oops\n}')
    assert "not valid JSON" in message and "line 3, column 3" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MapError, match=r"^nowhere.tmj: cannot read"):
        load_town(tmp_path / "nowhere.tmj")


@pytest.mark.parametrize("name", ["collision", "ground"])
def test_missing_tile_layer(tmp_path: Path, name: str) -> None:
    data = map_data()
    data["layers"].remove(layer(data, name))
    message = load_error(tmp_path, data)
    assert re.search(rf"layer '{name}': missing \(tile layers found: .*decor", message)


def test_missing_object_layer(tmp_path: Path) -> None:
    data = map_data()
    data["layers"].remove(layer(data, "spawns"))
    assert "layer 'spawns': missing (object layers found: sectors, arenas, objects)" in (
        load_error(tmp_path, data)
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"orientation": "isometric"}, "orientation 'isometric': must be 'orthogonal'"),
        ({"infinite": True}, "infinite map"),
        ({"width": 0}, "'width' must be a positive integer"),
    ],
)
def test_bad_map_header(tmp_path: Path, change: dict[str, Any], expected: str) -> None:
    assert expected in load_error(tmp_path, map_data() | change)


def test_missing_tileset_file(tmp_path: Path) -> None:
    message = load_error(tmp_path, map_data(), tileset=False)
    assert "tileset 'tiles.tsj': cannot read" in message


def test_missing_tileset_image(tmp_path: Path) -> None:
    path = write(tmp_path, map_data())
    (tmp_path / "tiles.png").unlink()
    with pytest.raises(MapError, match=r"^m.tmj: tileset 'tiles.tsj': image 'tiles.png' not found"):
        load_town(path)


def test_xml_tileset_is_refused(tmp_path: Path) -> None:
    data = map_data()
    data["tilesets"] = [{"firstgid": 1, "source": "tiles.tsx"}]
    assert "XML tilesets are not supported" in load_error(tmp_path, data)


def test_tile_of_no_tileset(tmp_path: Path) -> None:
    data = map_data()
    layer(data, "decor")["data"] = [0] * (W * 2) + [9] + [0] * (W * H - W * 2 - 1)
    assert "layer 'decor': tile 9 at (0, 2) belongs to no tileset" in load_error(tmp_path, data)


def test_wrong_tile_count(tmp_path: Path) -> None:
    data = map_data()
    layer(data, "ground")["data"] = [1] * 7
    assert "layer 'ground': 7 tiles, expected 10x5 = 50" in load_error(tmp_path, data)


def test_object_outside_map(tmp_path: Path) -> None:
    data = map_data()
    layer(data, "objects")["objects"].append(rect(42, "stove", 8, 4, 3, 1))
    assert "object 'stove' (layer 'objects', id 42): outside the map (10x5 tiles)" in (
        load_error(tmp_path, data)
    )


def test_arena_outside_any_sector(tmp_path: Path) -> None:
    data = map_data()
    layer(data, "sectors")["objects"].pop()  # the house goes; its bedroom stays
    message = load_error(tmp_path, data)
    assert "arena 'Eddy's bedroom' (layer 'arenas', id 4): not inside any sector" in message


def test_object_outside_any_arena(tmp_path: Path) -> None:
    data = map_data()
    layer(data, "objects")["objects"].append(rect(9, "lamp", 5, 3, 1, 1))
    message = load_error(tmp_path, data)
    assert "object 'lamp' (layer 'objects', id 9): not inside any arena" in message


def test_duplicate_names_at_one_level(tmp_path: Path) -> None:
    data = map_data()
    layer(data, "arenas")["objects"].append(rect(9, "cafe", 3, 3, 1, 1))
    message = load_error(tmp_path, data)
    assert "arena 'cafe' (layer 'arenas', id 9): duplicate name in village:Hobbs Cafe" in message
    assert "also layer 'arenas', id 3" in message


def test_same_name_in_different_parents_is_fine(tmp_path: Path) -> None:
    data = map_data()
    layer(data, "arenas")["objects"].append(rect(9, "cafe", 5, 3, 4, 1))
    town = load_town(write(tmp_path, data))
    assert Address("village", "Lin house", "cafe") in town


def test_place_no_spawn_can_reach(tmp_path: Path) -> None:
    data = map_data()
    collision = list(COLLISION)
    for y in range(1, 4):  # wall off the house
        collision[y * W + 5] = 2
    layer(data, "collision")["data"] = collision
    layer(data, "spawns")["objects"].pop()
    message = load_error(tmp_path, data)
    assert message == "m.tmj: sector 'Lin house' (layer 'sectors', id 2) at village:Lin house: " + (
        "no spawn can reach it"
    )


def test_place_one_spawn_cannot_reach(tmp_path: Path) -> None:
    data = map_data()
    collision = list(COLLISION)
    for y in range(1, 4):
        collision[y * W + 5] = 2
    layer(data, "collision")["data"] = collision
    message = load_error(tmp_path, data)
    assert message.endswith("spawn 'Eddy' at (7, 2) cannot reach it")


def test_object_with_no_walkable_tile_near(tmp_path: Path) -> None:
    data = map_data()
    collision = list(COLLISION)
    for x, y in [(8, 1), (7, 1), (8, 2)]:  # block the bed and the floor beside it
        collision[y * W + x] = 2
    layer(data, "collision")["data"] = collision
    message = load_error(tmp_path, data)
    assert "object 'bed' (layer 'objects', id 6): no walkable tile inside or next to it" in message


def test_spawn_on_blocked_tile(tmp_path: Path) -> None:
    data = map_data()
    layer(data, "spawns")["objects"].append(point(9, "ghost", 0, 0))
    assert "spawn 'ghost' (layer 'spawns', id 9): on a blocked tile (0, 0)" in (
        load_error(tmp_path, data)
    )


def test_no_spawns(tmp_path: Path) -> None:
    data = map_data()
    layer(data, "spawns")["objects"] = []
    assert "layer 'spawns': no spawn points" in load_error(tmp_path, data)


def test_bad_names_and_shapes(tmp_path: Path) -> None:
    data = map_data()
    layer(data, "sectors")["objects"][0]["name"] = "Hobbs: Cafe"
    assert "sector 'Hobbs: Cafe' (layer 'sectors', id 1): name" in load_error(tmp_path, data)
    data = map_data()
    polygon = rect(9, "pond", 6, 1, 1, 1) | {"polygon": [{"x": 0, "y": 0}]}
    layer(data, "objects")["objects"].append(polygon)
    assert "a polygon; only rectangles and points are supported" in load_error(tmp_path, data)


def test_tile_object_is_anchored_bottom_left(tmp_path: Path) -> None:
    data = map_data()
    lamp = rect(9, "lamp", 6, 3, 1, 1) | {"gid": 1}  # Tiled's y is the bottom edge
    layer(data, "objects")["objects"].append(lamp)
    town = load_town(write(tmp_path, data))
    assert town.tiles_of(Address("village", "Lin house", "Eddy's bedroom", "lamp")) == {(6, 2)}


def test_require_finds_places_and_explains_misses(tmp_path: Path) -> None:
    town = load_town(write(tmp_path, map_data()))
    assert town.require("village:Hobbs Cafe:cafe", "home") == Address(
        "village", "Hobbs Cafe", "cafe"
    )
    assert town.require("Hobbs Cafe:cafe:counter", "x") == Address(
        "village", "Hobbs Cafe", "cafe", "counter"
    )
    with pytest.raises(UnknownPlaceError) as caught:
        town.require("Hobbs Cafe:caffe", "scenario.toml: resident 'Eddy': home")
    assert str(caught.value) == (
        "scenario.toml: resident 'Eddy': home: no place 'village:Hobbs Cafe:caffe' in m.tmj "
        "(did you mean 'village:Hobbs Cafe:cafe'?)"
    )
    with pytest.raises(UnknownPlaceError, match=r"village has: Hobbs Cafe, Lin house"):
        town.require("Mars", "x")
    with pytest.raises(UnknownPlaceError, match=r"its world is 'village'"):
        town.require(Address("town", "Hobbs Cafe"), "x")
    with pytest.raises(UnknownPlaceError, match=r"^x: address .*: more than 4 parts"):
        town.require("village:a:b:c:d", "x")
    assert isinstance(caught.value, ValueError)  # callers may catch ValueError
