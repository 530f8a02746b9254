"""Ground tiles: grass, paths, roads, water, floors, and the walls and doors of buildings.

Everything here is opaque and goes on the `ground` layer; walls and water are
also blocked.
"""

from __future__ import annotations

from world.art.paint import TILE, Colour, Painter, Piece, hex_colour, registrar, shade

GROUND: list[Piece] = []
piece = registrar(GROUND)

GRASS = hex_colour("#78b45a")
GRASS_DARK = hex_colour("#65a04e")
GRASS_LIGHT = hex_colour("#8cc468")
DIRT = hex_colour("#d9bb8b")
ASPHALT = hex_colour("#5f6472")
LINE_YELLOW = hex_colour("#eac65c")
PAINT_WHITE = hex_colour("#e9e8e1")
WATER = hex_colour("#5b9bd5")
WATER_DEEP = hex_colour("#4b86c2")
WATER_LIGHT = hex_colour("#8cc0ea")
FLOWERS = tuple(hex_colour(c) for c in ("#f4f0e0", "#f2d450", "#ee8aa6", "#a58ad8"))


# -- outdoors ----------------------------------------------------------------------------


def _grass(p: Painter, tufts: int, flowers: int) -> None:
    p.fill(GRASS)
    p.speckle([GRASS_DARK], 34)
    p.speckle([GRASS_LIGHT], 22)
    p.tufts(GRASS_DARK, tufts)
    for _ in range(flowers):
        x, y = p.rng.randrange(2, 29), p.rng.randrange(2, 29)
        colour = p.rng.choice(FLOWERS)
        p.pixels(((x, y - 1), (x - 1, y), (x + 1, y), (x, y + 1)), colour)
        p.px(x, y, hex_colour("#f7c948"))


@piece("grass", layer="ground")
def _grass_plain(p: Painter) -> None:
    _grass(p, tufts=2, flowers=0)


@piece("grass flowers", layer="ground")
def _grass_flowers(p: Painter) -> None:
    _grass(p, tufts=2, flowers=4)


@piece("path", layer="ground")
def _path(p: Painter) -> None:
    p.fill(DIRT)
    p.speckle([shade(DIRT, -0.1), shade(DIRT, 0.12)], 60)
    p.speckle([shade(DIRT, -0.22)], 6, size=2)


@piece("sidewalk", layer="ground")
def _sidewalk(p: Painter) -> None:
    base = hex_colour("#cbc8bf")
    p.fill(base)
    p.speckle([shade(base, -0.05), shade(base, 0.06)], 40)
    for edge in (15, 31):
        p.hline(0, edge, TILE, shade(base, -0.16))
        p.vline(edge, 0, TILE, shade(base, -0.16))
    for corner in (0, 16):
        p.hline(corner, corner, 15, shade(base, 0.1))


@piece("plaza", layer="ground")
def _plaza(p: Painter) -> None:
    base = hex_colour("#dcc9a6")
    p.fill(base)
    seam = shade(base, -0.18)
    for row in range(4):
        y = row * 8
        p.hline(0, y + 7, TILE, seam)
        offset = 0 if row % 2 == 0 else 8
        for x in range(offset, TILE + 16, 16):
            p.vline(x - 1, y, 7, seam)
    p.speckle([shade(base, 0.08), shade(base, -0.06)], 30)


def _asphalt(p: Painter) -> None:
    p.fill(ASPHALT)
    p.speckle([shade(ASPHALT, -0.1), shade(ASPHALT, 0.1)], 70)


@piece("road", layer="ground")
def _road(p: Painter) -> None:
    _asphalt(p)


@piece("road line n", layer="ground")
def _road_line_n(p: Painter) -> None:
    """The lane above a horizontal road's centre line (half the dashed line at the bottom)."""
    _asphalt(p)
    p.rect(4, 31, 24, 1, LINE_YELLOW)


@piece("road line s", layer="ground")
def _road_line_s(p: Painter) -> None:
    _asphalt(p)
    p.rect(4, 0, 24, 1, LINE_YELLOW)


@piece("road line w", layer="ground")
def _road_line_w(p: Painter) -> None:
    _asphalt(p)
    p.rect(31, 4, 1, 24, LINE_YELLOW)


@piece("road line e", layer="ground")
def _road_line_e(p: Painter) -> None:
    _asphalt(p)
    p.rect(0, 4, 1, 24, LINE_YELLOW)


@piece("crosswalk h", layer="ground")
def _crosswalk_h(p: Painter) -> None:
    """Zebra stripes across a horizontal road: bars along the traffic, stacked."""
    _asphalt(p)
    for y in range(2, TILE, 8):
        p.rect(4, y, 24, 4, PAINT_WHITE)


@piece("crosswalk v", layer="ground")
def _crosswalk_v(p: Painter) -> None:
    _asphalt(p)
    for x in range(2, TILE, 8):
        p.rect(x, 4, 4, 24, PAINT_WHITE)


@piece("pond", size=(3, 3), layer="ground", blocked=True)
def _pond(p: Painter) -> None:
    """A nine-slice pond: grass banks round the edge, water in the middle tile."""
    p.fill(GRASS)
    p.speckle([GRASS_DARK], 90)
    p.speckle([GRASS_LIGHT], 60)
    bank, rim = hex_colour("#c9b68c"), hex_colour("#a99770")
    # The middle row and column must tile when repeated, so draw shapes that are
    # straight through the middle tiles and round only in the corners.
    for colour, inset in ((rim, 5), (bank, 6), (WATER_DEEP, 9), (WATER, 11)):
        _rounded(p, inset, colour)
    p.rect(TILE, TILE, TILE, TILE, WATER)
    for x, y, w in ((40, 44, 8), (52, 58, 6), (70, 40, 7), (44, 68, 5)):
        p.hline(x, y, w, WATER_LIGHT)
    p.speckle([WATER_LIGHT], 10, area=(TILE + 2, TILE + 2, TILE - 4, TILE - 4))


def _rounded(p: Painter, inset: int, colour: Colour) -> None:
    """A rectangle inset from the 96 x 96 canvas with corners rounded to the corner tiles."""
    size = 3 * TILE
    radius = TILE - inset
    p.rect(inset + radius, inset, size - 2 * (inset + radius), size - 2 * inset, colour)
    p.rect(inset, inset + radius, size - 2 * inset, size - 2 * (inset + radius), colour)
    for cx in (inset + radius, size - inset - radius):
        for cy in (inset + radius, size - inset - radius):
            p.disc(cx, cy, radius, colour)


# -- floors ------------------------------------------------------------------------------


def _planks(p: Painter, base: Colour) -> None:
    p.fill(base)
    seam, light = shade(base, -0.2), shade(base, 0.1)
    for row in range(4):
        y = row * 8
        p.hline(0, y + 7, TILE, seam)
        p.hline(0, y, TILE, light)
        cut = (row * 13) % 24 + 4
        p.vline(cut, y, 7, seam)
    p.speckle([shade(base, -0.08)], 14)


@piece("floor wood", layer="ground")
def _floor_wood(p: Painter) -> None:
    _planks(p, hex_colour("#cf9862"))


@piece("floor dark wood", layer="ground")
def _floor_dark_wood(p: Painter) -> None:
    _planks(p, hex_colour("#94634a"))


@piece("floor checker", layer="ground")
def _floor_checker(p: Painter) -> None:
    light, dark = hex_colour("#efe9da"), hex_colour("#a9c6cf")
    for y in range(0, TILE, 8):
        for x in range(0, TILE, 8):
            p.rect(x, y, 8, 8, light if (x + y) // 8 % 2 == 0 else dark)


@piece("floor bath", layer="ground")
def _floor_bath(p: Painter) -> None:
    base = hex_colour("#d9edf0")
    p.fill(base)
    for k in range(0, TILE, 8):
        p.hline(0, k + 7, TILE, shade(base, -0.13))
        p.vline(k + 7, 0, TILE, shade(base, -0.13))


def _carpet(p: Painter, base: Colour) -> None:
    p.fill(base)
    p.speckle([shade(base, -0.07), shade(base, 0.07)], 90)


@piece("floor carpet blue", layer="ground")
def _carpet_blue(p: Painter) -> None:
    _carpet(p, hex_colour("#8198c6"))


@piece("floor carpet rose", layer="ground")
def _carpet_rose(p: Painter) -> None:
    _carpet(p, hex_colour("#cc929a"))


@piece("floor carpet green", layer="ground")
def _carpet_green(p: Painter) -> None:
    _carpet(p, hex_colour("#88ab7a"))


@piece("floor store", layer="ground")
def _floor_store(p: Painter) -> None:
    base = hex_colour("#d4d7d0")
    p.fill(base)
    p.speckle([shade(base, -0.05)], 30)
    for k in (15, 31):
        p.hline(0, k, TILE, shade(base, -0.12))
        p.vline(k, 0, TILE, shade(base, -0.12))


@piece("floor lino", layer="ground")
def _floor_lino(p: Painter) -> None:
    base = hex_colour("#c3cfae")
    p.fill(base)
    p.speckle([shade(base, -0.06), shade(base, 0.08)], 40)
    p.hline(0, 31, TILE, shade(base, -0.12))
    p.vline(31, 0, TILE, shade(base, -0.12))


# -- walls and doors ---------------------------------------------------------------------

CAP_HEIGHT = 9
"""Pixels of wall top shown above a wall's front face."""

WALL_STYLES: dict[str, tuple[Colour, Colour]] = {
    # style: (cap seen from above, front face)
    "brick": (hex_colour("#7a4b46"), hex_colour("#b5604a")),
    "plaster": (hex_colour("#7d6552"), hex_colour("#eadcb8")),
    "siding": (hex_colour("#4f5a78"), hex_colour("#86a3c7")),
    "stone": (hex_colour("#5d6070"), hex_colour("#b7b8bf")),
    "mint": (hex_colour("#4e6b5e"), hex_colour("#a9d3bd")),
}


def _cap(p: Painter, cap: Colour, height: int) -> None:
    p.rect(0, 0, TILE, height, cap)
    p.hline(0, 0, TILE, shade(cap, 0.18))
    p.speckle([shade(cap, 0.08), shade(cap, -0.08)], height * 2, area=(0, 1, TILE, height - 1))


def _face(p: Painter, style: str) -> None:
    cap, face = WALL_STYLES[style]
    _cap(p, cap, CAP_HEIGHT)
    p.rect(0, CAP_HEIGHT, TILE, TILE - CAP_HEIGHT, face)
    seam = shade(face, -0.16)
    if style in ("brick", "stone"):
        course = 5 if style == "brick" else 8
        for i, y in enumerate(range(CAP_HEIGHT + course - 1, TILE - 2, course)):
            p.hline(0, y, TILE, seam)
            step = 10 if style == "brick" else 16
            for x in range((i % 2) * step // 2, TILE, step):
                p.vline(x, y - course + 1, course - 1, seam)
    elif style in ("siding", "mint"):
        for y in range(CAP_HEIGHT + 4, TILE - 2, 4):
            p.hline(0, y, TILE, seam)
    else:
        p.speckle([shade(face, -0.06)], 26, area=(0, CAP_HEIGHT, TILE, TILE - CAP_HEIGHT))
    p.hline(0, CAP_HEIGHT, TILE, shade(face, 0.15))
    p.rect(0, TILE - 2, TILE, 2, shade(face, -0.32))


def _register_walls() -> None:
    for style, (cap, _face_colour) in WALL_STYLES.items():

        def top(p: Painter, cap: Colour = cap) -> None:
            _cap(p, cap, TILE)

        def face(p: Painter, style: str = style) -> None:
            _face(p, style)

        def window(p: Painter, style: str = style) -> None:
            _face(p, style)
            frame, glass = hex_colour("#f3efe4"), hex_colour("#9fd0ee")
            p.box(8, 12, 16, 15, glass, edge=hex_colour("#5b4a44"))
            p.rect(9, 13, 14, 1, frame)
            p.vline(15, 13, 13, frame)
            p.hline(9, 19, 14, frame)
            p.pixels(((11, 15), (12, 15), (11, 16), (18, 21)), (255, 255, 255))
            p.rect(7, 27, 18, 2, frame)

        def door_h(p: Painter, style: str = style) -> None:
            """An open doorway in a horizontal wall: lintel, frame, a glimpse of floor, a mat."""
            cap, face = WALL_STYLES[style]
            _cap(p, cap, 5)
            p.rect(0, 5, TILE, TILE - 5, face)
            p.rect(0, TILE - 2, TILE, 2, shade(face, -0.32))
            wood = hex_colour("#7b5237")
            p.rect(5, 5, 22, TILE - 5, wood)
            p.rect(7, 7, 18, TILE - 7, hex_colour("#d8b48a"))
            p.rect(7, 7, 18, 3, hex_colour("#4a3428"))
            p.rect(9, 24, 14, 6, hex_colour("#a8554a"))
            p.hline(10, 26, 12, hex_colour("#c66d5f"))

        def door_v(p: Painter, style: str = style) -> None:
            """A gap in a vertical wall: the wall's end above (its face shows) and below."""
            cap, face = WALL_STYLES[style]
            _planks(p, hex_colour("#c79a6b"))
            _cap(p, cap, 3)
            p.rect(0, 3, TILE, 7, face)
            p.hline(0, 9, TILE, shade(face, -0.32))
            p.rect(0, TILE - 3, TILE, 3, cap)
            p.rect(0, 10, TILE, 2, shade(hex_colour("#c79a6b"), -0.3))

        piece(f"wall {style} top", layer="ground", blocked=True)(top)
        piece(f"wall {style} face", layer="ground", blocked=True)(face)
        piece(f"wall {style} window", layer="ground", blocked=True)(window)
        piece(f"door {style} h", layer="ground")(door_h)
        piece(f"door {style} v", layer="ground")(door_v)


_register_walls()
