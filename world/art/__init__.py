"""The town's art and maps, drawn by our own code (no third-party art).

`python -m world.art` redraws `world/maps/town_tiles.png` and `.tsj` and
regenerates `smallville.tmj` and `tiny.tmj` from the plans in
`world.art.smallville` and `world.art.tiny`; `world.art.render` draws a
loaded town's tile layers with pygame.
"""

from __future__ import annotations

from pathlib import Path

from world.art.mapgen import write_map
from world.art.plan import TownPlan
from world.art.smallville import PLAN as SMALLVILLE
from world.art.tileset import write_tileset
from world.art.tiny import PLAN as TINY

PLANS: tuple[TownPlan, ...] = (SMALLVILLE, TINY)


def regenerate(directory: Path) -> list[Path]:
    """Write the tileset and every shipped map into `directory`; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = list(write_tileset(directory))
    written += [write_map(plan, directory) for plan in PLANS]
    return written
