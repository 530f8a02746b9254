"""Where an action happens, chosen down the agent's spatial memory: sector -> arena -> object.

Each level is a `Choose` among lettered options: the prompt lists "A. Hobbs Cafe",
"B. ..." and the scored options are the letters, so a long or multi-token place
name is not penalised. The chosen index is an index into the `options` passed to
the builder; at most 26 options. `activity` is a verb phrase ("make coffee"): the
question reads "Where should Isabella go to make coffee?". Listing the options
before the question and leaving out where the agent is now measured better on
the 0.5B model (objects 5/6 right); sectors stay hard for it (1-2/8 with 7
places), so cognition should prefer a place named in the activity when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.prompts.base import Shot, chat, lettered, letters, line
from agents.requests import Choose

TAG_SECTOR = "location_sector"
TAG_ARENA = "location_arena"
TAG_OBJECT = "location_object"

_ANSWER = "Answer with the letter only."

SECTOR_SYSTEM = ("You decide which place in a small town a person goes to for an activity. "
                 "Prefer the person's home for private activities and the fitting public "
                 "place otherwise. " + _ANSWER)
ARENA_SYSTEM = ("You decide which room or area of a place a person uses for an activity. "
                + _ANSWER)
OBJECT_SYSTEM = "You decide which object a person uses for an activity. " + _ANSWER


def _sector_task(agent: str, activity: str, options: Sequence[str]) -> str:
    return (f"Places:\n{lettered(options)}\n"
            f"Where should {agent} go to {line(activity, 120)}?")


def _arena_task(agent: str, activity: str, sector: str, options: Sequence[str]) -> str:
    return (f"Areas of {line(sector, 80)}:\n{lettered(options)}\n"
            f"Where should {agent} go to {line(activity, 120)}?")


def _object_task(agent: str, activity: str, arena: str, options: Sequence[str]) -> str:
    return (f"Objects in {line(arena, 80)}:\n{lettered(options)}\n"
            f"What should {agent} use to {line(activity, 120)}?")


def _about(agent: str, home: str, workplace: str) -> str:
    text = f"{line(agent, 60)} lives in {line(home, 80)}."
    return text + (f" {line(agent, 60)} works at {line(workplace, 80)}." if workplace else "")


SECTOR_SHOTS: tuple[Shot, ...] = (
    (_about("Ben Harlow", "Harlow House", "Town Library") + "\n\n" + _sector_task(
        "Ben Harlow", "buy milk and bread",
        ("Harlow House", "Town Park", "Green Grocery", "Town Library")), "C"),
    (_about("Nora Finch", "Finch Cottage", "Green Grocery") + "\n\n" + _sector_task(
        "Nora Finch", "take a shower",
        ("Finch Cottage", "Town Park", "Green Grocery")), "A"),
    (_about("Ada Quill", "Quill Flat", "Sunny Bakery") + "\n\n" + _sector_task(
        "Ada Quill", "bake bread for customers",
        ("Town Park", "Quill Flat", "Green Grocery", "Sunny Bakery")), "D"),
)
ARENA_SHOTS: tuple[Shot, ...] = (
    (_about("Ben Harlow", "Harlow House", "Town Library") + "\n\n" + _arena_task(
        "Ben Harlow", "cook dinner", "Harlow House",
        ("bedroom", "kitchen", "bathroom", "garden")), "B"),
    (_about("Ada Quill", "Quill Flat", "Sunny Bakery") + "\n\n" + _arena_task(
        "Ada Quill", "serve customers", "Sunny Bakery",
        ("shop counter", "storage room")), "A"),
)
OBJECT_SHOTS: tuple[Shot, ...] = (
    (_about("Ben Harlow", "Harlow House", "Town Library") + "\n\n" + _object_task(
        "Ben Harlow", "go to sleep", "the bedroom of Harlow House",
        ("desk", "wardrobe", "bed", "mirror")), "C"),
    (_about("Nora Finch", "Finch Cottage", "Green Grocery") + "\n\n" + _object_task(
        "Nora Finch", "make a cup of tea", "the kitchen of Finch Cottage",
        ("kettle", "fridge", "sink")), "A"),
)


def sector_request(*, agent: str, home: str, activity: str, options: Sequence[str],
                   workplace: str = "") -> Choose:
    """Which known sector (building or outdoor place) to go to for `activity`."""
    return _choose(SECTOR_SYSTEM, SECTOR_SHOTS, _about(agent, home, workplace),
                   _sector_task(line(agent, 60), activity, options), options, TAG_SECTOR)


def arena_request(*, agent: str, home: str, activity: str, sector: str,
                  options: Sequence[str], workplace: str = "") -> Choose:
    """Which known arena (room or area) of `sector` to use for `activity`."""
    return _choose(ARENA_SYSTEM, ARENA_SHOTS, _about(agent, home, workplace),
                   _arena_task(line(agent, 60), activity, sector, options), options, TAG_ARENA)


def object_request(*, agent: str, home: str, activity: str, arena: str,
                   options: Sequence[str], workplace: str = "") -> Choose:
    """Which object of `arena` (e.g. "the kitchen of Lin Family House") to use."""
    return _choose(OBJECT_SYSTEM, OBJECT_SHOTS, _about(agent, home, workplace),
                   _object_task(line(agent, 60), activity, arena, options), options, TAG_OBJECT)


def _choose(system: str, shots: Sequence[Shot], about: str, task: str,
            options: Sequence[str], tag: str) -> Choose:
    prompt = chat(system=system, shots=shots, agent_part=about, task=task)
    return Choose(prompt, options=letters(len(options)), tag=tag)
