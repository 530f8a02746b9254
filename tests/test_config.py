"""The scenario format: shipped scenarios, one-line errors, JSON round trip, map checks."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from sim.config import (
    Modules,
    RetrievalSettings,
    Scenario,
    ScenarioError,
    check_against_town,
    load_scenario,
    open_town,
)
from sim.scenarios import shipped_names, shipped_path
from world.layout import PlaceSpec, build_town
from world.places import Rect
from world.town import Town

ROOT = Path(__file__).resolve().parents[1]

VALID = """\
name = "pair"
start = "2023-02-13 07:00"
map = "town.tmj"

[[residents]]
name = "Ann Lee"
age = 30
traits = ["kind"]
background = "Ann Lee bakes."
occupation = "baker"
lifestyle = "goes to bed around 10pm, wakes around 6am"
home = "Shared house:Isabella's bedroom"
relationships = [{ name = "Bob Ray", description = "her neighbour" }]

[[residents]]
name = "Bob Ray"
age = 40
traits = ["calm"]
background = "Bob Ray fishes."
occupation = "fisher"
lifestyle = "goes to bed around 11pm, wakes around 7am"
home = "Shared house:Sam's bedroom"

[[intentions]]
id = "party"
resident = "Ann Lee"
topic = "a party"
description = "Ann Lee plans a party."
place = "Hobbs Cafe:cafe"
start = "2023-02-14 17:00"
end = "2023-02-14 19:00"
"""


def write(tmp_path: Path, text: str, name: str = "pair.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- the shipped scenarios ------------------------------------------------------------------

def test_shipped_scenarios_resolve_by_name_through_package_data() -> None:
    assert shipped_names() == ("party", "smallville", "tiny")
    for name in shipped_names():
        path = shipped_path(name)
        assert path == ROOT / "sim" / "scenarios" / f"{name}.toml"
        assert load_scenario(name).source == f"{name}.toml"
    with pytest.raises(LookupError, match="shipped: party, smallville, tiny"):
        shipped_path("bigville")


def test_smallville_is_the_reference_town() -> None:
    town = load_scenario("smallville")
    assert len(town.residents) == 25
    assert town.start == datetime(2023, 2, 13, 7, 0)
    assert town.map == ROOT / "world" / "maps" / "smallville.tmj"
    party, mayor = town.intention("party"), town.intention("mayor")
    assert (party.resident, party.place) == ("Isabella Rodriguez", "Hobbs Cafe:cafe")
    assert (party.start, party.end) == (datetime(2023, 2, 14, 17), datetime(2023, 2, 14, 19))
    assert mayor.resident == "Sam Moore"
    assert len({r.color for r in town.residents}) == 25


def test_smallville_relationships_are_sparse_and_mutual() -> None:
    town = load_scenario("smallville")
    knows = {r.name: {rel.name for rel in r.relationships} for r in town.residents}
    for name, others in knows.items():
        for other in others:
            assert name in knows[other], f"{other} does not know {name}"
    pairs = sum(len(others) for others in knows.values()) // 2
    density = pairs / (25 * 24 / 2)
    assert 0.12 <= density <= 0.22  # the paper starts at 0.167
    assert max(len(others) for others in knows.values()) <= 6


@pytest.mark.parametrize("name", ["party", "smallville", "tiny"])
def test_only_the_intending_resident_knows_at_the_start(name: str) -> None:
    scenario = load_scenario(name)
    words = {"party": ("party", "valentine"), "mayor": ("mayor", "election")}
    for intention in scenario.intentions:
        for resident in scenario.residents:
            if resident.name == intention.resident:
                continue
            texts = [resident.background, resident.occupation, resident.lifestyle,
                     *resident.seed_memories, *(r.description for r in resident.relationships)]
            for text in texts:
                for word in words[intention.id]:
                    assert word not in text.lower(), f"{resident.name} already knows: {text}"


@pytest.mark.parametrize("name", ["party", "smallville", "tiny"])
def test_lifestyles_state_the_wake_and_sleep_times(name: str) -> None:
    for resident in load_scenario(name).residents:
        times = re.findall(r"(?:bed|wakes) around (\d+)(?::(\d\d))?(am|pm)", resident.lifestyle)
        assert len(times) == 2, resident.lifestyle
        bed, wake = ((int(h) % 12 + (12 if half == "pm" else 0)) * 60 + int(m or 0)
                     for h, m, half in times)
        assert (wake, bed) == (resident.wake_minute, resident.sleep_minute), resident.name


def test_smallville_writes_out_the_defaults() -> None:
    town = load_scenario("smallville")
    defaults = Scenario.model_fields
    for section in ("modules", "memory", "retrieval", "reflection", "perception",
                    "conversation", "planning", "recording", "model"):
        assert getattr(town, section) == defaults[section].default, section


def test_defaults_are_the_papers_values() -> None:
    scenario = load_scenario("tiny")
    retrieval, reflection = scenario.retrieval, scenario.reflection
    assert (retrieval.recency_decay, retrieval.top_k, retrieval.recency_by) == (0.995, 30, "hours")
    assert (retrieval.recency_weight, retrieval.importance_weight,
            retrieval.relevance_weight) == (1.0, 1.0, 1.0)
    assert (reflection.threshold, reflection.recent_records, reflection.questions,
            reflection.insights) == (150, 100, 3, 5)
    assert (scenario.perception.vision_radius, scenario.perception.attention_bandwidth,
            scenario.perception.retention) == (8, 8, 8)
    assert scenario.conversation.max_rounds == 8
    assert (scenario.planning.day_plan_min_items, scenario.planning.day_plan_max_items) == (5, 8)
    assert scenario.clock.ticks_per_day == 8640
    original = RetrievalSettings(recency_weight=0.5, importance_weight=3, relevance_weight=2,
                                 recency_by="rank", recency_decay=0.99)
    assert original.importance_weight == 3.0


def test_resident_helpers() -> None:
    tiny = load_scenario("tiny")
    maria = tiny.resident("Maria Lopez")
    assert maria.first_name == "Maria"
    assert maria.places == ("Shared house", "Hobbs Cafe", "Johnson Park")
    assert (maria.wake_minute, maria.sleep_minute) == (8 * 60, 60)
    with pytest.raises(KeyError, match="no resident 'Nobody'"):
        tiny.resident("Nobody")


# --- one-line errors --------------------------------------------------------------------------

def test_the_valid_base_loads(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, VALID))
    assert [r.name for r in scenario.residents] == ["Ann Lee", "Bob Ray"]
    assert scenario.map == tmp_path / "town.tmj"


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('name = "pair"', 'name = "pair', "line 1, column 13: invalid TOML: Illegal character"),
    ("age = 30\n", "", "residents[0].age: required field is missing"),
    ("age = 40", 'age = "forty"',
     "residents[1].age: Input should be a valid integer (got 'forty')"),
    ("age = 40", "age = 40.5", "residents[1].age: Input should be a valid integer (got 40.5)"),
    ('traits = ["calm"]', 'trait = ["calm"]',
     "residents[1].trait: unknown field (did you mean 'traits'?)"),
    ('map = "town.tmj"', 'map = "town.tmj"\n[retreival]\ntop_k = 3',
     "retreival: unknown field (did you mean 'retrieval'?)"),
    ('"Bob Ray", description', '"Bob Rey", description',
     "residents[0].relationships[0].name: unknown resident 'Bob Rey' (did you mean 'Bob Ray'?)"),
    ('\nname = "Bob Ray"', '\nname = "Ann Lee"',
     "residents[1].name: duplicate resident 'Ann Lee' (also residents[0])"),
    ('start = "2023-02-13 07:00"', 'start = "2023-02-30 07:00"', "start: '2023-02-30 07:00' is "
     "not a valid date and time (day is out of range for month)"),
    ('start = "2023-02-13 07:00"', 'start = "Monday morning"',
     "start: expected a game time \"YYYY-MM-DD HH:MM\", got 'Monday morning'"),
    ('end = "2023-02-14 19:00"', 'end = "2023-02-14 16:00"',
     "intentions[0].end: must be after start"),
    ('resident = "Ann Lee"', 'resident = "Cy Dee"',
     "intentions[0].resident: unknown resident 'Cy Dee'"),
    ('home = "Shared house:Sam\'s bedroom"', 'home = "Shared house"',
     "residents[1].home: expected \"Sector:arena\", got 'Shared house'"),
    ('lifestyle = "goes to bed around 11pm, wakes around 7am"',
     'lifestyle = "late"\nwakes_at = "7am"', "residents[1].wakes_at: expected a time of day"),
    ('description = "her neighbour"', 'description = "her neighbour", mood = 3',
     "residents[0].relationships[0].mood: unknown field"),
    ('start = "2023-02-13 07:00"', 'start = "2023-02-13 07:00"\ntick_seconds = 7',
     "tick_seconds: 7 does not divide an hour (3600 s) evenly"),
    ('map = "town.tmj"', "map = 3", "map: expected a file path, got 3"),
    ('map = "town.tmj"', 'map = "town.tmj"\n[modules]\nreflection = "no"',
     "modules.reflection: Input should be a valid boolean (got 'no')"),
])
def test_each_malformed_field_gives_one_line_naming_file_and_field(
        tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    assert error_of(path).startswith(f"{path}: {expected}")


def test_missing_top_level_field_and_several_problems(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('start = "2023-02-13 07:00"\n', ""))
    assert error_of(path) == f"{path}: start: required field is missing"
    path = write(tmp_path, VALID.replace("age = 30", 'age = "x"').replace("age = 40", "age = -1"))
    assert error_of(path) == (f"{path}: residents[0].age: Input should be a valid integer "
                              f"(got 'x') (and 1 more)")


def test_bad_files_and_names(tmp_path: Path) -> None:
    assert error_of(tmp_path / "nope.toml") == (
        f"{tmp_path / 'nope.toml'}: no such scenario file, nor a shipped scenario "
        "(party, smallville, tiny)")
    assert error_of(tmp_path).endswith(": is a directory, not a scenario file")
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "caf\xe9"'.encode("latin-1"))
    assert error_of(path) == f"{path}: not UTF-8 text (byte 11)"


def test_self_relationship_and_duplicate_ids(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('{ name = "Bob Ray"', '{ name = "Ann Lee"'))
    assert error_of(path) == (f"{path}: residents[0].relationships[0].name: 'Ann Lee' cannot "
                              "have a relationship with themself")
    twice = VALID + VALID[VALID.index("[[intentions]]"):]
    path = write(tmp_path, twice)
    assert error_of(path) == f"{path}: intentions[1].id: duplicate id 'party' (also intentions[0])"


# --- storage --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["party", "smallville", "tiny"])
def test_json_round_trip_is_equal(name: str) -> None:
    scenario = load_scenario(name)
    stored = scenario.to_json()
    again = Scenario.from_json(stored)
    assert again == scenario
    assert again.source == scenario.source
    assert again.to_json() == stored


def test_stored_scenario_errors_are_one_line() -> None:
    with pytest.raises(ScenarioError, match=r"^stored scenario: not JSON"):
        Scenario.from_json("{")
    broken = load_scenario("tiny").to_json().replace('"age": 21', '"age": "old"')
    with pytest.raises(ScenarioError, match=r"^tiny.toml \(stored\): residents\[2\]\.age: "):
        Scenario.from_json(broken)


def test_ablation_conditions_round_trip() -> None:
    for name in ("full", "no-reflection", "no-reflection-no-planning",
                 "no-observation-no-reflection-no-planning"):
        assert Modules.from_condition(name).condition == name
    assert Modules.from_condition("no-planning-no-reflection").condition == (
        "no-reflection-no-planning")
    for bad in ("none", "no-memory", "no-reflection-no-reflection", "reflection"):
        with pytest.raises(ValueError, match="unknown condition"):
            Modules.from_condition(bad)
    tiny = load_scenario("tiny")
    ablated = tiny.with_modules(Modules.from_condition("no-reflection"))
    assert (ablated.modules.reflection, tiny.modules.reflection) == (False, True)
    assert ablated.source == tiny.source


# --- against the map ------------------------------------------------------------------------

def tiny_town() -> Town:
    """The places of tiny.toml drawn in code: Maria's bedroom has a bed but no spawn."""
    def spec(name: str, x: float, y: float, w: float = 0, h: float = 0) -> PlaceSpec:
        return PlaceSpec(name, Rect(x, y, w, h))

    return build_town(
        walkable=np.ones((6, 12), dtype=bool),
        sectors=[spec("Shared house", 0, 0, 6, 6), spec("Hobbs Cafe", 6, 0, 4, 6),
                 spec("Johnson Park", 10, 0, 2, 6)],
        arenas=[spec("Isabella's bedroom", 0, 0, 2, 3), spec("Sam's bedroom", 2, 0, 2, 3),
                spec("Maria's bedroom", 4, 0, 2, 3), spec("kitchen", 0, 3, 3, 3),
                spec("bathroom", 3, 3, 3, 3), spec("cafe", 6, 0, 4, 4), spec("kitchen", 6, 4, 4, 2),
                spec("park", 10, 0, 2, 6)],
        objects=[spec("bed", 4, 0, 1, 1), spec("counter", 6, 0, 2, 1)],
        spawns=[spec("Isabella Rodriguez", 0.5, 0.5), spec("Sam Moore", 2.5, 0.5)],
        source="tiny-in-code",
    )


def test_tiny_fits_its_places() -> None:
    check_against_town(load_scenario("tiny"), tiny_town())


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("Shared house:Maria's bedroom", "Shared house:Maria's room",
     "tiny.toml: resident 'Maria Lopez': home: no place \"town:Shared house:Maria's room\" in "
     "tiny-in-code (did you mean \"town:Shared house:Maria's bedroom\"?)"),
    ("Shared house:Sam's bedroom", "Shared house:kitchen",
     "tiny.toml: resident 'Sam Moore': home 'Shared house:kitchen' has no spawn point and no bed "
     "in tiny-in-code"),
    ('known_places = ["Hobbs Cafe", "Johnson Park"]', 'known_places = ["Town Hall"]',
     "tiny.toml: resident 'Isabella Rodriguez': known_places[0]: no place 'town:Town Hall' in "
     "tiny-in-code"),
    ('place = "Hobbs Cafe:cafe"', 'place = "Hobbs Cafe:patio"',
     "tiny.toml: intention 'party': place: no place 'town:Hobbs Cafe:patio' in tiny-in-code"),
])
def test_places_the_town_lacks_are_named_with_the_resident(
        tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = shipped_path("tiny").read_text(encoding="utf-8")
    assert old in text
    path = write(tmp_path, text.replace(old, new, 1), name="tiny.toml")
    scenario = load_scenario(path)
    with pytest.raises(ScenarioError) as caught:
        check_against_town(scenario, tiny_town())
    assert str(caught.value).replace(str(path), "tiny.toml").startswith(expected)


SINGLE = ["bedroom", "kitchen", "bathroom"]
SMALLVILLE_LAYOUT: dict[str, list[str]] = {
    "Hobbs Cafe": ["cafe", "kitchen"],
    "The Rose and Crown Pub": ["pub"],
    "Oak Hill College": ["classroom", "library", "hallway"],
    "Oak Hill College Dorm": ["Maria's room", "Klaus's room", "Ayesha's room", "Wolfgang's room",
                              "common room", "kitchen", "bathroom"],
    "Harvey Oak Supply Store": ["supply store"],
    "The Willows Market and Pharmacy": ["market", "pharmacy"],
    "Johnson Park": ["park"],
    "Town Hall": ["meeting hall"],
    "Lin family house": ["Mei and John's bedroom", "Eddy's bedroom", "kitchen", "bathroom",
                         "living room"],
    "Moreno family house": ["Tom and Jane's bedroom", "kitchen", "bathroom", "living room"],
    "Moore family house": ["Sam and Jennifer's bedroom", "kitchen", "bathroom", "living room"],
    "Artists' co-living space": ["Latoya's room", "Rajiv's room", "Abigail's room",
                                 "Francisco's room", "Hailey's room", "common room", "kitchen",
                                 "bathroom"],
    "Taylor and Ortiz house": ["Tamara's bedroom", "Carmen's bedroom", "kitchen", "bathroom"],
    "Isabella Rodriguez's apartment": SINGLE,
    "Adam Smith's house": SINGLE,
    "Yuriko Yamamoto's house": SINGLE,
    "Arthur Burton's apartment": SINGLE,
    "Giorgio Rossi's apartment": SINGLE,
    "Carlos Gomez's apartment": SINGLE,
    "Ryan Park's apartment": SINGLE,
}


def layout_town(layout: dict[str, list[str]]) -> Town:
    """One row of 2x2 arenas per sector, a spawn in each arena whose name has "room"."""
    width = 2 * max(len(arenas) for arenas in layout.values())
    sectors, arenas, spawns = [], [], []
    for row, (sector, names) in enumerate(layout.items()):
        sectors.append(PlaceSpec(sector, Rect(0, 2 * row, width, 2)))
        for column, arena in enumerate(names):
            arenas.append(PlaceSpec(arena, Rect(2 * column, 2 * row, 2, 2)))
            if "room" in arena:
                spawns.append(PlaceSpec(arena, Rect(2 * column + 0.5, 2 * row + 0.5)))
    return build_town(walkable=np.ones((2 * len(layout), width), dtype=bool), sectors=sectors,
                      arenas=arenas, spawns=spawns, source="smallville-layout")


def test_smallville_fits_the_agreed_layout() -> None:
    """The sectors and arenas the map is drawn with (the map itself may lag behind)."""
    check_against_town(load_scenario("smallville"), layout_town(SMALLVILLE_LAYOUT))


@pytest.mark.parametrize("name", ["party", "smallville", "tiny"])
def test_shipped_scenarios_fit_their_maps(name: str) -> None:
    scenario = load_scenario(name)
    town = open_town(scenario)
    assert town.path is not None and Path(town.path) == scenario.map


def test_open_town_names_a_missing_map(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, VALID))
    with pytest.raises(ScenarioError) as caught:
        open_town(scenario)
    expected = f"{tmp_path / 'pair.toml'}: map: no such file {tmp_path / 'town.tmj'}"
    assert str(caught.value) == expected
