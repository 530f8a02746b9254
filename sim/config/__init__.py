"""The scenario file: who lives in the town, what they intend, and every tunable constant.

A scenario is a TOML file validated by pydantic. Unknown keys are errors, so a
typo never silently falls back to a default, and every constant of the agent
architecture (Park et al. 2023) is a field whose default is the paper's value. Bad
input raises `ScenarioError` with one line, "FILE: FIELD.PATH: problem".
Places are written below the world ("Hobbs Cafe:cafe"); whether they exist is
checked against the loaded map by `check_against_town`.

    scenario = load_scenario("tiny")          # or a path to a .toml file
    town = open_town(scenario)                # load its map and check the places
    stored = scenario.to_json()               # what a run keeps for --resume
    assert Scenario.from_json(stored) == scenario
"""

from sim.config.errors import ScenarioError
from sim.config.fields import format_game_time, parse_game_time
from sim.config.loading import check_against_town, load_scenario, open_town
from sim.config.scenario import Intention, Probe, Relationship, Resident, Scenario
from sim.config.settings import (
    ConversationSettings,
    MaxTokens,
    MemorySettings,
    ModelSettings,
    Modules,
    PerceptionSettings,
    PlanningSettings,
    RecordingSettings,
    ReflectionSettings,
    RetrievalSettings,
)

__all__ = [
    "ConversationSettings",
    "Intention",
    "MaxTokens",
    "MemorySettings",
    "ModelSettings",
    "Modules",
    "PerceptionSettings",
    "PlanningSettings",
    "Probe",
    "RecordingSettings",
    "ReflectionSettings",
    "Relationship",
    "Resident",
    "RetrievalSettings",
    "Scenario",
    "ScenarioError",
    "check_against_town",
    "format_game_time",
    "load_scenario",
    "open_town",
    "parse_game_time",
]
