"""`python -m world.art [--out DIR] [--previews DIR]`: redraw the tileset and the shipped maps.

Writes `town_tiles.png`, `town_tiles.tsj`, `smallville.tmj` and `tiny.tmj`
(default: world/maps/, byte for byte what is committed) and whole-map
preview PNGs (default: /tmp, not committed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from world.art.render import render_map_png
from world.art.shipped import MAPS_DIR, PLANS, regenerate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m world.art", description=__doc__)
    parser.add_argument("--out", type=Path, default=MAPS_DIR, help="where the map files go")
    parser.add_argument("--previews", type=Path, default=Path("/tmp"), help="where previews go")
    parser.add_argument("--scale", type=float, default=0.5, help="preview scale (1 = 32 px tiles)")
    args = parser.parse_args(argv)
    for path in regenerate(args.out):
        print(f"wrote {path}")
    args.previews.mkdir(parents=True, exist_ok=True)
    for plan in PLANS:
        preview = args.previews / f"{plan.name}_preview.png"
        render_map_png(args.out / f"{plan.name}.tmj", preview, scale=args.scale)
        print(f"preview {preview}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
