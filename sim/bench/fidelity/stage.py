"""A benchmark town made real enough for cognition: a `Town` laid out from its places
tree, a `Mind` per case, and the `TickContext` of a case's moment.

The town has no drawn map: each sector is a band of open floor, its arenas side by
side within it, each object one tile of its arena, so every place exists, is reachable
and can be walked to, which is all the prompts and decisions need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time

import numpy as np

from agents.config import CognitionConfig
from agents.context import Neighbour, TickContext
from agents.memory import MemoryIds, MemoryStream
from agents.mind import FallbackCounter, Mind
from agents.state import AgentState
from sim.bench.fidelity.cases import TownCases
from sim.config import load_scenario
from sim.config.fields import clock_minutes
from sim.residents import cognition_config, resident_persona
from world.address import Address
from world.grid import Tile
from world.layout import PlaceSpec, build_town
from world.objects import ObjectStates
from world.pathfinding import Pathfinder
from world.places import Rect
from world.spatial_memory import SpatialMemory
from world.town import Town

BAND = 4
"""Rows of floor per sector."""
DAY_TICKS_OFFSET = 1
"""Cases happen on the town's second game day, so every memory has a past."""


def lay_out(cases: TownCases) -> Town:
    """The town of `cases`: sector `i` fills rows 4i..4i+3, its arenas side by side."""
    sectors: list[PlaceSpec] = []
    arenas: list[PlaceSpec] = []
    objects: list[PlaceSpec] = []
    width = 1
    for row, (sector, rooms) in enumerate(cases.places.items()):
        y = row * BAND
        x = 0
        for arena, things in rooms.items():
            span = 2 * max(1, len(things)) + 1
            arenas.append(PlaceSpec(arena, Rect(x, y, span, BAND)))
            objects += [PlaceSpec(thing, Rect(x + 1 + 2 * k, y + 1))
                        for k, thing in enumerate(things)]
            x += span
        sectors.append(PlaceSpec(sector, Rect(0, y, max(x, 1), BAND)))
        width = max(width, x)
    walkable = np.ones((BAND * len(cases.places), width), dtype=bool)
    spawns = [PlaceSpec(f"{a.name} spawn", Rect(a.rect.x, a.rect.y + BAND - 1)) for a in arenas]
    return build_town(walkable=walkable, sectors=sectors, arenas=arenas, objects=objects,
                      spawns=spawns, source=f"{cases.name} (benchmark town)")


@dataclass(frozen=True, slots=True)
class Stage:
    """One benchmark town, built once and shared by its cases."""

    cases: TownCases
    town: Town
    pathfinder: Pathfinder
    config: CognitionConfig

    @classmethod
    def build(cls, cases: TownCases) -> Stage:
        """With the cognition settings of the shipped `tiny` scenario (all defaults)."""
        town = lay_out(cases)
        return cls(cases, town, Pathfinder(town), cognition_config(load_scenario("tiny")))

    def address(self, ref: str) -> Address:
        return self.town.require(ref, f"benchmark town {self.cases.name}")

    def tile(self, ref: str) -> Tile:
        """A tile where one stands to be at `ref`."""
        return self.town.interaction_tiles(self.address(ref))[0]

    def mind(self, resident: str, agent_id: int, intentions: tuple[str, ...] = ()) -> Mind:
        """A fresh, awake resident at home with an empty memory and its own fallback count."""
        cast = self.cases.resident(resident)
        persona = resident_persona(cast, intentions)
        places = SpatialMemory.from_addresses(self.town, cast.places)
        memory = MemoryStream(agent_id, self.config.retrieval, MemoryIds())
        state = AgentState(tile=self.tile(cast.home), asleep=False)
        return Mind(agent_id, persona, state, memory, places, self.config, FallbackCounter())

    def context(self, clock: str, residents: Mapping[str, Neighbour] | None = None,
                seed: int = 0) -> TickContext:
        """The moment `clock` ("HH:MM") of the town's date (its second game day)."""
        minute = clock_minutes(clock)
        seconds = self.config.tick_seconds
        tick = (DAY_TICKS_OFFSET * 24 * 60 + minute) * 60 // seconds
        now = datetime.combine(self.cases.date, time(minute // 60, minute % 60))
        return TickContext(tick=tick, now=now, tick_seconds=seconds, town=self.town,
                           pathfinder=self.pathfinder, objects=ObjectStates(self.town),
                           residents=dict(residents or {}), run_seed=seed)
