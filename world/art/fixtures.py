"""Fittings of the town's shops, cafe, pub, college and town hall (`decor` layer).

Counters, bars and blackboards are three-tile pieces that stretch: first
tile, middle tile repeated, last tile.
"""

from __future__ import annotations

from world.art.furniture import BLACK, STEEL, WHITE, WOOD, WOOD_DARK, WOOD_LIGHT, table
from world.art.paint import OUTLINE, TILE, Colour, Painter, Piece, hex_colour, registrar, shade

FIXTURES: list[Piece] = []
piece = registrar(FIXTURES)


# -- shops, cafe and pub -----------------------------------------------------------------


def _counter(p: Painter, top: Colour, front: Colour) -> None:
    """Three tiles: left end, a middle that repeats, right end."""
    p.shadow(0, 25, 3 * TILE, 6)
    p.box(2, 6, 3 * TILE - 4, 24, front)
    p.rect(3, 7, 3 * TILE - 6, 9, top)
    p.hline(3, 7, 3 * TILE - 6, shade(top, 0.18))
    p.hline(3, 16, 3 * TILE - 6, shade(front, -0.25))
    for x in range(12, 3 * TILE - 8, 16):
        p.vline(x, 18, 10, shade(front, -0.15))


@piece("counter", size=(3, 1), blocked=True)
def _shop_counter(p: Painter) -> None:
    _counter(p, hex_colour("#e7c391"), hex_colour("#a9714a"))


@piece("bar", size=(3, 1), blocked=True)
def _bar(p: Painter) -> None:
    _counter(p, hex_colour("#8a5a3c"), hex_colour("#5a3828"))
    for x in (16, 48, 80):
        p.rect(x, 3, 2, 8, hex_colour("#d9a93f"))
        p.rect(x - 1, 3, 4, 2, hex_colour("#f0cf6b"))


def _on_counter(p: Painter) -> None:
    """One middle tile of the shop counter, for things that stand on it."""
    top, front = hex_colour("#e7c391"), hex_colour("#a9714a")
    p.shadow(0, 25, TILE, 6)
    p.rect(0, 6, TILE, 24, OUTLINE)
    p.rect(0, 7, TILE, 22, front)
    p.rect(0, 7, TILE, 9, top)
    p.hline(0, 7, TILE, shade(top, 0.18))
    p.hline(0, 16, TILE, shade(front, -0.25))


@piece("register", blocked=True)
def _register(p: Painter) -> None:
    _on_counter(p)
    p.box(8, 2, 16, 12, hex_colour("#50545c"))
    p.rect(10, 4, 12, 4, hex_colour("#8fd18a"))
    p.rect(10, 9, 12, 3, hex_colour("#c9ccd1"))


@piece("coffee machine", blocked=True)
def _coffee_machine(p: Painter) -> None:
    _on_counter(p)
    p.box(6, 0, 20, 14, hex_colour("#c23b3b"))
    p.rect(7, 1, 18, 3, hex_colour("#e06060"))
    p.rect(9, 6, 14, 5, BLACK)
    p.rect(13, 9, 6, 4, STEEL)
    p.ring(26, 12, 2.5, WHITE, hex_colour("#6b3f22"))


@piece("cafe table", blocked=True)
def _cafe_table(p: Painter) -> None:
    p.shadow(6, 22, 20, 7)
    p.rect(15, 18, 2, 8, BLACK)
    p.ring(16, 14, 10, hex_colour("#8c8f96"), hex_colour("#f1ece2"))
    p.ring(12, 12, 2.5, WHITE, hex_colour("#6b3f22"))
    p.ring(20, 16, 2.5, WHITE, hex_colour("#6b3f22"))
    p.px(15, 8, hex_colour("#e36b6b"))


@piece("stool")
def _stool(p: Painter) -> None:
    p.shadow(10, 21, 12, 5)
    for x in (12, 19):
        p.rect(x, 18, 2, 6, WOOD_DARK)
    p.ring(16, 15, 6, OUTLINE, hex_colour("#b84a3f"))
    p.hline(13, 12, 5, hex_colour("#d76a5e"))


@piece("pub table", blocked=True)
def _pub_table(p: Painter) -> None:
    table(p, 4, 6, 24, 19, hex_colour("#7f5238"))
    for cx, cy in ((11, 11), (21, 14)):
        p.box(cx - 3, cy - 3, 6, 7, hex_colour("#e4a63a"))
        p.hline(cx - 2, cy - 2, 4, hex_colour("#fbf3dc"))


def _shelf_unit(p: Painter, frame: Colour, back: Colour, goods: list[Colour], tall: int) -> None:
    p.box(1, 0, 30, 30, frame)
    p.rect(3, 2, 26, 26, back)
    for y in (2, 11, 20):
        x = 3
        while x < 28:
            w = p.rng.choice((3, 4, 5))
            h = p.rng.randrange(tall - 2, tall + 1)
            p.rect(x, y + 8 - h, min(w, 29 - x), h, p.rng.choice(goods))
            p.hline(x, y + 8 - h, min(w, 29 - x), WHITE)
            x += w + 1
        p.hline(2, y + 8, 28, shade(frame, 0.2))


@piece("grocery shelf", blocked=True)
def _grocery_shelf(p: Painter) -> None:
    goods = [hex_colour(c) for c in ("#e36b6b", "#f2d450", "#9bbb59", "#f39a45", "#c0504d")]
    _shelf_unit(p, hex_colour("#8d949c"), hex_colour("#5d636b"), goods, 6)


@piece("medicine shelf", blocked=True)
def _medicine_shelf(p: Painter) -> None:
    goods = [hex_colour(c) for c in ("#f3f1ec", "#8ec3e6", "#9ad0a0", "#f0a3b5")]
    _shelf_unit(p, hex_colour("#dfe4e8"), hex_colour("#a9b4bd"), goods, 5)


@piece("supply shelf", blocked=True)
def _supply_shelf(p: Painter) -> None:
    goods = [hex_colour(c) for c in ("#c49a6c", "#b0835a", "#6c8ebf", "#d9543a", "#7d8792")]
    _shelf_unit(p, WOOD, hex_colour("#5b3d2b"), goods, 7)


# -- college and town hall ---------------------------------------------------------------


@piece("blackboard", size=(3, 1), blocked=True)
def _blackboard(p: Painter) -> None:
    p.box(1, 1, 94, 22, WOOD)
    p.rect(3, 3, 90, 18, hex_colour("#355e4a"))
    chalk = hex_colour("#e9efe6")
    for x, y, w in ((8, 7, 20), (8, 11, 14), (40, 6, 26), (42, 12, 10), (70, 9, 16)):
        p.hline(x, y, w, chalk)
    p.line((58, 16), (64, 11), chalk)
    p.box(2, 22, 92, 4, WOOD_LIGHT)
    p.rect(20, 21, 4, 2, WHITE)


@piece("notice board", blocked=True)
def _notice_board(p: Painter) -> None:
    p.box(2, 1, 28, 22, WOOD_DARK)
    p.rect(4, 3, 24, 18, hex_colour("#c99a62"))
    for x, y, c in ((6, 5, "#f3f1ec"), (17, 4, "#f2d450"), (8, 13, "#8ec3e6"), (19, 12, "#f0a3b5")):
        p.rect(x, y, 8, 7, hex_colour(c))
        p.px(x + 3, y + 1, hex_colour("#d9543a"))


@piece("student desk", blocked=True)
def _student_desk(p: Painter) -> None:
    table(p, 4, 3, 24, 14, WOOD_LIGHT, front=4)
    p.rect(8, 5, 8, 6, WHITE)
    p.box(10, 19, 12, 9, hex_colour("#4f81bd"))  # its chair
    p.hline(11, 20, 10, hex_colour("#7ea3d6"))


@piece("reading table", size=(2, 1), blocked=True)
def _reading_table(p: Painter) -> None:
    table(p, 3, 6, 58, 21, hex_colour("#9a6a45"))
    p.rect(30, 6, 4, 6, hex_colour("#c9a227"))
    p.ellipse(32, 9, 7, 4, hex_colour("#2f7a4f"))  # green banker's lamp
    for x in (10, 42):
        p.rect(x, 12, 12, 8, WHITE)
        p.vline(x + 6, 12, 8, hex_colour("#b9b4aa"))


@piece("podium", blocked=True)
def _podium(p: Painter) -> None:
    p.shadow(7, 25, 18, 6)
    p.box(8, 8, 16, 20, WOOD)
    p.box(6, 4, 20, 8, WOOD_LIGHT)
    p.rect(15, 1, 2, 4, BLACK)
    p.disc(16, 1.5, 1.5, BLACK)
