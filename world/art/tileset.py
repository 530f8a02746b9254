"""The town's tileset: every drawn piece packed into one PNG, plus its Tiled `.tsj`.

Pieces keep their shape in the sheet (a 2 x 2 tree is a 2 x 2 block), so the
PNG is readable and Tiled users can stamp whole pieces. The map generator asks
the sheet for the tile ids of a piece's parts by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from world.art import jsonfmt
from world.art.fixtures import FIXTURES
from world.art.furniture import FURNITURE
from world.art.ground import GROUND
from world.art.outdoor import OUTDOOR
from world.art.paint import TILE, Painter, Piece, hex_colour, pygame, registrar, save_png

NAME = "town_tiles"
COLUMNS = 16
TILED_VERSION = "1.10.2"
FORMAT_VERSION = "1.10"

_SPECIAL: list[Piece] = []


@registrar(_SPECIAL)("blocked", layer="decor", blocked=True)
def _blocked(p: Painter) -> None:
    """The tile painted on the collision layer (hidden in the viewer)."""
    red = hex_colour("#d83b3b")
    p.fill((*red, 110))
    p.rect(0, 0, TILE, 2, red)
    p.rect(0, TILE - 2, TILE, 2, red)
    p.rect(0, 0, 2, TILE, red)
    p.rect(TILE - 2, 0, 2, TILE, red)
    for k in range(TILE):
        p.rect(k - 1, k - 1, 2, 2, red)
        p.rect(TILE - k - 1, k - 1, 2, 2, red)


CATALOGUE: tuple[Piece, ...] = (*GROUND, *FURNITURE, *FIXTURES, *OUTDOOR, *_SPECIAL)


@dataclass(frozen=True)
class TileSheet:
    """Where each piece sits in the sheet: its top-left tile (column, row)."""

    pieces: dict[str, Piece]
    origin: dict[str, tuple[int, int]]
    columns: int
    rows: int

    @property
    def tile_count(self) -> int:
        return self.columns * self.rows

    def local_id(self, name: str, dx: int = 0, dy: int = 0) -> int:
        """The 0-based tile id of part (dx, dy) of piece `name`."""
        piece = self.pieces[name]
        if not (0 <= dx < piece.size[0] and 0 <= dy < piece.size[1]):
            raise ValueError(f"piece {name!r} is {piece.size}: no part ({dx}, {dy})")
        col, row = self.origin[name]
        return (row + dy) * self.columns + col + dx

    def draw(self) -> pygame.Surface:
        """The whole sheet, transparent where no piece is."""
        sheet = pygame.Surface((self.columns * TILE, self.rows * TILE), pygame.SRCALPHA)
        sheet.fill((0, 0, 0, 0))
        for name, piece in self.pieces.items():
            painter = Painter(name, *piece.size)
            piece.draw(painter)
            col, row = self.origin[name]
            sheet.blit(painter.surface, (col * TILE, row * TILE))
        return sheet

    def tile_names(self) -> dict[int, str]:
        """Local tile id -> the name of the piece it is part of."""
        names: dict[int, str] = {}
        for name, piece in self.pieces.items():
            for dy in range(piece.size[1]):
                for dx in range(piece.size[0]):
                    names[self.local_id(name, dx, dy)] = name
        return names


@cache
def sheet() -> TileSheet:
    """Pack the catalogue, tallest and widest first, each in the first free spot (reading order)."""
    pieces = {piece.name: piece for piece in CATALOGUE}
    if len(pieces) != len(CATALOGUE):
        raise ValueError("two pieces share a name")
    used = np.zeros((0, COLUMNS), dtype=bool)
    origin: dict[str, tuple[int, int]] = {}
    for piece in sorted(CATALOGUE, key=lambda p: (-p.size[1], -p.size[0])):
        w, h = piece.size
        row = 0
        while True:
            if used.shape[0] < row + h:
                used = np.vstack([used, np.zeros((row + h - used.shape[0], COLUMNS), bool)])
            free = [c for c in range(COLUMNS - w + 1) if not used[row : row + h, c : c + w].any()]
            if free:
                used[row : row + h, free[0] : free[0] + w] = True
                origin[piece.name] = (free[0], row)
                break
            row += 1
    return TileSheet(pieces, origin, COLUMNS, int(used.shape[0]))


def tileset_json(tiles: TileSheet, image_name: str) -> dict[str, object]:
    """The Tiled `.tsj` document; each used tile carries its piece name as its class."""
    return {
        "columns": tiles.columns,
        "image": image_name,
        "imageheight": tiles.rows * TILE,
        "imagewidth": tiles.columns * TILE,
        "margin": 0,
        "name": NAME,
        "spacing": 0,
        "tilecount": tiles.tile_count,
        "tiledversion": TILED_VERSION,
        "tileheight": TILE,
        "tiles": [{"id": i, "type": name} for i, name in sorted(tiles.tile_names().items())],
        "tilewidth": TILE,
        "type": "tileset",
        "version": FORMAT_VERSION,
    }


def write_tileset(directory: Path) -> tuple[Path, Path]:
    """Draw `town_tiles.png` and write `town_tiles.tsj` into `directory`; both paths."""
    tiles = sheet()
    png, tsj = directory / f"{NAME}.png", directory / f"{NAME}.tsj"
    save_png(tiles.draw(), png)
    tsj.write_text(jsonfmt.dumps(tileset_json(tiles, png.name)), encoding="utf-8")
    return png, tsj
