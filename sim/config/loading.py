"""Reading a scenario file (or a shipped one by name) and checking it against its map."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from sim.config.errors import ScenarioError
from sim.config.scenario import Scenario
from sim.scenarios import shipped_names, shipped_path
from world.address import Address
from world.errors import MapError
from world.tiled import load_town
from world.town import Town


def load_scenario(path_or_name: str | Path) -> Scenario:
    """Read a scenario file, or a shipped one by name (`smallville`, `tiny`).

    Errors are ScenarioError with one line, "FILE: FIELD.PATH: problem"; FILE
    is the path as given, or the bare file name of a shipped scenario.
    """
    path, label = _locate(path_or_name)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ScenarioError(f"{label}: cannot read the file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{label}: not UTF-8 text (byte {exc.start})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{label}: {_toml_problem(exc)}") from exc
    return Scenario.parse(data, source=label, base_dir=path.parent)


def _locate(path_or_name: str | Path) -> tuple[Path, str]:
    """The file to read and the label its errors start with."""
    if isinstance(path_or_name, str) and path_or_name in shipped_names():
        path = shipped_path(path_or_name)
        return path, path.name
    path = Path(path_or_name)
    if path.is_file():
        return path.resolve(), str(path_or_name)
    if path.is_dir():
        raise ScenarioError(f"{path_or_name}: is a directory, not a scenario file")
    raise ScenarioError(f"{path_or_name}: no such scenario file, nor a shipped scenario "
                        f"({', '.join(shipped_names())})")


def _toml_problem(exc: tomllib.TOMLDecodeError) -> str:
    """tomllib's message with the position first: "line 3, column 7: invalid TOML: ..."."""
    message = str(exc)
    found = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message)
    if found is None:
        return f"invalid TOML: {message}"
    return f"line {found[2]}, column {found[3]}: invalid TOML: {found[1]}"


def check_against_town(scenario: Scenario, town: Town) -> None:
    """Every place the scenario names exists, and every home arena has a spawn or a bed.

    ScenarioError names the scenario file, the resident (or intention) and the place.
    """
    for resident in scenario.residents:
        who = f"{scenario.source}: resident {resident.name!r}"
        home = _require_place(town, resident.home, f"{who}: home")
        if not town.spawns_in(home) and not _has_bed(town, home):
            raise ScenarioError(f"{who}: home {resident.home!r} has no spawn point and no bed "
                                f"in {town.source}")
        if resident.workplace is not None:
            _require_place(town, resident.workplace, f"{who}: workplace")
        for j, place in enumerate(resident.known_places):
            _require_place(town, place, f"{who}: known_places[{j}]")
    for intention in scenario.intentions:
        if intention.place is not None:
            _require_place(town, intention.place,
                           f"{scenario.source}: intention {intention.id!r}: place")


def open_town(scenario: Scenario) -> Town:
    """Load the scenario's map and check the scenario against it."""
    if not scenario.map.is_file():
        raise ScenarioError(f"{scenario.source}: map: no such file {scenario.map}")
    town = load_town(scenario.map)
    check_against_town(scenario, town)
    return town


def _require_place(town: Town, place: str, context: str) -> Address:
    try:
        return town.require(place, context)
    except MapError as exc:
        raise ScenarioError(str(exc)) from exc


def _has_bed(town: Town, arena: Address) -> bool:
    """True when the arena holds an object called "bed" (or "... bed")."""
    names = (child.name.lower() for child in town.children(arena))
    return any(name == "bed" or name.endswith(" bed") for name in names)
