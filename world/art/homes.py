"""House plans stamped several times on the Smallville map.

Each function returns a `Building` at a given corner. Room and object names
follow the scenario's conventions (`bed`, `desk`, `stove`, ...), so
residents' homes can be named in the scenario file.
"""

from __future__ import annotations

from world.art.plan import Building, Item, Room


def _bedroom(arena: str, x: int, y: int, w: int, h: int, floor: str, *extra: Item) -> Room:
    """A bedroom with a bed against the top-left wall, a desk on the right, a spawn between."""
    return Room(
        arena, x, y, w, h, floor,
        (Item("bed", x, y, "bed"), *extra),
        spawn=(x + 1, y + 1),
    )


def small_home(
    sector: str, x: int, y: int, style: str, *, door_top: bool, mailbox: bool = True
) -> Building:
    """11 x 7: a bedroom on the left; kitchen and bathroom on the right, one above the other.

    The kitchen is on the side of the front door (top or bottom wall).
    """
    kitchen_y, bath_y = (1, 4) if door_top else (4, 1)
    kitchen_items = (
        (
            Item("stove", 6, 1, "stove"),
            Item("kitchen sink", 7, 1),
            Item("fridge", 9, 1, "fridge"),
        )
        if door_top
        else (
            Item("stove", 8, 4, "stove"),
            Item("fridge", 9, 4, "fridge"),
            Item("chair", 6, 5),
        )
    )
    bath_items = (
        Item("shower", 6, bath_y, "shower"),
        Item("bathroom sink", 8, bath_y, "sink"),
        Item("toilet", 9, bath_y, "toilet"),
    )
    return Building(
        sector, x, y, 11, 7, style,
        rooms=(
            _bedroom(
                "bedroom", 1, 1, 4, 5, "floor carpet blue" if door_top else "floor carpet rose",
                Item("desk", 3, 1, "desk"),
                Item("chair", 3, 2),
                Item("bookshelf", 4, 1),
                Item("sofa", 1, 5),
                Item("plant", 4, 5),
            ),
            Room("kitchen", 6, kitchen_y, 4, 2, "floor checker", kitchen_items),
            Room("bathroom", 6, bath_y, 4, 2, "floor bath", bath_items),
        ),
        doors=((8, 0) if door_top else (8, 6), (5, 2) if door_top else (5, 4), (7, 3)),
        decor=(Item("mailbox", 9, -1 if door_top else 7),) if mailbox else (),
    )


def family_house(
    sector: str,
    x: int,
    y: int,
    style: str,
    *,
    parents: str,
    child: str | None = None,
    parents_extra: str = "desk",
) -> Building:
    """A house with its front door in the top wall: living room and kitchen in front,
    the parents' bedroom (a double bed), a child's bedroom if any and the bathroom behind.

    15 x 9 with a child's room (which has a piano), 12 x 9 without.
    """
    w = 15 if child else 12
    kitchen_x = 9 if child else 7
    living_w = kitchen_x - 2
    parents_w = 4 if child else 5
    rooms = [
        Room("living room", 1, 1, living_w, 3, "floor wood", (
            Item("sofa", 1, 1, "sofa"),
            Item("coffee table", 2, 2),
            Item("tv", living_w, 1),
            Item("plant", 1, 3),
        )),
        Room("kitchen", kitchen_x, 1, 4 if not child else 5, 3, "floor checker", (
            Item("stove", kitchen_x, 1, "stove"),
            Item("kitchen sink", kitchen_x + 1, 1),
            Item("fridge", w - 2, 1, "fridge"),
            Item("dining table", kitchen_x, 3, "dining table"),
        )),
        Room(parents, 1, 5, parents_w, 3, "floor carpet rose", (
            Item("double bed", 1, 5, "bed"),
            Item("easel" if parents_extra == "easel" else "desk", parents_w, 5, parents_extra),
        ), spawn=(3, 6)),
    ]
    doors = [(3, 0), (kitchen_x - 1, 2), (3, 4)]
    if child:
        rooms.append(Room(child, 6, 5, 4, 3, "floor carpet blue", (
            Item("bed", 6, 5, "bed"),
            Item("piano", 8, 5, "piano"),
        ), spawn=(7, 6)))
        doors.append((7, 4))
    bath_x = 11 if child else 7
    rooms.append(Room("bathroom", bath_x, 5, w - 1 - bath_x, 3, "floor bath", (
        Item("shower", bath_x, 5, "shower"),
        Item("toilet", w - 2, 5, "toilet"),
        Item("bathroom sink", w - 2, 7, "sink"),
    )))
    doors.append((w - 3, 4))
    return Building(
        sector, x, y, w, 9, style, tuple(rooms), tuple(doors),
        decor=(Item("mailbox", 5, -1),),
    )


def shared_house(sector: str, x: int, y: int, style: str, first: str, second: str) -> Building:
    """12 x 9 for two housemates: kitchen and bathroom in front, two bedrooms behind."""
    return Building(
        sector, x, y, 12, 9, style,
        rooms=(
            Room("kitchen", 1, 1, 6, 3, "floor checker", (
                Item("stove", 3, 1, "stove"),
                Item("kitchen sink", 4, 1),
                Item("fridge", 6, 1, "fridge"),
                Item("dining table", 4, 3, "dining table"),
            )),
            Room("bathroom", 8, 1, 3, 3, "floor bath", (
                Item("bathroom sink", 8, 1, "sink"),
                Item("shower", 10, 1, "shower"),
                Item("toilet", 10, 3, "toilet"),
            )),
            _bedroom(f"{first}'s bedroom", 1, 5, 4, 3, "floor carpet green",
                     Item("desk", 4, 5, "desk")),
            Room(f"{second}'s bedroom", 6, 5, 5, 3, "floor carpet blue", (
                Item("bed", 10, 5, "bed"),
                Item("desk", 8, 5, "desk"),
            ), spawn=(7, 6)),
        ),
        doors=((2, 0), (7, 2), (3, 4), (6, 4)),
        decor=(Item("mailbox", 4, -1),),
    )


def co_living(
    sector: str,
    x: int,
    y: int,
    style: str,
    rooms: tuple[tuple[str, int], ...],
    common: tuple[int, tuple[Item, ...]],
    kitchen_w: int,
) -> Building:
    """A row of bedrooms (name, width) on a hallway, with the common room, a kitchen
    and a bathroom on the other side; the front door is in the common room's bottom wall.

    `common` is the common room's width and its furniture (building coordinates,
    top row 9). 14 tiles tall.
    """
    w = 2 + sum(width for _, width in rooms) + len(rooms) - 1
    common_w, common_items = common
    kx = common_w + 2
    bx = kx + kitchen_w + 1
    bath_w = w - 1 - bx
    built: list[Room] = []
    doors: list[tuple[int, int]] = [(3, 8), (kx + 1, 8), (bx + 1, 8), (common_w // 2 + 1, 13)]
    rx = 1
    for index, (arena, width) in enumerate(rooms):
        floor = ("floor carpet blue", "floor carpet rose", "floor carpet green")[index % 3]
        built.append(_bedroom(
            arena, rx, 1, width, 4, floor,
            Item("desk", rx + width - 1, 1, "desk"),
            Item("chair", rx + width - 1, 2),
            Item("plant", rx, 4),
        ))
        doors.append((rx + 1, 5))
        rx += width + 1
    built += [
        Room("hallway", 1, 6, w - 2, 2, "floor wood", (
            Item("plant", 1, 6),
            Item("plant", w - 2, 7),
        )),
        Room("common room", 1, 9, common_w, 4, "floor wood", common_items),
        Room("kitchen", kx, 9, kitchen_w, 4, "floor checker", (
            Item("stove", kx, 9, "stove"),
            Item("kitchen sink", kx + 2, 9),
            Item("fridge", kx + kitchen_w - 1, 9, "fridge"),
            Item("dining table", kx + 1, 11, "dining table"),
        )),
        Room("bathroom", bx, 9, bath_w, 4, "floor bath", (
            Item("shower", bx, 9, "shower"),
            Item("shower", bx, 11, "shower"),
            Item("bathroom sink", bx + 2, 9, "sink"),
            Item("toilet", bx + bath_w - 1, 9, "toilet"),
            Item("toilet", bx + bath_w - 1, 11, "toilet"),
        )),
    ]
    return Building(sector, x, y, w, 14, style, tuple(built), tuple(doors))
