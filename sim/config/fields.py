"""The value types a scenario is written in: names, places, game times, colours.

Each is an `Annotated` type whose validator says in plain words what was
expected; places are written below the world ("Hobbs Cafe:cafe") and
normalised, game times are naive ("2023-02-13 07:00").
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
)

from agents.tables import NAME_LENGTH
from sim.config.errors import show
from world.address import SEPARATOR, check_name

GAME_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?")


class Strict(BaseModel):
    """TOML has real types, so nothing is coerced ("30" is not an age) and unknown keys fail;
    TOML's `inf` and `nan` are no setting's value."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def parse_game_time(value: object) -> datetime:
    """A naive datetime from "YYYY-MM-DD HH:MM" (seconds and ISO 'T' allowed) or a TOML datetime."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError("a game time has no time zone")
        return value
    if isinstance(value, str) and GAME_TIME.fullmatch(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid date and time ({exc})") from None
    raise ValueError(f'expected a game time "YYYY-MM-DD HH:MM", got {show(value)}')


def format_game_time(value: datetime) -> str:
    """Inverse of `parse_game_time`: to the minute unless the time has seconds."""
    return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")


def clock_minutes(clock: str) -> int:
    """The minute of the day of a "HH:MM" time: "07:30" -> 450."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _name(value: str) -> str:
    if not value or value != value.strip():
        raise ValueError(f"{show(value)}: a name must be non-empty, without spaces around it")
    if len(value) > NAME_LENGTH:
        raise ValueError(f"{show(value)}: {len(value)} characters, longer than the "
                         f"{NAME_LENGTH} a run file holds")
    return value


def _key(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value):
        raise ValueError(f"{value!r}: an id is lower-case letters, digits, '-' and '_'")
    return value


def _clock(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f'expected a time of day "HH:MM", got {value!r}')
    return value


def _colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f'expected a colour "#rrggbb", got {value!r}')
    return value


def _place(min_parts: int, max_parts: int, shape: str) -> AfterValidator:
    """A place below the world, e.g. "Hobbs Cafe" or "Hobbs Cafe : cafe" -> "Hobbs Cafe:cafe"."""

    def check(value: str) -> str:
        parts = [part.strip() for part in value.split(SEPARATOR)]
        if not min_parts <= len(parts) <= max_parts:
            raise ValueError(f"expected {shape}, got {value!r}")
        for part in parts:
            problem = check_name(part)
            if problem is not None:
                raise ValueError(f"{value!r}: {problem}")
        return SEPARATOR.join(parts)

    return AfterValidator(check)


def _resolve_map(value: object, info: ValidationInfo) -> object:
    """A relative map path is relative to the scenario file, whose folder is in the context."""
    if isinstance(value, Path):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a file path, got {show(value)}")
    if not value.strip():
        raise ValueError("must not be empty")
    base = (info.context or {}).get("base_dir")
    path = Path(value)
    return (base / path).resolve() if base is not None and not path.is_absolute() else path


Text = Annotated[str, AfterValidator(_non_blank)]
Name = Annotated[str, AfterValidator(_name)]
Key = Annotated[str, AfterValidator(_key)]
TimeOfDay = Annotated[str, AfterValidator(_clock)]
Colour = Annotated[str, AfterValidator(_colour)]
Count = Annotated[int, Field(ge=1)]
Weight = Annotated[float, Field(ge=0)]
PlaceRef = Annotated[str, _place(1, 2, '"Sector" or "Sector:arena"')]
ArenaRef = Annotated[str, _place(2, 2, '"Sector:arena"')]
GameTime = Annotated[
    datetime, BeforeValidator(parse_game_time), PlainSerializer(format_game_time, when_used="json")
]
MapPath = Annotated[Path, BeforeValidator(_resolve_map), PlainSerializer(str, when_used="json")]
