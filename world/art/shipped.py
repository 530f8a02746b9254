"""The maps shipped in world/maps/ and the one call that regenerates them all."""

from __future__ import annotations

from pathlib import Path

from world.art.mapgen import write_map
from world.art.plan import TownPlan
from world.art.smallville import PLAN as SMALLVILLE
from world.art.tileset import write_tileset
from world.art.tiny import PLAN as TINY

MAPS_DIR = Path(__file__).resolve().parent.parent / "maps"
PLANS: tuple[TownPlan, ...] = (SMALLVILLE, TINY)


def regenerate(directory: Path = MAPS_DIR) -> list[Path]:
    """Write the tileset and every shipped map into `directory`; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = list(write_tileset(directory))
    written += [write_map(plan, directory) for plan in PLANS]
    return written
