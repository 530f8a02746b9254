"""Where an action happens, chosen down the agent's spatial memory: sector -> arena -> object.

Each level is decided by meaning, not by a language model: the activity and each option,
described by what it holds ("Hobbs Cafe: cafe (coffee machine, counter); kitchen
(fridge, stove)"), are embedded in one `Embed` request, and the option nearest the
activity wins (`nearest`). Measured on the 0.5B default model, a `Choose` among
lettered options answered the first letter every time (18 of 18 in the quick start,
10 of 10 hand-checked activities); scored by the places' names, or calibrated against a
content-free question, it got 3 of 10 right; the embeddings (all-MiniLM-L6-v2) of the
places with their rooms and objects got 8 of 10. The request's first text is the
activity, the others the options in the order given; the index `nearest` returns is an
index into those options.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from agents.prompts.base import line
from agents.requests import Embed, EmbedResult

TAG_SECTOR = "location_sector"
TAG_ARENA = "location_arena"
TAG_OBJECT = "location_object"
MAX_OPTIONS = 26


def _described(name: str, parts: Mapping[str, Sequence[str]] | Sequence[str]) -> str:
    if isinstance(parts, Mapping):
        inner = "; ".join(f"{line(k, 60)} ({', '.join(line(o, 40) for o in v)})" if v
                          else line(k, 60) for k, v in parts.items())
    else:
        inner = ", ".join(line(o, 40) for o in parts)
    return f"{line(name, 80)}: {inner}" if inner else line(name, 80)


def _request(activity: str, options: Sequence[str], tag: str) -> Embed:
    if not 1 <= len(options) <= MAX_OPTIONS:
        raise ValueError(f"a place choice needs 1..{MAX_OPTIONS} options, got {len(options)}")
    return Embed((line(activity, 120), *options), tag=tag)


def sector_request(*, activity: str, sectors: Mapping[str, Mapping[str, Sequence[str]]]
                   ) -> Embed:
    """Which known sector (building or outdoor place) to go to for `activity`; `sectors`
    maps each sector, in option order, to its known arenas and their objects."""
    return _request(activity, [_described(name, arenas) for name, arenas in sectors.items()],
                    TAG_SECTOR)


def arena_request(*, activity: str, sector: str,
                  arenas: Mapping[str, Sequence[str]]) -> Embed:
    """Which known arena (room or area) of `sector` to use; `arenas` maps each arena, in
    option order, to its known objects."""
    return _request(activity, [_described(f"{name} of {sector}", objects)
                               for name, objects in arenas.items()], TAG_ARENA)


def object_request(*, activity: str, arena: str, objects: Sequence[str]) -> Embed:
    """Which object of `arena` (e.g. "the kitchen of Lin Family House") to use."""
    return _request(activity, [f"{line(name, 40)} in {line(arena, 80)}" for name in objects],
                    TAG_OBJECT)


OBJECT_FIT = 0.2
"""The least cosine similarity between an activity and "<object> in the <arena> of
<sector>" at which the object is used (`fitting`). Measured with all-MiniLM-L6-v2 on 42
labelled activities of our own in the shipped towns' rooms (`tests/test_acting.py`):
every right pick scored 0.22 or more, while 9 of 13 activities that no object of the
room fits ("start the physics class" in a kitchen, "load the pastries" in a bedroom)
scored under 0.2; those took the nearest object anyway and gave it a state ("stove:
being taught", "bed: being loaded in the kitchen")."""


def fitting(result: EmbedResult, floor: float) -> int | None:
    """The option nearest the activity (`nearest`) when its cosine similarity reaches
    `floor`; None when no option is that near."""
    index = nearest(result)
    vectors = result.vectors
    return index if float(vectors[1 + index] @ vectors[0]) >= floor else None


def nearest(result: EmbedResult) -> int:
    """The option (an index into the request's options) whose embedding is closest to the
    activity's, by cosine similarity; ties go to the earlier option."""
    vectors = result.vectors
    if len(vectors) < 2:
        raise ValueError("a place choice needs the activity and at least one option")
    similarity = vectors[1:] @ vectors[0]
    return int(np.argmax(similarity))
