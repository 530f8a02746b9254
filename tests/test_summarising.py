"""The daily summary: what the persona says outright is among the statements the model
reads, first, so that it need not guess an occupation."""

from __future__ import annotations

from pathlib import Path

from agents.cognition.summarising import refresh_summary
from agents.prompts.summary import TAG, Aspect
from agents.requests import Generate, GenerateResult, ModelRequest, ModelResult
from sim.batching import drive
from sim.config import load_scenario
from sim.models.fake import FakeModel
from sim.run import RunSession


def test_the_summary_statements_start_with_the_persona_facts(tmp_path: Path) -> None:
    asked: dict[str, str] = {}

    def respond(request: ModelRequest) -> ModelResult | None:
        if isinstance(request, Generate) and request.tag.startswith(TAG):
            prompt = request.prompt
            assert not isinstance(prompt, str)
            asked[request.tag] = prompt[-1].content
            return GenerateResult("She runs the cafe and likes it.")
        return None

    model = FakeModel(respond=respond)
    run = RunSession.create(tmp_path / "run.sqlite", load_scenario("tiny"), 0, model)
    mind = next(m for m in run.minds.values() if m.name == "Sam Moore")
    mind.state.summary_day = -1
    drive(model, {0: refresh_summary(mind, run.scheduler.context(0))})
    occupation = asked[f"{TAG}_{Aspect.OCCUPATION.value}"].splitlines()
    assert occupation[1] == f"1. Sam Moore's occupation: {mind.persona.occupation}"
    character = asked[f"{TAG}_{Aspect.CHARACTER.value}"].splitlines()
    assert character[1] == f"1. Sam Moore is {', '.join(mind.persona.traits)}"
    goals = asked[f"{TAG}_{Aspect.GOALS.value}"]
    assert "occupation:" not in goals and ", ".join(mind.persona.traits) not in goals
    assert "runs the cafe" in mind.state.summary
