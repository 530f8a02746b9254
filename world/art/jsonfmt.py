"""Deterministic JSON for the committed map files: sorted keys, one row of tiles per line.

`json.dumps(indent=...)` would put every tile id on its own line; Tiled's own
output puts a whole layer on one line. Neither diffs well, so long integer
lists are written `row` numbers to a line, which mirrors the map's shape.
"""

from __future__ import annotations

import json
from typing import Any

INDENT = " "


def dumps(value: Any, row: int = 0) -> str:
    """`value` as JSON text ending in a newline; long integer lists wrap every `row` numbers."""
    return _encode(value, 0, row) + "\n"


def _encode(value: Any, depth: int, row: int) -> str:
    pad, inner = INDENT * depth, INDENT * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{inner}{json.dumps(str(key))}: {_encode(value[key], depth + 1, row)}"
            for key in sorted(value)
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            if row <= 0 or len(value) <= row:
                return "[" + ",".join(str(v) for v in value) + "]"
            lines = [
                inner + ",".join(str(v) for v in value[start : start + row])
                for start in range(0, len(value), row)
            ]
            return "[\n" + ",\n".join(lines) + "\n" + pad + "]"
        items = [inner + _encode(v, depth + 1, row) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)
