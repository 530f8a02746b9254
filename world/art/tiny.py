"""`tiny.tmj`: a 30 x 20 town for three residents (tests and quick demos).

A cafe and a little park north of the road, one shared house south of it.
"""

from __future__ import annotations

from world.art.plan import Area, Building, Item, Patch, Road, Room, Scatter, TownPlan

CAFE = Building(
    "Hobbs Cafe", 2, 1, 15, 6, "brick",
    rooms=(
        Room("cafe", 1, 1, 9, 4, "floor wood", (
            Item("counter", 1, 1, "counter", w=3),
            Item("coffee machine", 4, 1, "coffee machine"),
            Item("plant", 9, 1),
            Item("chair", 5, 3),
            Item("cafe table", 6, 3, "cafe table 1"),
            Item("chair", 7, 3),
            Item("plant", 1, 4),
        )),
        Room("kitchen", 11, 1, 3, 4, "floor checker", (
            Item("stove", 11, 1, "stove"),
            Item("worktop", 12, 1),
            Item("fridge", 13, 1, "fridge"),
        )),
    ),
    doors=((5, 5), (10, 2)),
)

SHARED_HOUSE = Building(
    "Shared house", 2, 11, 26, 8, "mint",
    rooms=(
        Room("hallway", 1, 1, 24, 1, "floor wood"),
        Room("kitchen", 1, 3, 6, 4, "floor checker", (
            Item("stove", 1, 3, "stove"),
            Item("worktop", 2, 3),
            Item("kitchen sink", 3, 3),
            Item("fridge", 6, 3, "fridge"),
            Item("dining table", 3, 5, "dining table"),
        )),
        Room("bathroom", 8, 3, 3, 4, "floor bath", (
            Item("shower", 8, 3, "shower"),
            Item("bathroom sink", 10, 3, "sink"),
            Item("toilet", 10, 6, "toilet"),
        )),
        *(
            Room(f"{who}'s bedroom", x, 3, w, 4, floor, (
                Item("bed", x, 3, "bed"),
                Item("desk", x + w - 1, 3, "desk"),
                Item("chair", x + w - 1, 4),
                Item("plant", x, 6),
            ), spawn=(x + 1, 4))
            for who, x, w, floor in (
                ("Isabella", 12, 4, "floor carpet rose"),
                ("Sam", 17, 4, "floor carpet blue"),
                ("Maria", 22, 3, "floor carpet green"),
            )
        ),
    ),
    doors=((10, 0), (5, 2), (9, 2), (13, 2), (18, 2), (23, 2)),
)

PARK = Area(
    "Johnson Park", 18, 1, 11, 6,
    arenas=(
        Room("park", 0, 0, 11, 6, None, (
            Item("fountain", 4, 1, "fountain"),
            Item("bench", 1, 4, "bench"),
            Item("flower bed", 8, 4),
            Item("flower bed", 9, 4),
        )),
    ),
)

PLAN = TownPlan(
    name="tiny",
    width=30,
    height=20,
    seed=7,
    roads=(Road(horizontal=True, at=7, start=0, end=30),),
    patches=(
        Patch("plaza", 21, 1, 5, 6),
        Patch("path", 19, 5, 2, 1),
    ),
    buildings=(CAFE, SHARED_HOUSE),
    areas=(PARK,),
    scatter=(Scatter(("tree", "bush", "tree"), 18, 1, 11, 6, 6),),
)
