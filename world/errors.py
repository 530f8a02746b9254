"""Errors the town model raises for bad maps and unknown places."""

from __future__ import annotations


class MapError(ValueError):
    """A map (or a place named against it) is malformed.

    The message is one line naming the file, the layer or object and the
    problem, so a command line can print it as is.
    """


class UnknownPlaceError(MapError):
    """An address names no place of the town (e.g. a resident's home in a scenario)."""
