"""Roads: sidewalks, two lanes with a dashed centre line, plain crossings, zebra stripes.

Every road is four tiles across. Where a horizontal and a vertical road's
lanes overlap is a crossing; the lane tiles just before a crossing get zebra
stripes, in line with the other road's sidewalks.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from world.art.canvas import Canvas
from world.art.plan import Road

LANE_PIECES = {
    (True, 1): "road line n",
    (True, 2): "road line s",
    (False, 1): "road line w",
    (False, 2): "road line e",
}


def draw_roads(canvas: Canvas, roads: Iterable[Road]) -> None:
    shape = (canvas.height, canvas.width)
    lane_h = np.zeros(shape, dtype=np.int8)  # 1: upper lane, 2: lower lane
    lane_v = np.zeros(shape, dtype=np.int8)  # 1: left lane, 2: right lane
    sidewalk = np.zeros(shape, dtype=bool)
    for road in roads:
        length = canvas.width if road.horizontal else canvas.height
        lo, hi = max(road.start, 0), min(road.end, length)
        lanes = lane_h if road.horizontal else lane_v
        for offset in range(4):
            line = road.at + offset
            if road.horizontal:
                target: tuple[int | slice, int | slice] = (line, slice(lo, hi))
                side_target = sidewalk[line, lo:hi]
            else:
                target = (slice(lo, hi), line)
                side_target = sidewalk[lo:hi, line]
            if offset in (0, 3):
                side_target[:] = True
            else:
                lanes[target] = offset
    crossing = (lane_h > 0) & (lane_v > 0)
    for y, x in zip(*np.nonzero(sidewalk | (lane_h > 0) | (lane_v > 0)), strict=True):
        canvas.set_ground(int(x), int(y), _piece(int(x), int(y), lane_h, lane_v, crossing))


def _piece(x: int, y: int, lane_h: np.ndarray, lane_v: np.ndarray, crossing: np.ndarray) -> str:
    height, width = crossing.shape

    def crossing_at(cx: int, cy: int) -> bool:
        return 0 <= cx < width and 0 <= cy < height and bool(crossing[cy, cx])

    if crossing[y, x]:
        return "road"
    if lane_h[y, x]:
        if crossing_at(x - 1, y) or crossing_at(x + 1, y):
            return "crosswalk h"
        return LANE_PIECES[(True, int(lane_h[y, x]))]
    if lane_v[y, x]:
        if crossing_at(x, y - 1) or crossing_at(x, y + 1):
            return "crosswalk v"
        return LANE_PIECES[(False, int(lane_v[y, x]))]
    return "sidewalk"
