"""`smallville.tmj`: the default town, 100 x 70 tiles, for the 25-resident scenario.

Two avenues and two streets cut the town into a three-by-three grid. The
college, its dorm and the artists' co-living house line the north; the cafe,
the supply store, Johnson Park, the town hall, the pub and the market the
middle; family houses and small homes the south, where a footpath serves the
back row. Every building's door opens onto a path to a sidewalk.
"""

from __future__ import annotations

from world.art.homes import co_living, family_house, shared_house, small_home
from world.art.plan import Area, Building, Item, Patch, Road, Room, Scatter, TownPlan

# Roads (first row or column of each four-tile road).
NORTH_STREET, SOUTH_STREET = 22, 46
WEST_AVENUE, EAST_AVENUE = 31, 64


def _college() -> Building:
    desks = tuple(
        Item("student desk", x, y, "student desks")
        for y in (4, 6)
        for x in (2, 3, 4, 5, 8, 9, 10, 11)
    )
    return Building(
        "Oak Hill College", 2, 6, 28, 15, "stone",
        rooms=(
            Room("classroom", 1, 1, 12, 8, "floor lino", (
                Item("blackboard", 4, 1, "blackboard", w=5),
                Item("desk", 9, 2, "teacher's desk"),
                Item("plant", 1, 1),
                Item("bookshelf", 12, 1),
                *desks,
            )),
            Room("library", 14, 1, 13, 8, "floor carpet green", (
                Item("bookshelf", 14, 1, "bookshelf", w=13),
                Item("bookshelf", 14, 4, w=4),
                Item("bookshelf", 23, 4, w=4),
                Item("reading table", 18, 6, "reading table"),
                Item("reading table", 22, 6, "reading table"),
                *(Item("chair", x, 7) for x in (18, 19, 22, 23)),
                Item("plant", 26, 8),
            )),
            Room("hallway", 1, 10, 26, 4, "floor store", (
                Item("notice board", 4, 10, "notice board"),
                Item("plant", 1, 10),
                Item("plant", 26, 10),
                Item("bench", 8, 10),
                Item("bench", 17, 10),
                Item("plant", 1, 13),
                Item("plant", 26, 13),
            )),
        ),
        doors=((6, 9), (20, 9), (13, 14)),
    )


def _cafe() -> Building:
    tables = (
        (7, 4, "cafe table 1"), (11, 3, "cafe table 2"), (11, 6, "cafe table 3"), (7, 6, None)
    )
    return Building(
        "Hobbs Cafe", 14, 27, 16, 9, "brick",
        rooms=(
            Room("kitchen", 1, 1, 3, 7, "floor checker", (
                Item("stove", 1, 2, "stove"),
                Item("worktop", 1, 3),
                Item("kitchen sink", 1, 4, "sink"),
                Item("fridge", 1, 6, "fridge"),
            )),
            Room("cafe", 5, 1, 10, 7, "floor wood", (
                Item("coffee machine", 5, 2, "coffee machine"),
                Item("counter", 6, 2, "counter", w=3),
                Item("plant", 14, 1),
                Item("plant", 5, 7),
                Item("bookshelf", 12, 1),
                *(
                    item
                    for x, y, name in tables
                    for item in (
                        Item("chair", x - 1, y),
                        Item("cafe table", x, y, name),
                        Item("chair", x + 1, y),
                    )
                ),
            )),
        ),
        doors=((9, 0), (15, 4), (4, 1)),
    )


def _supply_store() -> Building:
    return Building(
        "Harvey Oak Supply Store", 2, 27, 11, 9, "siding",
        rooms=(
            Room("supply store", 1, 1, 9, 7, "floor store", (
                Item("counter", 6, 1, "checkout counter", w=2),
                Item("register", 8, 1, "checkout counter"),
                *(Item("supply shelf", x, y, "shelves", w=3) for x in (2, 6) for y in (3, 5)),
                Item("plant", 1, 7),
                Item("supply shelf", 9, 7),
            )),
        ),
        doors=((5, 0),),
    )


def _town_hall() -> Building:
    chairs = tuple(
        Item("chair", x, y, "chairs") for y in (4, 5, 6) for x in (4, 5, 6, 7, 9, 10, 11, 12)
    )
    return Building(
        "Town Hall", 69, 27, 16, 9, "stone",
        rooms=(
            Room("meeting hall", 1, 1, 14, 7, "floor wood", (
                Item("podium", 8, 1, "podium"),
                Item("plant", 6, 1),
                Item("plant", 10, 1),
                Item("notice board", 13, 1),
                Item("bookshelf", 14, 1),
                *chairs,
            )),
        ),
        doors=((2, 0),),
    )


def _pub() -> Building:
    return Building(
        "The Rose and Crown Pub", 86, 27, 12, 9, "brick",
        rooms=(
            Room("pub", 1, 1, 10, 7, "floor dark wood", (
                Item("bar", 2, 2, "bar counter", w=6),
                Item("bookshelf", 1, 1, w=2),
                *(Item("stool", x, 3) for x in (2, 4, 6)),
                Item("chair", 1, 5),
                Item("pub table", 2, 5, "pub table 1"),
                Item("chair", 3, 5),
                Item("chair", 5, 6),
                Item("pub table", 6, 6, "pub table 2"),
                Item("chair", 7, 6),
                Item("piano", 9, 7, "piano"),
                Item("plant", 10, 3),
            )),
        ),
        doors=((9, 0),),
    )


def _market() -> Building:
    return Building(
        "The Willows Market and Pharmacy", 69, 38, 29, 7, "mint",
        rooms=(
            Room("market", 1, 1, 17, 5, "floor store", (
                Item("grocery shelf", 1, 1, "grocery shelves", w=12),
                Item("grocery shelf", 2, 3, "grocery shelves", w=5),
                Item("grocery shelf", 9, 3, "grocery shelves", w=5),
                Item("counter", 14, 4, "checkout counter", w=2),
                Item("register", 16, 4, "checkout counter"),
                Item("plant", 17, 1),
            )),
            Room("pharmacy", 19, 1, 9, 5, "floor bath", (
                Item("medicine shelf", 19, 1, "medicine shelves", w=9),
                Item("counter", 21, 3, "pharmacy counter", w=4),
                Item("plant", 27, 5),
            )),
        ),
        doors=((8, 6), (23, 6), (18, 3)),
    )


def _park() -> Area:
    """Johnson Park fills the middle block: a fountain on a plaza, a pond, a garden."""
    benches = (
        Item("bench", 10, 7, "bench"),
        Item("bench", 17, 7),
        Item("bench", 10, 13),
        Item("bench", 17, 13),
    )
    return Area(
        "Johnson Park", 35, 26, 29, 20,
        arenas=(
            Room("park", 0, 0, 29, 20, None, (
                Item("fountain", 13, 9, "fountain"),
                *benches,
                *(Item("flower bed", x, y) for x in (9, 19) for y in (6, 14)),
                *(Item("garden bed", x, y, "garden") for x in (2, 3, 4, 6, 7, 8) for y in (15, 16)),
                Item("lamp post", 12, 6),
                Item("lamp post", 16, 14),
                *_hedges(),
            )),
        ),
    )


def _hedges() -> tuple[Item, ...]:
    """A hedge round the park (park coordinates), open where the paths come in."""
    return (
        Item("hedge", 0, 0, w=12),
        Item("hedge", 17, 0, w=2),
        Item("hedge", 0, 19, w=12),
        Item("hedge", 17, 19, w=12),
        Item("hedge", 0, 1, h=7),
        Item("hedge", 0, 13, h=6),
        Item("hedge", 28, 7, h=1),
        Item("hedge", 28, 13, h=6),
    )


def _homes() -> tuple[Building, ...]:
    back_row = 61
    return (
        co_living(
            "Oak Hill College Dorm", 37, 7, "plaster",
            rooms=(("Maria's room", 5), ("Klaus's room", 5), ("Ayesha's room", 5),
                   ("Wolfgang's room", 6)),
            common=(11, (
                Item("sofa", 1, 9, "sofa"),
                Item("coffee table", 2, 10),
                Item("tv", 5, 9, "tv"),
                Item("bookshelf", 11, 9),
                Item("plant", 11, 12),
            )),
            kitchen_w=6,
        ),
        co_living(
            "Artists' co-living space", 69, 7, "siding",
            rooms=(("Latoya's room", 4), ("Rajiv's room", 5), ("Abigail's room", 4),
                   ("Francisco's room", 5), ("Hailey's room", 4)),
            common=(12, (
                Item("sofa", 1, 9, "sofa"),
                Item("coffee table", 2, 10),
                Item("easel", 6, 10, "easel"),
                Item("easel", 9, 10, "easel"),
                Item("bookshelf", 12, 9),
                Item("plant", 1, 12),
            )),
            kitchen_w=6,
        ),
        small_home("Isabella Rodriguez's apartment", 3, 38, "plaster", door_top=False),
        small_home("Giorgio Rossi's apartment", 16, 38, "mint", door_top=False),
        family_house("Lin family house", 2, 51, "brick",
                     parents="Mei and John's bedroom", child="Eddy's bedroom"),
        family_house("Moreno family house", 18, 51, "plaster", parents="Tom and Jane's bedroom"),
        family_house("Moore family house", 36, 51, "siding",
                     parents="Sam and Jennifer's bedroom", parents_extra="easel"),
        shared_house("Taylor and Ortiz house", 50, 51, "mint", "Tamara", "Carmen"),
        small_home("Ryan Park's apartment", 71, 51, "stone", door_top=True),
        *(
            small_home(sector, x, back_row, style, door_top=True, mailbox=False)
            for sector, x, style in (
                ("Adam Smith's house", 4, "siding"),
                ("Yuriko Yamamoto's house", 17, "mint"),
                ("Arthur Burton's apartment", 37, "brick"),
                ("Carlos Gomez's apartment", 50, "plaster"),
            )
        ),
    )


PLAN = TownPlan(
    name="smallville",
    width=100,
    height=70,
    seed=2023,
    roads=(
        Road(horizontal=True, at=NORTH_STREET, start=0, end=100),
        Road(horizontal=True, at=SOUTH_STREET, start=0, end=100),
        Road(horizontal=False, at=WEST_AVENUE, start=0, end=70),
        Road(horizontal=False, at=EAST_AVENUE, start=0, end=70),
    ),
    patches=(
        # Johnson Park: cross paths, a plaza round the fountain, a pond.
        Patch("path", 48, 26, 3, 20),
        Patch("path", 35, 35, 29, 3),
        Patch("plaza", 44, 31, 11, 11),
        Patch("pond", 55, 27, 8, 6),
        # The back-row footpath of the south blocks.
        Patch("path", 2, 60, 29, 1),
        Patch("path", 35, 60, 29, 1),
        # The town square in front of the town hall.
        Patch("plaza", 69, 26, 16, 1),
        # Willow Pond and its walk, south-east.
        Patch("path", 68, 60, 31, 1),
        Patch("pond", 84, 52, 11, 6),
        Patch("path", 83, 51, 1, 9),
    ),
    buildings=(_college(), _cafe(), _supply_store(), _town_hall(), _pub(), _market(), *_homes()),
    areas=(_park(),),
    decor=(
        Item("bench", 86, 59),
        Item("bench", 91, 59),
        Item("bench", 76, 59),
    ),
    scatter=(
        Scatter(("oak",), 1, 1, 98, 6, 14),
        Scatter(("tree", "pine", "tree", "bush"), 1, 1, 31, 5, 22),
        Scatter(("tree", "bush", "tree"), 35, 1, 29, 6, 20),
        Scatter(("pine", "tree", "pine", "bush"), 68, 1, 31, 6, 22),
        Scatter(("oak",), 35, 26, 29, 20, 6),
        Scatter(("tree", "bush", "tree", "flowers"), 35, 26, 29, 20, 40),
        Scatter(("oak",), 68, 50, 31, 19, 10),
        Scatter(("tree", "pine", "bush", "tree"), 68, 50, 31, 19, 70),
        Scatter(("tree", "bush"), 1, 36, 30, 2, 6),
        Scatter(("tree", "bush", "pine"), 1, 50, 64, 19, 30),
    ),
)
