"""Home furniture for the `decor` layer: transparent tiles drawn over a floor.

Seen from above and a little in front (tops light, front faces darker), with
dark outlines so they stay readable when the whole town is zoomed out.
Seats are walkable; tables, beds, appliances and shelves are blocked.
"""

from __future__ import annotations

from world.art.paint import OUTLINE, TILE, Colour, Painter, Piece, hex_colour, registrar, shade

FURNITURE: list[Piece] = []
piece = registrar(FURNITURE)

WOOD = hex_colour("#b57a4a")
WOOD_LIGHT = hex_colour("#d6a069")
WOOD_DARK = hex_colour("#6e4630")
WHITE = hex_colour("#f3f1ec")
STEEL = hex_colour("#aab3bd")
BLACK = hex_colour("#2e3038")
SPINES = tuple(
    hex_colour(c) for c in ("#c0504d", "#4f81bd", "#9bbb59", "#e8b84a", "#8064a2", "#4bacc6")
)


def table(p: Painter, x: int, y: int, w: int, h: int, top: Colour, front: int = 5) -> None:
    """A block with a light top and a darker front face, on a shadow."""
    p.shadow(x - 1, y + h - 4, w + 2, 8)
    p.box(x, y, w, h, shade(top, -0.25))
    p.rect(x + 1, y + 1, w - 2, h - front - 1, top)
    p.hline(x + 1, y + 1, w - 2, shade(top, 0.15))


# -- bedroom -----------------------------------------------------------------------------


def _bed(p: Painter, x0: int, width: int, blanket: Colour, pillows: int) -> None:
    p.shadow(x0, 56, width, 8)
    p.box(x0 + 2, 2, width - 4, 58, WOOD)
    p.box(x0 + 2, 1, width - 4, 9, WOOD_DARK)
    p.rect(x0 + 4, 10, width - 8, 48, WHITE)
    inner = width - 8
    pillow_w = (inner - 2 * (pillows - 1)) // pillows
    for i in range(pillows):
        px = x0 + 5 + i * (pillow_w + 2)
        p.box(px, 11, pillow_w - 2, 8, hex_colour("#fbfaf5"), edge=hex_colour("#c9c6bd"))
    p.rect(x0 + 4, 22, width - 8, 36, blanket)
    p.rect(x0 + 4, 22, width - 8, 4, shade(blanket, 0.3))
    p.rect(x0 + 4, 54, width - 8, 4, shade(blanket, -0.2))
    for k in range(x0 + 8, x0 + width - 6, 6):
        p.vline(k, 30, 22, shade(blanket, -0.08))


@piece("bed", size=(1, 2), blocked=True)
def _single_bed(p: Painter) -> None:
    _bed(p, 0, TILE, hex_colour("#5d7fc0"), pillows=1)


@piece("double bed", size=(2, 2), blocked=True)
def _double_bed(p: Painter) -> None:
    _bed(p, 0, 2 * TILE, hex_colour("#c46a7a"), pillows=2)


@piece("desk", blocked=True)
def _desk(p: Painter) -> None:
    table(p, 2, 6, 28, 22, WOOD_LIGHT, front=7)
    p.hline(4, 24, 24, shade(WOOD_LIGHT, -0.35))
    p.rect(14, 25, 4, 1, hex_colour("#e9d9b0"))
    p.box(6, 8, 12, 9, hex_colour("#3a4252"), edge=BLACK)  # laptop
    p.rect(7, 9, 10, 6, hex_colour("#7fb2dd"))
    p.rect(20, 9, 7, 9, WHITE)  # papers
    p.hline(21, 11, 5, hex_colour("#9aa0aa"))
    p.hline(21, 13, 4, hex_colour("#9aa0aa"))


@piece("chair")
def _chair(p: Painter) -> None:
    p.shadow(8, 22, 16, 6)
    p.box(9, 7, 14, 6, WOOD_DARK)
    p.box(9, 12, 14, 12, WOOD)
    p.hline(10, 13, 12, WOOD_LIGHT)
    for x in (10, 20):
        p.rect(x, 24, 2, 3, WOOD_DARK)


@piece("plant", blocked=True)
def _plant(p: Painter) -> None:
    p.shadow(9, 25, 14, 6)
    p.box(11, 19, 10, 10, hex_colour("#c8734a"))
    p.hline(12, 20, 8, hex_colour("#e08e62"))
    leaf, light = hex_colour("#4f9a4a"), hex_colour("#7cc35f")
    for cx, cy, r in ((16, 11, 6), (11, 15, 4.5), (21, 15, 4.5), (16, 6, 4)):
        p.disc(cx, cy, r + 1, OUTLINE)
    for cx, cy, r in ((16, 11, 6), (11, 15, 4.5), (21, 15, 4.5), (16, 6, 4)):
        p.disc(cx, cy, r, leaf)
    p.pixels(((14, 8), (15, 8), (10, 13), (20, 13), (15, 4)), light)


# -- kitchen and bathroom ----------------------------------------------------------------


def _worktop(p: Painter) -> None:
    """A kitchen cabinet with a stone top; full width so a row of them joins up."""
    p.rect(0, 4, TILE, 26, OUTLINE)
    p.rect(0, 5, TILE, 14, hex_colour("#e6e0d2"))
    p.hline(0, 5, TILE, hex_colour("#f5f1e8"))
    p.rect(0, 19, TILE, 10, hex_colour("#9c6b47"))
    p.vline(15, 20, 9, hex_colour("#7c5236"))
    p.pixels(((12, 23), (19, 23)), hex_colour("#e9d9b0"))


@piece("worktop", blocked=True)
def _worktop_piece(p: Painter) -> None:
    _worktop(p)
    p.box(20, 7, 8, 6, hex_colour("#d9b07a"))  # chopping board


@piece("kitchen sink", blocked=True)
def _kitchen_sink(p: Painter) -> None:
    _worktop(p)
    p.box(7, 7, 18, 10, hex_colour("#c7ced6"), edge=hex_colour("#7d8792"))
    p.rect(9, 9, 14, 6, hex_colour("#9fb0c0"))
    p.rect(15, 5, 2, 4, hex_colour("#7d8792"))


@piece("stove", blocked=True)
def _stove(p: Painter) -> None:
    p.shadow(2, 26, 28, 6)
    p.box(2, 3, 28, 27, hex_colour("#dfe2e6"))
    p.rect(4, 5, 24, 14, hex_colour("#3c3f46"))
    for cx, cy in ((10, 9), (22, 9), (10, 15), (22, 15)):
        p.ring(cx, cy, 3.5, hex_colour("#8a8f99"), hex_colour("#3c3f46"))
        p.px(cx, cy, hex_colour("#d9543a"))
    for x in (8, 13, 18, 23):
        p.rect(x, 20, 2, 2, BLACK)
    p.box(6, 23, 20, 6, hex_colour("#50545c"))


@piece("fridge", blocked=True)
def _fridge(p: Painter) -> None:
    p.shadow(4, 26, 24, 6)
    p.box(5, 0, 22, 30, hex_colour("#eef2f5"))
    p.rect(6, 1, 20, 3, WHITE)
    p.hline(6, 11, 20, hex_colour("#b9c2ca"))
    p.rect(22, 4, 2, 5, STEEL)
    p.rect(22, 14, 2, 9, STEEL)
    p.rect(9, 16, 4, 4, hex_colour("#e8b84a"))  # a magnet


@piece("dining table", size=(2, 1), blocked=True)
def _dining_table(p: Painter) -> None:
    table(p, 3, 6, 58, 21, WOOD_LIGHT)
    for cx in (14, 32, 50):
        p.ring(cx, 13, 4, hex_colour("#c9c6bd"), WHITE)
    p.disc(23, 11, 2, hex_colour("#e36b6b"))
    p.disc(41, 12, 2, hex_colour("#f2d450"))


@piece("shower", blocked=True)
def _shower(p: Painter) -> None:
    p.box(2, 2, 28, 28, hex_colour("#e3f1f5"), edge=hex_colour("#8fb4c2"))
    p.rect(4, 4, 24, 24, hex_colour("#cfe6ee"))
    p.ring(16, 17, 2.5, hex_colour("#8fb4c2"), hex_colour("#5f7d8a"))
    p.rect(14, 2, 4, 4, STEEL)
    p.rect(3, 3, 5, 26, hex_colour("#9ad0c8"))  # curtain
    for y in range(5, 28, 4):
        p.hline(3, y, 5, hex_colour("#7fb8b0"))


@piece("toilet", blocked=True)
def _toilet(p: Painter) -> None:
    p.shadow(8, 24, 16, 6)
    p.box(9, 3, 14, 8, WHITE, edge=hex_colour("#9aa4ad"))
    p.ellipse(16, 18, 7.5, 9, hex_colour("#9aa4ad"))
    p.ellipse(16, 18, 6.5, 8, WHITE)
    p.ellipse(16, 19, 3.5, 5, hex_colour("#bfe0ea"))


@piece("bathroom sink", blocked=True)
def _bathroom_sink(p: Painter) -> None:
    p.rect(10, 1, 12, 3, hex_colour("#bfe0ea"))  # mirror on the wall behind
    p.shadow(10, 24, 12, 6)
    p.rect(14, 16, 4, 11, hex_colour("#dfe4e8"))
    p.box(5, 5, 22, 12, WHITE, edge=hex_colour("#9aa4ad"))
    p.ellipse(16, 11, 7, 3.5, hex_colour("#bfe0ea"))
    p.rect(15, 5, 2, 3, STEEL)


# -- living room -------------------------------------------------------------------------


@piece("sofa", size=(2, 1))
def _sofa(p: Painter) -> None:
    fabric = hex_colour("#5f8f8a")
    p.shadow(2, 24, 60, 7)
    p.box(2, 4, 60, 24, shade(fabric, -0.2))
    p.rect(3, 5, 58, 8, fabric)
    p.hline(3, 5, 58, shade(fabric, 0.2))
    for x in (9, 33):
        p.box(x, 12, 23, 11, shade(fabric, 0.12))
    for x in (3, 55):
        p.box(x, 8, 7, 19, fabric)


@piece("tv", blocked=True)
def _tv(p: Painter) -> None:
    p.shadow(2, 25, 28, 6)
    p.box(2, 18, 28, 11, WOOD)
    p.hline(3, 19, 26, WOOD_LIGHT)
    p.box(5, 3, 22, 15, BLACK)
    p.rect(7, 5, 18, 10, hex_colour("#44648a"))
    p.line((8, 13), (13, 6), hex_colour("#6f93bd"))
    p.rect(14, 16, 4, 2, BLACK)


@piece("coffee table", blocked=True)
def _coffee_table(p: Painter) -> None:
    table(p, 5, 9, 22, 14, WOOD_LIGHT, front=4)
    p.box(9, 11, 7, 5, hex_colour("#c0504d"))  # a book
    p.ring(21, 14, 2.5, WHITE, hex_colour("#7a4b2e"))


@piece("bookshelf", blocked=True)
def _bookshelf(p: Painter) -> None:
    p.box(2, 0, 28, 30, WOOD_DARK)
    p.rect(4, 2, 24, 26, hex_colour("#4a3024"))
    for y in (3, 12, 21):
        x = 4
        while x < 27:
            w = p.rng.choice((2, 3, 3, 4))
            h = p.rng.choice((6, 7, 7))
            p.rect(x, y + 8 - h, min(w, 28 - x), h, p.rng.choice(SPINES))
            x += w + (1 if p.rng.random() < 0.3 else 0)
        p.hline(3, y + 8, 26, WOOD)


@piece("easel", blocked=True)
def _easel(p: Painter) -> None:
    p.shadow(6, 25, 20, 6)
    for a, b in (((16, 4), (7, 29)), ((16, 4), (25, 29)), ((16, 4), (16, 29))):
        p.line(a, b, WOOD_DARK)
    p.box(6, 5, 20, 16, WHITE, edge=WOOD_DARK)
    p.disc(12, 11, 3, hex_colour("#e36b6b"))
    p.disc(19, 14, 3.5, hex_colour("#4f81bd"))
    p.rect(9, 16, 8, 2, hex_colour("#9bbb59"))
    p.hline(5, 21, 22, WOOD)


@piece("piano", size=(2, 1), blocked=True)
def _piano(p: Painter) -> None:
    body = hex_colour("#3b2a27")
    p.shadow(2, 25, 60, 7)
    p.box(3, 2, 58, 26, body)
    p.rect(4, 3, 56, 3, shade(body, 0.3))
    p.rect(6, 14, 52, 8, WHITE)
    for x in range(6, 58, 4):
        p.vline(x, 14, 8, hex_colour("#b9b4aa"))
    for x in range(8, 56, 4):
        if x % 28 not in (16,):
            p.rect(x, 14, 2, 5, BLACK)
    p.box(24, 6, 16, 6, hex_colour("#f1e9d0"), edge=shade(body, 0.2))  # sheet music
