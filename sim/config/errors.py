"""Validation errors of a scenario as one line: "FILE: FIELD.PATH: problem".

Pydantic reports a list of errors with tuple locations; a command line wants one
readable line naming the file and the field (`residents[1].age`), with a
"did you mean" for a misspelt key.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

M = TypeVar("M", bound=BaseModel)


class ScenarioError(ValueError):
    """A scenario file (or a run's stored scenario) is malformed: "FILE: FIELD.PATH: problem"."""


class FieldProblem(ValueError):
    """Raised by a model's cross-field check to point at a field below that model."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def validate(model: type[M], data: object, label: str, context: Mapping[str, Any]) -> M:
    """`model.model_validate(data)`, or ScenarioError describing the first problem."""
    try:
        return model.model_validate(data, context=dict(context))
    except ValidationError as exc:
        # A misspelt key is both unknown and missing: name the unknown one, it says "did you mean".
        errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ScenarioError(f"{label}: {describe(model, errors[0])}{more}") from exc


def describe(model: type[BaseModel], error: ErrorDetails) -> str:
    """One pydantic error as "field.path[2].name: problem"."""
    loc = tuple(error["loc"])
    message = error["msg"]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldProblem):
        loc, message = loc + cause.loc, str(cause)
    elif error["type"] == "missing":
        message = "required field is missing"
    elif error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), _fields_at(model, loc[:-1]), n=1)
        message = "unknown field" + (f" (did you mean {close[0]!r}?)" if close else "")
    elif error["type"] == "value_error":
        message = message.removeprefix("Value error, ")
    elif error["type"].endswith("_type") or error["type"] == "literal_error":
        message = f"{message} (got {show(error['input'])})"
    return f"{field_path(loc)}: {message}"


def field_path(loc: Iterable[str | int]) -> str:
    """`("residents", 1, "age")` -> `residents[1].age`."""
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    return path.lstrip(".") or "(top level)"


def show(value: object) -> str:
    """A short rendering of a bad input for an error message."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fields_at(root: type[BaseModel], loc: Iterable[str | int]) -> list[str]:
    """The field names of the model found at `loc` below `root`."""
    model: type[BaseModel] | None = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model is not None else None
        model = _model_in(field.annotation) if field is not None else None
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside `list[X]`, `X | None` or `Annotated[X, ...]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        model = _model_in(argument)
        if model is not None:
            return model
    return None
