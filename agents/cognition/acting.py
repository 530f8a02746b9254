"""Acting in the world: where an activity happens, its pictogram, the path there.

The place is found by walking the agent's spatial memory sector -> arena ->
object, with a `Choose` at each level that has more than one option. The
pictogram is the fixed-set icon whose name is nearest the activity in
embedding space: no generation, and no call to the language model.
"""

from __future__ import annotations

import numpy as np

from agents.context import TickContext
from agents.mind import Mind, embed_texts
from agents.prompts import location
from agents.prompts.base import PromptParseError
from agents.prompts.object_state import object_state_request, parse_object_state
from agents.prompts.pictogram import NAMES, PICTOGRAMS
from agents.requests import ChooseResult, Generate
from agents.state import CurrentAction
from agents.steps import Step, choose, generate
from world.address import Address


def choose_arena(mind: Mind, ctx: TickContext, activity: str) -> Step[Address]:
    """The sector and arena (from what the agent knows) where `activity` happens."""
    places = mind.places
    home = Address.parse(f"{ctx.town.world}:{mind.persona.home}")
    workplace = mind.persona.workplace or ""
    sectors = places.sectors()
    sector = sectors[0] if sectors else home.sector
    if len(sectors) > 1:
        answer: ChooseResult = yield from choose(location.sector_request(
            agent=mind.name, home=str(home.sector), activity=activity, options=sectors,
            workplace=workplace))
        sector = sectors[answer.index]
    arenas = places.arenas(str(sector))
    if not arenas:
        return Address(ctx.town.world, sector)
    arena = arenas[0]
    if len(arenas) > 1:
        answer = yield from choose(location.arena_request(
            agent=mind.name, home=str(home.sector), activity=activity, sector=str(sector),
            options=arenas, workplace=workplace))
        arena = arenas[answer.index]
    return Address(ctx.town.world, sector, arena)


def choose_object(mind: Mind, ctx: TickContext, arena: Address, activity: str) -> Step[Address]:
    if arena.arena is None or arena.sector is None:
        return arena
    objects = mind.places.objects(arena.sector, arena.arena)
    if not objects:
        return arena
    name = objects[0]
    if len(objects) > 1:
        answer: ChooseResult = yield from choose(location.object_request(
            agent=mind.name, home=mind.persona.home.split(":")[0], activity=activity,
            arena=f"the {arena.arena} of {arena.sector}", options=objects,
            workplace=mind.persona.workplace or ""))
        name = objects[answer.index]
    return Address(arena.world, arena.sector, arena.arena, name)


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
        mind.fallbacks.count(request.tag)
        return None


def start_action(mind: Mind, ctx: TickContext, description: str, place: Address,
                 end_tick: int, *, reaction: bool = False, sleep: bool = False) -> Step[str]:
    """Make `description` the current action at `place`; returns its pictogram."""
    pictogram = yield from pictogram_for(description)
    path = ctx.pathfinder.path_to_place(mind.state.tile, place)
    if path is None:
        mind.fallbacks.count("unreachable_place")
        path = []
    mind.state.path = list(path)
    mind.state.action = CurrentAction(description=description, address=str(place),
                                      start_tick=ctx.tick, end_tick=max(end_tick, ctx.tick + 1),
                                      pictogram=pictogram, reaction=reaction, sleep=sleep)
    return pictogram
