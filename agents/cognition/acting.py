"""Acting in the world: where an activity happens, its pictogram, the path there.

The place is found by walking the agent's spatial memory sector -> arena ->
object. At each level a place the activity names ("bake bread at the cafe")
wins outright; otherwise the option whose description (with the rooms and objects
the agent knows there) is nearest the activity in embedding space (see
`agents.prompts.location`), leaving out places named as someone else's ("Sam's
bedroom" for Isabella); an object only when it is near enough. The pictogram is
the fixed-set icon whose name is nearest the activity in embedding space. Neither
calls the language model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from agents.context import TickContext
from agents.mind import Mind, embed_texts
from agents.prompts import location
from agents.prompts.base import PromptParseError
from agents.prompts.object_state import object_state_request, parse_object_state
from agents.prompts.pictogram import NAMES, PICTOGRAMS
from agents.requests import Embed, Generate
from agents.state import CurrentAction
from agents.steps import Step, embed, generate
from world.address import Address

_WORD = re.compile(r"[a-z]+")
_FILLER = frozenset({"the", "a", "an", "of", "and", "at", "in", "on", "to", "for", "with",
                     "s", "my", "her", "his", "their", "up"})
_AT_WORK = re.compile(r"\b(?:at|to|for|from) work\b|\bshift\b", re.IGNORECASE)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower())) - _FILLER


def _phrase(text: str) -> str:
    """Lower-case words with single spaces around, so `in` matches whole words only."""
    return f" {' '.join(_WORD.findall(text.lower()))} "


def named_option(activity: str, options: Sequence[str]) -> int | None:
    """The option the activity names: a whole name (the longest that appears), else the
    one option named by words no other option has ("Lin" for "Lin family house");
    None when none or several are named."""
    text = _phrase(activity)
    phrases = [_phrase(name) for name in options]
    whole = [i for i, phrase in enumerate(phrases) if phrase.strip() and phrase in text]
    if whole:
        return max(whole, key=lambda i: len(options[i]))
    owners: dict[str, set[int]] = {}
    for i, name in enumerate(options):
        for word in _words(name):
            owners.setdefault(word, set()).add(i)
    hits = {next(iter(owners[w])) for w in _words(activity) if len(owners.get(w, ())) == 1}
    return hits.pop() if len(hits) == 1 else None


_OWNERS = re.compile(r"((?:[A-Z][\w-]*(?:\s+and)?\s+)*[A-Z][\w-]*)'s\b")


def others_place(name: str, own_name: str) -> bool:
    """Whether a place is named as someone else's: a possessive of names none of which is
    part of `own_name` ("Sam's bedroom" for Isabella Rodriguez; "Mei and John's bedroom"
    is Mei's too, "Isabella Rodriguez's apartment" hers)."""
    own = set(own_name.split())
    return any(not own & set(re.findall(r"[A-Z][\w-]*", match))
               for match in _OWNERS.findall(name))


def _not_others(options: Sequence[str], own_name: str) -> list[int]:
    """The indices of options not named as someone else's; all of them when every one is."""
    kept = [i for i, name in enumerate(options) if not others_place(name, own_name)]
    return kept or list(range(len(options)))


def _named_sector(activity: str, sectors: Sequence[str], home: str,
                  workplace: str) -> int | None:
    """A sector named in the activity, else home for "home", else the workplace for work."""
    named = named_option(activity, sectors)
    if named is not None:
        return named
    if "home" in _words(activity) and home in sectors:
        return sectors.index(home)
    if workplace in sectors and _AT_WORK.search(activity):
        return sectors.index(workplace)
    return None


def nearest_place(request: Embed) -> Step[int]:
    """The option of a place request nearest its activity (see `location.nearest`)."""
    result = yield from embed(request)
    return location.nearest(result)


def choose_arena(mind: Mind, ctx: TickContext, activity: str) -> Step[Address]:
    """The sector and arena (from what the agent knows) where `activity` happens."""
    places = mind.places
    home = ctx.town.resolve(mind.persona.home)
    work = ctx.town.resolve(mind.persona.workplace) if mind.persona.workplace else None
    workplace = work.sector or "" if work else ""
    sectors = places.sectors()
    sector = sectors[0] if sectors else home.sector
    if len(sectors) > 1:
        index = _named_sector(activity, sectors, str(home.sector), workplace)
        if index is None:
            kept = _not_others(sectors, mind.name)
            tree = {sectors[i]: {arena: places.objects(sectors[i], arena)
                                 for arena in places.arenas(sectors[i])} for i in kept}
            index = kept[(yield from nearest_place(location.sector_request(activity=activity,
                                                                           sectors=tree)))]
        sector = sectors[index]
    arenas = places.arenas(str(sector))
    if not arenas:
        return Address(ctx.town.world, sector)
    arena = arenas[0]
    if len(arenas) > 1:
        index = named_option(activity, arenas)
        if index is None:
            kept = _not_others(arenas, mind.name)
            index = kept[(yield from nearest_place(location.arena_request(
                activity=activity, sector=str(sector),
                arenas={arenas[i]: places.objects(str(sector), arenas[i]) for i in kept})))]
        arena = arenas[index]
    return Address(ctx.town.world, sector, arena)


def choose_object(mind: Mind, ctx: TickContext, arena: Address, activity: str) -> Step[Address]:
    """The object of `arena` that `activity` uses: one it names, else the nearest in
    meaning when it is near enough (`location.OBJECT_FIT`); else `arena` itself, and the
    action changes no object's state ("check the planning board" in a kitchen)."""
    if arena.arena is None or arena.sector is None:
        return arena
    objects = mind.places.objects(arena.sector, arena.arena)
    if not objects:
        return arena
    index = named_option(activity, objects)
    if index is None:
        result = yield from embed(location.object_request(
            activity=activity, arena=f"the {arena.arena} of {arena.sector}", objects=objects))
        index = location.fitting(result, location.OBJECT_FIT)
    if index is None:
        return arena
    return Address(arena.world, arena.sector, arena.arena, objects[index])


def pictogram_for(activity: str) -> Step[str]:
    """The emoji whose name is nearest `activity` (the names' embeddings are cached)."""
    vectors = yield from embed_texts((activity, *NAMES))
    similarity = vectors[1:] @ vectors[0]
    return PICTOGRAMS[int(np.argmax(similarity))].emoji


def object_state(mind: Mind, ctx: TickContext, obj: Address, activity: str) -> Step[str | None]:
    """The state `activity` puts the object in ("brewing coffee"); None for no change."""
    if obj.object is None:
        return None
    request: Generate = object_state_request(obj=obj.object, action=activity)
    answer = yield from generate(request)
    try:
        return parse_object_state(answer.text, obj=obj.object)
    except PromptParseError:
        mind.fell_back(request.tag)
        return None


def start_action(mind: Mind, ctx: TickContext, description: str, place: Address,
                 end_tick: int, *, reaction: bool = False, sleep: bool = False) -> Step[str]:
    """Make `description` the current action at `place`; returns its pictogram."""
    pictogram = yield from pictogram_for(description)
    path = ctx.pathfinder.path_to_place(mind.state.tile, place)
    if path is None:
        mind.fell_back("unreachable_place")
        path = []
    mind.state.path = list(path)
    mind.state.action = CurrentAction(description=description, address=place,
                                      start_tick=ctx.tick, end_tick=max(end_tick, ctx.tick + 1),
                                      pictogram=pictogram, reaction=reaction, sleep=sleep)
    return pictogram
