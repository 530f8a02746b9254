"""The shipped scenarios: TOML files kept as package data, found by name.

They are read through importlib.resources so `smallville` and `tiny` work from
an installed wheel as well as from a checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SUFFIX = ".toml"


def shipped_names() -> tuple[str, ...]:
    """The names of the shipped scenarios, sorted: `("smallville", "tiny")`."""
    return tuple(sorted(
        entry.name.removesuffix(SUFFIX)
        for entry in resources.files(__name__).iterdir()
        if entry.name.endswith(SUFFIX)
    ))


def shipped_path(name: str) -> Path:
    """The file of the shipped scenario `name`; LookupError when there is none.

    A real path is needed because a scenario's map is resolved relative to it;
    that holds for a checkout and for an unpacked (ordinary) wheel install.
    """
    if name not in shipped_names():
        raise LookupError(f"no shipped scenario {name!r} (shipped: {', '.join(shipped_names())})")
    entry = resources.files(__name__).joinpath(name + SUFFIX)
    if not isinstance(entry, Path):
        raise LookupError(f"shipped scenario {name!r} is not on the file system ({entry})")
    return entry
