"""Where an activity happens: places it names are taken without asking the model, someone
else's room is left out, and an object is used only when one fits (measured with MiniLM)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from agents.cognition.acting import choose_arena, choose_object, named_option, others_place
from agents.config import CognitionConfig
from agents.context import TickContext
from agents.memory import MemoryIds, MemoryStream
from agents.mind import FallbackCounter, Mind
from agents.persona import Persona
from agents.prompts import location
from agents.requests import Embed, EmbedResult, ModelRequest, ModelResult
from agents.retrieval import RetrievalConfig
from agents.state import AgentState
from sim.batching import drive
from sim.models.embedder import MiniLMEmbedder
from sim.models.fake import FakeModel
from world.address import Address
from world.objects import ObjectStates
from world.pathfinding import Pathfinder
from world.spatial_memory import SpatialMemory
from world.tiled import load_town
from world.town import Town

SECTORS = ("Hobbs Cafe", "Johnson Park", "Lin family house", "Moreno family house",
           "Oak Hill College")


@pytest.mark.parametrize("activity,expected", [
    ("bake pastries at Hobbs Cafe", "Hobbs Cafe"),
    ("open the cafe", "Hobbs Cafe"),
    ("take a walk in the park", "Johnson Park"),
    ("attend a lecture at the college", "Oak Hill College"),
    ("have dinner with the Lin family", "Lin family house"),
    ("have lunch", None),                      # nothing named: the model decides
    ("clean the family house", None),          # words shared by two houses: ambiguous
])
def test_a_sector_named_in_the_activity_is_chosen(activity: str, expected: str | None) -> None:
    index = named_option(activity, SECTORS)
    assert (SECTORS[index] if index is not None else None) == expected


def test_the_longest_whole_name_wins_over_a_shorter_one() -> None:
    objects = ("machine", "coffee machine", "counter")
    assert named_option("start the coffee machine", objects) == 1
    assert named_option("make coffee", objects) == 1
    assert named_option("go to bed", ("bed", "bedside table", "desk")) == 0


def test_words_match_whole_words_only() -> None:
    assert named_option("read in bed", ("bedroom", "kitchen")) is None
    assert named_option("cook in the kitchen", ("Isabella's bedroom", "kitchen")) == 1


# --- someone else's room, and an object only when one fits -----------------------------------

@pytest.mark.parametrize("place,resident,theirs", [
    ("Sam's bedroom", "Isabella Rodriguez", True),
    ("Isabella's bedroom", "Isabella Rodriguez", False),
    ("Isabella Rodriguez's apartment", "Klaus Mueller", True),
    ("Isabella Rodriguez's apartment", "Isabella Rodriguez", False),
    ("Mei and John's bedroom", "Mei Lin", False),       # shared: hers too
    ("Mei and John's bedroom", "Eddy Lin", True),
    ("Artists' co-living space", "Klaus Mueller", False),  # a plural, not a person's
    ("Hobbs Cafe", "Klaus Mueller", False),
])
def test_a_place_named_as_another_persons_is_theirs(place: str, resident: str,
                                                    theirs: bool) -> None:
    assert others_place(place, resident) is theirs


def _mind(town: Town, name: str, home: str) -> Mind:
    persona = Persona(name=name, age=30, traits=("kind",), background="", occupation="",
                      lifestyle="", home=home)
    config = CognitionConfig(RetrievalConfig())
    return Mind(0, persona, AgentState(tile=(0, 0), asleep=False),
                MemoryStream(0, config.retrieval, MemoryIds()),
                SpatialMemory.from_addresses(town, ["Shared house", "Hobbs Cafe"]), config,
                FallbackCounter())


def _context(town: Town) -> TickContext:
    return TickContext(tick=0, now=datetime(2023, 2, 13, 9, 0), tick_seconds=10, town=town,
                       pathfinder=Pathfinder(town), objects=ObjectStates(town), residents={},
                       run_seed=0)


def nearest_is(word: str) -> FakeModel:
    """Embeddings under which the option containing `word` is nearest the activity, at
    cosine 0.5, and every other option is orthogonal to it."""
    def respond(request: ModelRequest) -> ModelResult | None:
        if not isinstance(request, Embed):
            return None
        vectors = np.zeros((len(request.texts), 3), dtype=np.float32)
        vectors[0] = (1.0, 0.0, 0.0)
        for i, text in enumerate(request.texts[1:], start=1):
            vectors[i] = (0.5, 0.866, 0.0) if word in text else (0.0, 0.0, 1.0)
        return EmbedResult(vectors)
    return FakeModel(respond)


@pytest.fixture(scope="module")
def tiny() -> Town:
    return load_town(Path(__file__).parents[1] / "world" / "maps" / "tiny.tmj")


def test_someone_elses_bedroom_is_left_out_even_when_nearest(tiny: Town) -> None:
    mind = _mind(tiny, "Isabella Rodriguez", "Shared house:Isabella's bedroom")
    step = choose_arena(mind, _context(tiny), "wake up and check the house")
    place = drive(nearest_is("Sam's bedroom"), {0: step})[0]
    assert place.sector == "Shared house" and place.arena != "Sam's bedroom"
    # Sam's own room is still his.
    sam = _mind(tiny, "Sam Moore", "Shared house:Sam's bedroom")
    place = drive(nearest_is("Sam's bedroom"),
                  {0: choose_arena(sam, _context(tiny), "wake up and check the house")})[0]
    assert place.arena == "Sam's bedroom"


def test_an_object_is_used_only_when_one_is_near_enough(tiny: Town) -> None:
    mind = _mind(tiny, "Isabella Rodriguez", "Shared house:Isabella's bedroom")
    kitchen = Address("town", "Hobbs Cafe", "kitchen")
    used = drive(nearest_is("stove"), {0: choose_object(mind, _context(tiny), kitchen,
                                                         "bake croissants")})[0]
    assert used == Address("town", "Hobbs Cafe", "kitchen", "stove")
    # Nothing in the kitchen is near "check the planning board": the kitchen, no object.
    none = drive(nearest_is("nothing"), {0: choose_object(mind, _context(tiny), kitchen,
                                                          "check the planning board")})[0]
    assert none == kitchen
    # An object the activity names is used whatever the embeddings say.
    named = drive(nearest_is("nothing"), {0: choose_object(mind, _context(tiny), kitchen,
                                                           "clean the fridge")})[0]
    assert named.object == "fridge"


OBJECT_CASES = [  # activity, sector, arena, objects, the object it uses (None: none fits)
    ("brew coffee for the first customers", "Hobbs Cafe", "cafe",
     ["cafe table 1", "coffee machine", "counter"], "coffee machine"),
    ("wipe down the tables", "Hobbs Cafe", "cafe",
     ["cafe table 1", "coffee machine", "counter"], "cafe table 1"),
    ("check the town's planning board", "Hobbs Cafe", "cafe",
     ["cafe table 1", "coffee machine", "counter"], None),
    ("invite customers to the Valentine's Day party", "Hobbs Cafe", "cafe",
     ["cafe table 1", "coffee machine", "counter"], None),
    ("start the physics class", "Hobbs Cafe", "kitchen", ["fridge", "stove"], None),
    ("bake croissants", "Hobbs Cafe", "kitchen", ["fridge", "stove"], "stove"),
    ("put the milk away", "Hobbs Cafe", "kitchen", ["fridge", "stove"], "fridge"),
    ("plan the town's planning board", "Hobbs Cafe", "kitchen", ["fridge", "stove"], None),
    ("load the pastries", "Shared house", "Sam's bedroom", ["bed", "desk"], None),
    ("wake up and check the house", "Shared house", "Isabella's bedroom", ["bed", "desk"],
     "bed"),
    ("sleep", "Shared house", "Isabella's bedroom", ["bed", "desk"], "bed"),
    ("take a shower", "Shared house", "bathroom", ["shower", "sink", "toilet"], "shower"),
    ("get dressed", "Shared house", "bathroom", ["shower", "sink", "toilet"], None),
    ("cook breakfast", "Shared house", "kitchen", ["dining table", "fridge", "stove"], "stove"),
    ("eat lunch", "Shared house", "kitchen", ["dining table", "fridge", "stove"],
     "dining table"),
    ("call her mother", "Shared house", "kitchen", ["dining table", "fridge", "stove"], None),
    ("feed the ducks", "Johnson Park", "park", ["bench", "fountain"], None),
    ("sit and read the newspaper", "Johnson Park", "park", ["bench", "fountain"], "bench"),
    ("take a morning walk", "Johnson Park", "park", ["bench", "fountain"], None),
    ("walk in Johnson Park every morning, whatever the weather", "Johnson Park", "park",
     ["bench", "fountain"], None),
    ("play a song", "The Rose and Crown Pub", "pub",
     ["bar counter", "piano", "pub table 1", "pub table 2"], "piano"),
    ("pour drinks for the regulars", "The Rose and Crown Pub", "pub",
     ["bar counter", "piano", "pub table 1", "pub table 2"], "bar counter"),
    ("give a lecture on ethics", "Oak Hill College", "classroom",
     ["blackboard", "student desks", "teacher's desk"], "blackboard"),
    ("take notes during the lecture", "Oak Hill College", "classroom",
     ["blackboard", "student desks", "teacher's desk"], "student desks"),
    ("look for a book on economics", "Oak Hill College", "library",
     ["bookshelf", "reading table"], "bookshelf"),
    ("study for the exam", "Oak Hill College", "library", ["bookshelf", "reading table"],
     "reading table"),
    ("meet with her advisor", "Oak Hill College", "library", ["bookshelf", "reading table"],
     None),
    ("buy groceries", "The Willows Market and Pharmacy", "market",
     ["checkout counter", "grocery shelves"], "grocery shelves"),
    ("pick up a prescription", "The Willows Market and Pharmacy", "pharmacy",
     ["medicine shelves", "pharmacy counter"], "pharmacy counter"),
    ("give a speech about the election", "Town Hall", "meeting hall", ["chairs", "podium"],
     "podium"),
    ("paint a landscape", "Artists' co-living space", "common room", ["easel", "sofa"],
     "easel"),
    ("watch a film", "Oak Hill College Dorm", "common room", ["sofa", "tv"], "tv"),
    ("talk with roommates about the party", "Oak Hill College Dorm", "common room",
     ["sofa", "tv"], None),
    ("restock the shelves with paint", "Harvey Oak Supply Store", "supply store",
     ["checkout counter", "shelves"], "shelves"),
    ("think about the research paper", "Oak Hill College Dorm", "Klaus's room",
     ["bed", "desk"], None),
]


def test_the_object_fit_is_measured_on_labelled_activities() -> None:
    """`location.OBJECT_FIT` with the real MiniLM embedder: every activity whose nearest
    object is the right one keeps it, and most activities no object fits get none."""
    embedder = MiniLMEmbedder(device="cpu", batch_size=32)
    right_kept, right, unfit_dropped, unfit = 0, 0, 0, 0
    for activity, sector, arena, objects, expected in OBJECT_CASES:
        request = location.object_request(activity=activity, arena=f"the {arena} of {sector}",
                                          objects=objects)
        result = EmbedResult(embedder.embed_texts(list(request.texts)))
        picked = location.fitting(result, location.OBJECT_FIT)
        if expected is None:
            unfit += 1
            unfit_dropped += picked is None
        elif objects[location.nearest(result)] == expected:
            right += 1
            right_kept += picked is not None
    assert right >= 20 and right_kept == right
    assert unfit_dropped >= 9 and unfit == 13
