"""Outdoor decor: trees, hedges, flowers, benches, lamps, a fountain, garden beds."""

from __future__ import annotations

from collections.abc import Sequence

from world.art.paint import OUTLINE, TILE, Colour, Painter, Piece, hex_colour, registrar, shade

OUTDOOR: list[Piece] = []
piece = registrar(OUTDOOR)

LEAF = hex_colour("#3f8f47")
LEAF_DARK = hex_colour("#2d6e3c")
LEAF_LIGHT = hex_colour("#6cbf5a")
TRUNK = hex_colour("#7a5134")
STONE = hex_colour("#c4c0b8")
WATER = hex_colour("#5b9bd5")
WOOD_SLAT = hex_colour("#c08552")
POST = hex_colour("#5a3d2b")
FLOWERS = tuple(hex_colour(c) for c in ("#f4f0e0", "#f2d450", "#ee8aa6", "#a58ad8", "#e36b6b"))


def _canopy(p: Painter, blobs: Sequence[tuple[float, float, float]], leaf: Colour) -> None:
    """Overlapping discs with an outline, a dark underside and light tops."""
    for cx, cy, r in blobs:
        p.disc(cx, cy, r + 1, OUTLINE)
    for cx, cy, r in blobs:
        p.disc(cx, cy, r, shade(leaf, -0.25))
    for cx, cy, r in blobs:
        p.disc(cx - 1, cy - 1.5, r - 1.5, leaf)
    for cx, cy, r in blobs:
        p.disc(cx - r / 3, cy - r / 3, r / 3, shade(leaf, 0.3))


@piece("tree", blocked=True)
def _tree(p: Painter) -> None:
    p.shadow(5, 24, 24, 7)
    p.box(13, 18, 6, 11, TRUNK)
    _canopy(p, [(16, 12, 9), (10, 15, 6), (22, 15, 6)], LEAF)


@piece("pine", blocked=True)
def _pine(p: Painter) -> None:
    p.shadow(7, 25, 20, 6)
    p.box(14, 23, 4, 6, TRUNK)
    dark, mid = hex_colour("#24593a"), hex_colour("#2f7448")
    for top, half, bottom in ((2, 7, 11), (7, 10, 18), (12, 12, 25)):
        edge = [(16, top - 1), (16 - half - 1, bottom + 1), (16 + half + 1, bottom + 1)]
        p.polygon(edge, OUTLINE)
        p.polygon([(16, top), (16 - half, bottom), (16 + half, bottom)], dark)
        p.polygon([(16, top + 1), (16 - half + 3, bottom - 1), (16, bottom - 1)], mid)


@piece("oak", size=(2, 2), blocked=True)
def _oak(p: Painter) -> None:
    p.shadow(8, 50, 50, 12)
    p.box(28, 38, 9, 19, TRUNK)
    p.vline(30, 40, 15, shade(TRUNK, 0.2))
    blobs = [(32, 22, 16), (18, 30, 11), (46, 30, 11), (22, 14, 10), (43, 15, 10), (32, 36, 10)]
    _canopy(p, blobs, hex_colour("#4a9a4a"))
    p.speckle([LEAF_DARK], 30, area=(14, 10, 36, 28))


@piece("bush", blocked=True)
def _bush(p: Painter) -> None:
    p.shadow(4, 22, 24, 7)
    _canopy(p, [(16, 18, 9), (10, 20, 6), (22, 20, 6)], hex_colour("#4da455"))
    p.pixels(((11, 17), (19, 15), (22, 21), (14, 22)), hex_colour("#e36b6b"))


@piece("hedge", blocked=True)
def _hedge(p: Painter) -> None:
    """Fills its tile, so rows and columns of hedge join up."""
    p.rect(0, 0, TILE, TILE, LEAF_DARK)
    p.rect(0, 0, TILE, 20, hex_colour("#4f9a4a"))
    p.speckle([LEAF_LIGHT, LEAF], 60, area=(0, 0, TILE, 19))
    p.speckle([hex_colour("#23553a")], 30, area=(0, 20, TILE, 12))
    p.hline(0, TILE - 1, TILE, hex_colour("#23553a"))


@piece("flowers")
def _flowers(p: Painter) -> None:
    for _ in range(9):
        x, y = p.rng.randrange(4, 28), p.rng.randrange(5, 28)
        p.pixels(((x - 1, y + 2), (x + 1, y + 2), (x, y + 1)), LEAF_DARK)
        colour = p.rng.choice(FLOWERS)
        p.pixels(((x, y - 1), (x - 1, y), (x + 1, y), (x, y + 1)), colour)
        p.px(x, y, hex_colour("#f7c948"))


@piece("lamp post", blocked=True)
def _lamp_post(p: Painter) -> None:
    p.shadow(10, 26, 12, 5)
    p.rect(15, 8, 3, 21, hex_colour("#3a3f4a"))
    p.rect(13, 27, 7, 2, hex_colour("#3a3f4a"))
    p.box(11, 1, 11, 9, hex_colour("#3a3f4a"))
    p.rect(13, 3, 7, 5, hex_colour("#ffe7a3"))
    p.px(14, 4, (255, 255, 255))


@piece("bench", size=(2, 1))
def _bench(p: Painter) -> None:
    p.shadow(3, 22, 58, 7)
    p.box(4, 5, 56, 7, hex_colour("#8a5a3c"))
    for y in (13, 18):
        p.box(4, y, 56, 5, WOOD_SLAT)
        p.hline(5, y + 1, 54, shade(WOOD_SLAT, 0.2))
    for x in (8, 53):
        p.rect(x, 23, 3, 5, hex_colour("#3a3f4a"))



@piece("fountain", size=(3, 3), blocked=True)
def _fountain(p: Painter) -> None:
    size = 3 * TILE
    c = size / 2
    p.ellipse(c, c + 6, 46, 42, (20, 24, 30, 60))
    p.disc(c, c, 45, OUTLINE)
    p.disc(c, c, 44, STONE)
    p.disc(c, c, 40, shade(STONE, -0.2))
    p.disc(c, c, 38, WATER)
    for r, colour in ((30, hex_colour("#6aa8df")), (22, WATER), (14, hex_colour("#6aa8df"))):
        p.disc(c, c + 2, r, colour)
        p.disc(c, c + 2, r - 2, WATER)
    p.disc(c, c, 11, OUTLINE)
    p.disc(c, c, 10, STONE)
    p.disc(c, c, 7, hex_colour("#8cc0ea"))
    p.disc(c, c - 3, 3, (255, 255, 255))
    for dx, dy in ((-9, -8), (8, -9), (-12, 2), (11, 3), (0, -14)):
        p.px(int(c + dx), int(c + dy), (255, 255, 255))
        p.px(int(c + dx), int(c + dy + 1), hex_colour("#cfe6f6"))
    for angle_x, angle_y in ((-30, -24), (28, -26), (-34, 16), (30, 20)):
        p.hline(int(c + angle_x), int(c + angle_y), 5, hex_colour("#a9d2f0"))


@piece("garden bed", blocked=True)
def _garden_bed(p: Painter) -> None:
    p.box(1, 2, 30, 28, hex_colour("#8a5a3c"))
    p.rect(3, 4, 26, 24, hex_colour("#6b4a33"))
    for y in (7, 15, 23):
        p.hline(4, y + 2, 24, hex_colour("#5a3d2b"))
        for x in range(6, 28, 5):
            p.pixels(((x, y), (x - 1, y - 1), (x + 1, y - 1), (x, y + 1)), LEAF_LIGHT)
            p.px(x, y - 2, LEAF)
    p.px(11, 14, hex_colour("#e36b6b"))
    p.px(21, 22, hex_colour("#f39a45"))


@piece("flower bed", blocked=True)
def _flower_bed(p: Painter) -> None:
    p.box(1, 3, 30, 26, hex_colour("#9a9690"))
    p.rect(3, 5, 26, 22, hex_colour("#6b4a33"))
    p.speckle([LEAF, LEAF_DARK], 40, area=(3, 5, 26, 22))
    for _ in range(14):
        x, y = p.rng.randrange(5, 27), p.rng.randrange(7, 25)
        colour = p.rng.choice(FLOWERS)
        p.pixels(((x, y - 1), (x - 1, y), (x + 1, y), (x, y + 1)), colour)


@piece("mailbox", blocked=True)
def _mailbox(p: Painter) -> None:
    p.shadow(9, 25, 14, 5)
    p.rect(15, 14, 3, 14, POST)
    p.box(9, 5, 15, 10, hex_colour("#4f6fb0"))
    p.rect(10, 6, 13, 3, hex_colour("#7393d0"))
    p.rect(22, 3, 2, 6, hex_colour("#d9543a"))

