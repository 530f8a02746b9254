"""Load a town from a Tiled JSON map (`.tmj`) and its `.tsj` tilesets.

The convention (layers, places, spawns) is described in world/maps/README.md;
this module only reads JSON and hands the rectangles to `world.layout`.
"""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from world.errors import MapError
from world.layout import DEFAULT_STATE, PlaceSpec, build_town
from world.places import Rect
from world.town import TileLayer, Tileset, Town

REQUIRED_TILE_LAYERS = ("ground", "collision")
REQUIRED_OBJECT_LAYERS = ("sectors", "spawns")
PLACE_LAYERS = ("sectors", "arenas", "objects", "spawns")
FLIP_FLAGS = 0xF0000000
DEFAULT_WORLD = "town"

Json = dict[str, Any]


def load_town(path: str | Path) -> Town:
    """Read and check a `.tmj` map; MapError naming the file and the problem if it is bad."""
    path = Path(path)
    name = path.name
    data = _read_json(path, name)
    if data.get("type", "map") != "map":
        raise MapError(f"{name}: not a Tiled map (type {data.get('type')!r})")
    if data.get("orientation") != "orthogonal":
        raise MapError(f"{name}: orientation {data.get('orientation')!r}: must be 'orthogonal'")
    if data.get("infinite", False):
        raise MapError(f"{name}: infinite map: save it as a finite map (Map > Map Properties)")
    width, height = _int(data, "width", name), _int(data, "height", name)
    tile_size = (_int(data, "tilewidth", name), _int(data, "tileheight", name))
    world = _property(data, "world", name, default=DEFAULT_WORLD)
    tilesets = tuple(
        _load_tileset(entry, path, tile_size) for entry in _list(data, "tilesets", name)
    )

    tile_layers: dict[str, Json] = {}
    object_layers: dict[str, Json] = {}
    for layer in _flatten(_list(data, "layers", name), name):
        kind = layer.get("type")
        layer_name = str(layer.get("name", ""))
        found = {"tilelayer": tile_layers, "objectgroup": object_layers}.get(str(kind))
        if found is None:
            continue
        if layer_name in tile_layers or layer_name in object_layers:
            raise MapError(f"{name}: layer '{layer_name}': more than one layer has this name")
        found[layer_name] = layer
    for required, found, kind in (
        *((layer, tile_layers, "tile") for layer in REQUIRED_TILE_LAYERS),
        *((layer, object_layers, "object") for layer in REQUIRED_OBJECT_LAYERS),
    ):
        if required not in found:
            listed = ", ".join(found) or "none"
            raise MapError(f"{name}: layer '{required}': missing ({kind} layers found: {listed})")
    for layer_name in PLACE_LAYERS:
        if layer_name in tile_layers:
            raise MapError(f"{name}: layer '{layer_name}': must be an object layer")

    gids = {
        layer_name: _decode_tiles(layer, name, width, height, tilesets)
        for layer_name, layer in tile_layers.items()
    }
    drawable = tuple(
        TileLayer(
            layer_name,
            gids[layer_name],
            visible=bool(layer.get("visible", True)),
            opacity=_opacity(layer, f"{name}: layer '{layer_name}'"),
        )
        for layer_name, layer in tile_layers.items()
        if layer_name != "collision"
    )
    specs = {
        layer_name: list(_place_specs(object_layers.get(layer_name), layer_name, name, tile_size))
        for layer_name in PLACE_LAYERS
    }
    return build_town(
        walkable=gids["collision"] == 0,
        sectors=specs["sectors"],
        arenas=specs["arenas"],
        objects=specs["objects"],
        spawns=specs["spawns"],
        world=world,
        source=name,
        path=path.resolve(),
        tile_layers=drawable,
        tilesets=tilesets,
        tile_size=tile_size,
    )


def _read_json(path: Path, name: str) -> Json:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MapError(f"{name}: cannot read: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MapError(
            f"{name}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    if not isinstance(data, dict):
        raise MapError(f"{name}: not valid: the top level must be a JSON object")
    return data


def _int(data: Json, key: str, what: str, default: int | None = None) -> int:
    """A positive integer field; with a `default`, an optional one that may also be 0."""
    value = data.get(key, default)
    least = 1 if default is None else 0
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        kind = "a positive integer" if least else "an integer, 0 or more"
        raise MapError(f"{what}: '{key}' must be {kind}, got {value!r}")
    return value


def _opacity(layer: Json, what: str) -> float:
    value = layer.get("opacity", 1.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise MapError(f"{what}: 'opacity' must be a number from 0 to 1, got {value!r}")
    return float(value)


def _list(data: Json, key: str, what: str) -> list[Json]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise MapError(f"{what}: '{key}' must be a list of objects")
    return value


def _property(data: Json, key: str, what: str, default: str) -> str:
    """A custom string property of a map or object (Tiled stores them as a list)."""
    for prop in _list(data, "properties", what):
        if prop.get("name") == key:
            value = prop.get("value")
            if not isinstance(value, str):
                raise MapError(f"{what}: property '{key}' must be a string, got {value!r}")
            return value
    return default


def _flatten(layers: list[Json], name: str) -> Iterator[Json]:
    """Layers in draw order, with group layers opened."""
    for layer in layers:
        if layer.get("type") == "group":
            what = f"{name}: group layer '{layer.get('name')}'"
            yield from _flatten(_list(layer, "layers", what), name)
        else:
            yield layer


def _load_tileset(entry: Json, map_path: Path, tile_size: tuple[int, int]) -> Tileset:
    name = map_path.name
    first_gid = entry.get("firstgid")
    if not isinstance(first_gid, int) or first_gid < 1:
        raise MapError(f"{name}: tileset entry without a valid 'firstgid': {entry!r}")
    if "source" in entry:
        source = str(entry["source"])
        what = f"{name}: tileset '{source}'"
        if source.endswith(".tsx"):
            raise MapError(f"{what}: XML tilesets are not supported; save it as JSON (.tsj)")
        tileset_path = map_path.parent / source
        try:
            data = json.loads(tileset_path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise MapError(f"{what}: cannot read: {exc.strerror or exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MapError(f"{what}: not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise MapError(f"{what}: not valid: the top level must be a JSON object")
        base = tileset_path.parent
    else:
        data, base = entry, map_path.parent
        what = f"{name}: tileset '{entry.get('name', first_gid)}'"
    if "image" not in data:
        raise MapError(f"{what}: no 'image' (image-collection tilesets are not supported)")
    image = base / str(data["image"])
    if not image.is_file():
        raise MapError(f"{what}: image '{data['image']}' not found (looked for {image})")
    tileset = Tileset(
        name=str(data.get("name", image.stem)),
        first_gid=first_gid,
        tile_count=_int(data, "tilecount", what),
        columns=_int(data, "columns", what),
        tile_width=_int(data, "tilewidth", what),
        tile_height=_int(data, "tileheight", what),
        image=image.resolve(),
        image_width=_int(data, "imagewidth", what),
        image_height=_int(data, "imageheight", what),
        margin=_int(data, "margin", what, default=0),
        spacing=_int(data, "spacing", what, default=0),
    )
    if (tileset.tile_width, tileset.tile_height) != tile_size:
        raise MapError(
            f"{what}: tiles are {tileset.tile_width}x{tileset.tile_height} pixels, "
            f"the map's are {tile_size[0]}x{tile_size[1]}"
        )
    return tileset


def _decode_tiles(
    layer: Json, name: str, width: int, height: int, tilesets: tuple[Tileset, ...]
) -> npt.NDArray[np.uint32]:
    """The layer's gids as a (height, width) array, checked against the tilesets."""
    what = f"{name}: layer '{layer.get('name')}'"
    data = layer.get("data")
    encoding = layer.get("encoding", "csv")
    if encoding == "csv" and isinstance(data, list):
        try:
            flat = np.array(data, dtype=np.uint32)
        except (TypeError, ValueError, OverflowError) as exc:
            raise MapError(f"{what}: tile data must be non-negative integers") from exc
    elif encoding == "base64" and isinstance(data, str):
        flat = np.frombuffer(_inflate(data, str(layer.get("compression", "")), what), "<u4")
    else:
        raise MapError(f"{what}: no tile data (encoding {encoding!r})")
    if flat.size != width * height:
        raise MapError(f"{what}: {flat.size} tiles, expected {width}x{height} = {width * height}")
    gids = flat.reshape(height, width).astype(np.uint32)
    flipped = np.argwhere(gids & np.uint32(FLIP_FLAGS))
    if flipped.size:
        y, x = (int(v) for v in flipped[0])
        raise MapError(f"{what}: flipped or rotated tile at {(x, y)} (not supported)")
    known = gids == 0
    for tileset in tilesets:
        known |= (gids >= tileset.first_gid) & (gids < tileset.first_gid + tileset.tile_count)
    unknown = np.argwhere(~known)
    if unknown.size:
        y, x = (int(v) for v in unknown[0])
        raise MapError(f"{what}: tile {int(gids[y, x])} at {(x, y)} belongs to no tileset")
    gids.flags.writeable = False
    return gids


def _inflate(data: str, compression: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(data, validate=True)
        if compression == "":
            return raw
        if compression == "zlib":
            return zlib.decompress(raw)
        if compression == "gzip":
            return gzip.decompress(raw)
    except (ValueError, zlib.error, OSError) as exc:
        raise MapError(f"{what}: corrupt tile data: {exc}") from exc
    raise MapError(f"{what}: compression {compression!r} is not supported (use CSV or zlib)")


def _place_specs(
    layer: Json | None, layer_name: str, name: str, tile_size: tuple[int, int]
) -> Iterator[PlaceSpec]:
    """The layer's objects as rectangles in tile units."""
    if layer is None:
        return
    tile_width, tile_height = tile_size
    for obj in _list(layer, "objects", f"{name}: layer '{layer_name}'"):
        origin = f"layer '{layer_name}', id {obj.get('id')}"
        kind = layer_name.rstrip("s")
        what = f"{name}: {kind} '{obj.get('name', '')}' ({origin})"
        shape = next((s for s in ("polygon", "polyline", "ellipse", "text") if s in obj), None)
        if shape is not None:
            raise MapError(f"{what}: a {shape}; only rectangles and points are supported")
        try:
            x, y = float(obj["x"]), float(obj["y"])
            w, h = float(obj.get("width", 0)), float(obj.get("height", 0))
        except (KeyError, TypeError, ValueError) as exc:
            raise MapError(f"{what}: bad or missing position/size") from exc
        if obj.get("point", False):
            w = h = 0.0
        elif "gid" in obj:
            y -= h  # a tile object is anchored at its bottom-left corner
        yield PlaceSpec(
            name=str(obj.get("name", "")).strip(),
            rect=Rect(x / tile_width, y / tile_height, w / tile_width, h / tile_height),
            origin=origin,
            state=_property(obj, "state", what, default=DEFAULT_STATE),
        )
