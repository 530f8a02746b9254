"""Every malformed input is refused in one line: exit 2, no traceback, no file changed.

A table of bad scenario files, bad maps and bad command-line arguments, each run as a
real `python -m sim` process through `assert_refused`: the one error line must name the
file or argument, the field, layer or place, and the problem. Damaged run files are in
their own table (tests/test_run_file_refusals.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from run_helpers import REPO, assert_refused, sim_command

from sim.cli import EXIT_BROKEN_PIPE
from sim.config import load_scenario
from sim.models.fake import FakeModel
from sim.run import RunSession
from sim.tables import RunStatus

pytestmark = pytest.mark.slow

MAPS = REPO / "world" / "maps"
TINY = REPO / "sim" / "scenarios" / "tiny.toml"
RESIDENT = "Sam Moore"


@dataclass(frozen=True)
class Files:
    """What a case works on: a finished run, and a scenario with its own map to spoil."""

    folder: Path
    run: Path
    scenario: Path
    map: Path
    tileset: Path
    plain_file: Path

    def new(self, name: str) -> Path:
        """A path in the case's folder that does not exist (and must not, after a refusal)."""
        return self.folder / name

    def scenario_text(self, old: str, new: str) -> Path:
        """The scenario with `old` replaced by `new` (which must be there)."""
        text = self.scenario.read_text(encoding="utf-8")
        assert old in text, old
        self.scenario.write_text(text.replace(old, new, 1), encoding="utf-8")
        return self.scenario

    def map_json(self, change: Callable[[dict[str, Any]], None]) -> Path:
        data = json.loads(self.map.read_text(encoding="utf-8"))
        change(data)
        self.map.write_text(json.dumps(data), encoding="utf-8")
        return self.map

    def run_scenario(self) -> list[str]:
        return ["run", str(self.scenario), "--model", "fake", "--ticks", "2",
                "--db", str(self.new("new.sqlite"))]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("run") / "run.sqlite"
    session = RunSession.create(db, load_scenario("tiny"), 0, FakeModel())
    session.run_until(20)
    session.set_status(RunStatus.FINISHED)
    session.close()
    return db


@pytest.fixture
def files(tmp_path: Path, finished_run: Path) -> Files:
    for name in ("tiny.tmj", "town_tiles.tsj", "town_tiles.png"):
        shutil.copy(MAPS / name, tmp_path / name)
    scenario = tmp_path / "town.toml"
    scenario.write_text(TINY.read_text(encoding="utf-8").replace(
        'map = "../../world/maps/tiny.tmj"', 'map = "tiny.tmj"'), encoding="utf-8")
    plain = tmp_path / "notes.txt"
    plain.write_text("not a folder\n", encoding="utf-8")
    return Files(tmp_path, finished_run, scenario, tmp_path / "tiny.tmj",
                 tmp_path / "town_tiles.tsj", plain)


def _layer(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(layer for layer in data["layers"] if layer["name"] == name)


def _objects(data: dict[str, Any], layer: str) -> list[dict[str, Any]]:
    return list(_layer(data, layer)["objects"])


def _set_first(layer: str, **values: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        _objects(data, layer)[0].update(values)
    return change


def _drop_layer(name: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["layers"] = [layer for layer in data["layers"] if layer["name"] != name]
    return change


def _cut_tiles(data: dict[str, Any]) -> None:
    _layer(data, "collision")["data"] = _layer(data, "collision")["data"][:-3]


def _long_arena(data: dict[str, Any]) -> None:
    _objects(data, "arenas")[0]["name"] = "c" * 390


def _spawn_on_wall(data: dict[str, Any]) -> None:
    spawn = _objects(data, "spawns")[0]
    spawn["x"], spawn["y"] = 16, 16  # the map's corner is a wall


def _tileset_margin(files: Files) -> None:
    data = json.loads(files.tileset.read_text(encoding="utf-8"))
    data["margin"] = "wide"
    files.tileset.write_text(json.dumps(data), encoding="utf-8")


Case = Callable[[Files], tuple[list[str], list[str], list[Path]]]
"""Builds (argv, strings the error line must name, paths that must stay as they were)."""


def _scenario_case(old: str, new: str, *names: str) -> Case:
    def build(files: Files) -> tuple[list[str], list[str], list[Path]]:
        path = files.scenario_text(old, new)
        return files.run_scenario(), [str(path), *names], [path, files.new("new.sqlite")]
    return build


def _map_case(change: Callable[[dict[str, Any]], None], *names: str) -> Case:
    def build(files: Files) -> tuple[list[str], list[str], list[Path]]:
        files.map_json(change)
        return (files.run_scenario(), ["tiny.tmj", *names],
                [files.scenario, files.map, files.new("new.sqlite")])
    return build


def _argv_case(make: Callable[[Files], list[str]], *names: str) -> Case:
    """A command on the finished run (or a new file), which must stay as it was."""
    def build(files: Files) -> tuple[list[str], list[str], list[Path]]:
        return make(files), list(names), [files.run, files.new("new.sqlite"), files.plain_file]
    return build


def _run_new(*args: str) -> Callable[[Files], list[str]]:
    return lambda f: ["run", "tiny", "--model", "fake", "--db", str(f.new("new.sqlite")), *args]


def _text_map(files: Files) -> tuple[list[str], list[str], list[Path]]:
    files.map.write_text("{ this is not json", encoding="utf-8")
    return files.run_scenario(), ["tiny.tmj", "not valid JSON"], [files.map]


def _bad_margin(files: Files) -> tuple[list[str], list[str], list[Path]]:
    _tileset_margin(files)
    return (files.run_scenario(), ["tiny.tmj", "town_tiles.tsj", "'margin'", "integer"],
            [files.tileset, files.new("new.sqlite")])


def _too_many(files: Files) -> tuple[list[str], list[str], list[Path]]:
    text = files.scenario.read_text(encoding="utf-8")
    head, first = text.split("[[residents]]")[:2]
    first = first.split("[[residents.relationships]]")[0]
    many = "".join("[[residents]]" + first.replace("Isabella Rodriguez", f"Resident {i}")
                   for i in range(3000))
    files.scenario.write_text(head + many, encoding="utf-8")
    return (files.run_scenario(), [str(files.scenario), "residents", "3000", "at most"],
            [files.scenario, files.new("new.sqlite")])


CASES: dict[str, Case] = {
    # --- scenario files ------------------------------------------------------------------------
    "resident name longer than the column": _scenario_case(
        'name = "Isabella Rodriguez"', f'name = "{"Isabella " * 30}Rodriguez"',
        "residents[0].name", "longer than the 200"),
    "scenario name longer than the column": _scenario_case(
        'name = "tiny"', f'name = "{"t" * 201}"', "name", "longer than the 200"),
    "3,000 residents": _too_many,
    "negative age": _scenario_case("age = 34", "age = -4", "residents[0].age", "greater"),
    "age as text": _scenario_case("age = 34", 'age = "34"', "residents[0].age", "integer"),
    "invalid TOML": _scenario_case('name = "tiny"', 'name = "tiny', "line 6", "invalid TOML"),
    "unknown field": _scenario_case("tick_seconds = 10", "tick_secs = 10", "tick_secs",
                                    "unknown field"),
    "tick that does not divide an hour": _scenario_case(
        "tick_seconds = 10", "tick_seconds = 7", "tick_seconds", "divide an hour"),
    "zero tick": _scenario_case("tick_seconds = 10", "tick_seconds = 0", "tick_seconds",
                                "greater than or equal to 1"),
    "start that is no time": _scenario_case(
        'start = "2023-02-13 07:00"', 'start = "tomorrow morning"', "start", "game time"),
    "wake time 25:00": _scenario_case('wakes_at = "06:00"', 'wakes_at = "25:00"',
                                      "residents[0].wakes_at", "time of day"),
    "home that is not an arena": _scenario_case(
        'home = "Shared house:Isabella\'s bedroom"', 'home = "Shared house"',
        "residents[0].home", "Sector:arena"),
    "home the map lacks": _scenario_case(
        'home = "Shared house:Isabella\'s bedroom"', 'home = "Shared house:attic"',
        "resident 'Isabella Rodriguez'", "home", "attic"),
    "workplace the map lacks": _scenario_case(
        'workplace = "Hobbs Cafe"', 'workplace = "Town Hall"',
        "resident 'Isabella Rodriguez'", "workplace", "Town Hall"),
    "relationship with a stranger": _scenario_case(
        'name = "Maria Lopez"\ndescription', 'name = "Maria Lopes"\ndescription',
        "residents[0].relationships[0].name", "unknown resident"),
    "missing map file": _scenario_case('map = "tiny.tmj"', 'map = "nowhere.tmj"', "map",
                                       "no such file"),
    "bad colour": _scenario_case('color = "#d9534f"', 'color = "red"', "residents[0].color",
                                 "colour"),
    "weight of infinity": _scenario_case(
        '"Hobbs Cafe"]\n', '"Hobbs Cafe"]\n\n[retrieval]\nrecency_weight = inf\n',
        "retrieval.recency_weight", "finite"),
    "intention without an end": _scenario_case(
        'end = "2023-02-14 19:00"', "", "intentions[0]", "start and end"),
    # --- map files -----------------------------------------------------------------------------
    "sector of negative width": _map_case(_set_first("sectors", width=-480),
                                          "sector 'Hobbs Cafe'", "negative width"),
    "arena of infinite height": _map_case(_set_first("arenas", height=float("inf")),
                                          "arena 'cafe'", "finite"),
    "object outside the map": _map_case(_set_first("objects", x=99999), "object 'counter'",
                                        "outside the map"),
    "place name with a colon": _map_case(_set_first("arenas", name="cafe:back"),
                                         "arena 'cafe:back'", "contains ':'"),
    "address longer than the column": _map_case(_long_arena, "arena", "more than the 400"),
    "spawn on a wall": _map_case(_spawn_on_wall, "spawn", "blocked tile"),
    "no collision layer": _map_case(_drop_layer("collision"), "layer 'collision'", "missing"),
    "tile data cut short": _map_case(_cut_tiles, "layer 'collision'", "tiles, expected"),
    "layer opacity as text": _map_case(lambda d: _layer(d, "decor").update(opacity="half"),
                                       "layer 'decor'", "'opacity'"),
    "map width zero": _map_case(lambda d: d.update(width=0), "'width'", "positive integer"),
    "map that is not JSON": _text_map,
    "tileset margin as text": _bad_margin,
    # --- command-line arguments ----------------------------------------------------------------
    "--until tomorrow": _argv_case(_run_new("--until", "tomorrow"), "--until", "'tomorrow'"),
    "--until 25:00": _argv_case(_run_new("--until", "25:00"), "--until", "'25:00'"),
    "--until with seconds": _argv_case(_run_new("--until", "2023-02-13 08:00:00"), "--until",
                                       "08:00:00"),
    "--until before the start": _argv_case(_run_new("--until", "2023-02-13 06:00"), "--until",
                                           "before the scenario starts"),
    "--ticks -5": _argv_case(_run_new("--ticks", "-5"), "--ticks", "-5"),
    "--ticks as text": _argv_case(_run_new("--ticks", "ten"), "--ticks", "'ten'"),
    "--seed too large": _argv_case(_run_new("--seed", "99999999999999999999999"), "--seed",
                                   "2**63"),
    "--db in a missing folder": _argv_case(
        lambda f: ["run", "tiny", "--model", "fake", "--ticks", "2",
                   "--db", str(f.new("missing/run.sqlite"))], "--db", "does not exist"),
    "--db under a file": _argv_case(
        lambda f: ["run", "tiny", "--model", "fake", "--ticks", "2",
                   "--db", str(f.plain_file / "run.sqlite")], "--db", "not a folder"),
    "fork into a missing folder": _argv_case(
        lambda f: ["fork", str(f.run), "--at", "10", str(f.new("missing/fork.sqlite"))],
        "NEW_RUN", "does not exist"),
    "fork --at tomorrow": _argv_case(
        lambda f: ["fork", str(f.run), "--at", "tomorrow", str(f.new("fork.sqlite"))],
        "--at", "'tomorrow'"),
    "fork past the run's end": _argv_case(
        lambda f: ["fork", str(f.run), "--at", "500", str(f.new("fork.sqlite"))],
        "run.sqlite", "cannot fork", "tick 500"),
    "export --out under a file": _argv_case(
        lambda f: ["export", str(f.run), "--out", str(f.plain_file / "town.gif")],
        "--out", "is a file"),
    "export --from 25:00": _argv_case(
        lambda f: ["export", str(f.run), "--out", str(f.new("x.gif")), "--from", "25:00"],
        "--from", "'25:00'"),
    "export --to before the start": _argv_case(
        lambda f: ["export", str(f.run), "--out", str(f.new("x.gif")), "--to",
                   "2023-02-12 07:00"], "--to", "before the scenario starts"),
    "export to an unknown format": _argv_case(
        lambda f: ["export", str(f.run), "--out", str(f.new("x.txt"))], "x.txt",
        "unknown format"),
    "whisper to a stranger": _argv_case(
        lambda f: ["whisper", str(f.run), "Nobody", "hello"], "run.sqlite", "no resident",
        "'Nobody'"),
    "event at an unknown place": _argv_case(
        lambda f: ["event", str(f.run), "a fire", "--at", "Town Hall"], "--at",
        "no place", "Town Hall"),
    "inspect a stranger": _argv_case(lambda f: ["inspect", str(f.run), "Nobody"],
                                     "run.sqlite", "no resident"),
    "interview --only an unknown kind": _argv_case(
        lambda f: ["interview", str(f.run), RESIDENT, "Hi?", "--model", "fake",
                   "--only", "dreams"], "--only", "dreams"),
    "resume a missing run": _argv_case(
        lambda f: ["run", "--resume", "--db", str(f.new("gone.sqlite")), "--model", "fake"],
        "gone.sqlite", "no such run file"),
    "a new run over an existing one": _argv_case(
        lambda f: ["run", "tiny", "--model", "fake", "--db", str(f.run)], "run.sqlite",
        "already exists"),
    "ablate --seeds 0": _argv_case(
        lambda f: ["ablate", "tiny", "--seeds", "0", "--out", str(f.new("ablation"))],
        "--seeds", "1 or more"),
    "ablate --out under a file": _argv_case(
        lambda f: ["ablate", "tiny", "--out", str(f.plain_file / "ablation")], "--out",
        "is a file"),
    "bench --json in a missing folder": _argv_case(
        lambda f: ["bench", "run", "--json", str(f.new("missing/figures.json"))], "--json",
        "does not exist"),
    "--endpoint without http": _argv_case(_run_new("--endpoint", "localhost:8000"),
                                          "--endpoint", "http://"),
    "blank whisper": _argv_case(lambda f: ["whisper", str(f.run), RESIDENT, "  "],
                                "thought", "must not be empty"),
    "blank event": _argv_case(lambda f: ["event", str(f.run), "", "--at", "Hobbs Cafe"],
                              "what", "must not be empty"),
    "blank interview question": _argv_case(
        lambda f: ["interview", str(f.run), RESIDENT, " ", "--model", "fake"], "question",
        "must not be empty"),
    "ablate an unknown condition": _argv_case(
        lambda f: ["ablate", "tiny", "--conditions", "full,no-memory", "--out",
                   str(f.new("ablation"))], "no-memory", "unknown condition"),
    "interview a stranger": _argv_case(
        lambda f: ["interview", str(f.run), "Nobody", "Hi?", "--model", "fake"], "run.sqlite",
        "no resident 'Nobody'"),
    "fork onto an existing file": _argv_case(
        lambda f: ["fork", str(f.run), "--at", "10", str(f.plain_file)], "notes.txt",
        "already exists"),
    "--db that is a folder": _argv_case(
        lambda f: ["run", "tiny", "--model", "fake", "--db", str(f.folder)], "--db",
        "is a folder"),
    "unknown shipped scenario": _argv_case(
        lambda f: ["run", "atlantis", "--model", "fake", "--db", str(f.new("new.sqlite"))],
        "atlantis", "no such scenario file"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_input_is_refused_in_one_line(case: str, files: Files) -> None:
    argv, names, untouched = CASES[case](files)
    assert_refused(argv, names=names, untouched=untouched)


def test_a_closed_pipe_ends_inspect_quietly(finished_run: Path) -> None:
    """`python -m sim inspect RUN | head -0`: the reader is gone before the first line."""
    process = subprocess.Popen(sim_command("inspect", str(finished_run)), cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    error = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=300) == EXIT_BROKEN_PIPE, error
    assert error == ""


def test_a_bug_still_shows_its_traceback(finished_run: Path, tmp_path: Path) -> None:
    """Not bad input: a handler that fails on its own shows where (no catch-all)."""
    plugin = tmp_path / "sitecustomize.py"
    plugin.write_text("import sim.commands.inspect as inspect_command\n"
                      "def broken(args):\n"
                      "    raise ZeroDivisionError('a bug')\n"
                      "inspect_command.main = broken\n", encoding="utf-8")
    done = subprocess.run(sim_command("inspect", str(finished_run)), cwd=REPO,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}"})
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "ZeroDivisionError: a bug" in done.stderr
