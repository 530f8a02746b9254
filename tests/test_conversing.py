"""Deciding to talk: the rules in code (engrossed people and strangers are let be) on a
scripted fake, and the engrossed/at-leisure examples measured on activities of our own
with the real MiniLM embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agents.cognition.conversing import decide_to_talk, take_turn
from agents.context import Neighbour, TickContext
from agents.mind import Mind
from agents.prompts import converse
from agents.requests import (
    Choose,
    ChooseResult,
    Embed,
    EmbedResult,
    Generate,
    GenerateResult,
    ModelRequest,
    ModelResult,
    prompt_text,
)
from agents.tables import MemoryKind
from sim.batching import drive
from sim.config import load_scenario
from sim.models.embedder import MiniLMEmbedder
from sim.models.fake import FakeModel, hashed_embedding
from sim.run import RunSession


def availability(busy: set[str], asked: list[str]) -> FakeModel:
    """A fake whose availability answer puts the activities in `busy` on the first
    engrossing example and every other activity on the first leisurely one; `asked`
    collects the kind and tag of every request."""

    def respond(request: ModelRequest) -> ModelResult | None:
        asked.append(f"{request.kind}:{request.tag}")
        if not isinstance(request, Embed) or request.tag != converse.TAG_AVAILABLE:
            return None
        texts = request.texts
        vectors = np.eye(len(texts), dtype=np.float32)
        shown = len(texts) - len(converse.ENGROSSED) - len(converse.AT_LEISURE)
        for i, text in enumerate(texts[:shown]):
            vectors[i] = vectors[shown if text in busy else shown + len(converse.ENGROSSED)]
        return EmbedResult(vectors)

    return FakeModel(respond=respond)


def isabella_at_work(tmp_path: Path, model: FakeModel) -> tuple[Mind, TickContext]:
    run = RunSession.create(tmp_path / "run.sqlite", load_scenario("tiny"), 0, model)
    mind = next(m for m in run.minds.values() if m.name == "Isabella Rodriguez")
    mind.state.asleep, mind.state.action = False, None  # awake, between actions: "idle"
    return mind, run.scheduler.context(0)


def neighbour(name: str, activity: str) -> Neighbour:
    return Neighbour(name, (0, 0), activity, None, asleep=False, busy=False)


@pytest.mark.parametrize("busy", [{"idle"}, {"giving a lecture"}])
def test_no_talk_while_either_is_engrossed_and_no_language_model_is_asked(
        tmp_path: Path, busy: set[str]) -> None:
    asked: list[str] = []
    model = availability(busy, asked)
    mind, ctx = isabella_at_work(tmp_path, model)
    assert mind.activity() == "idle"
    asked.clear()
    maria = neighbour("Maria Lopez", "giving a lecture")
    assert drive(model, {0: decide_to_talk(mind, ctx, maria)})[0] is False
    assert asked == [f"embed:{converse.TAG_AVAILABLE}"]


def test_free_acquaintances_talk_and_strangers_are_let_be_until_remembered(
        tmp_path: Path) -> None:
    asked: list[str] = []
    model = availability(set(), asked)
    mind, ctx = isabella_at_work(tmp_path, model)
    maria = neighbour("Maria Lopez", "drinking coffee")  # her housemate
    stranger = neighbour("Nora Finch", "drinking coffee")
    assert drive(model, {0: decide_to_talk(mind, ctx, maria)})[0] is True
    assert drive(model, {0: decide_to_talk(mind, ctx, stranger)})[0] is False
    seen = "Nora Finch asked Isabella Rodriguez for the cafe's wifi password"
    mind.remember(ctx, MemoryKind.OBSERVATION, [seen], [3], np.stack([hashed_embedding(seen)]))
    assert drive(model, {0: decide_to_talk(mind, ctx, stranger)})[0] is True


# --- the examples, measured -------------------------------------------------------------------

ENGROSSING = ["welding a steel beam", "conducting the orchestra's rehearsal",
              "refereeing a football match", "landing a small plane",
              "giving an injection to a patient", "interviewing a job candidate",
              "presenting a lecture on history", "fighting a kitchen fire",
              "singing a solo at the memorial service", "pulling a drowning child out of the lake",
              "frying fish for a full restaurant at dinner time",
              "negotiating a contract with a client"]
LEISURELY = ["feeding the ducks at the pond", "waiting for the train",
             "looking at the notice board", "folding laundry", "buying stamps at the counter",
             "having breakfast", "jogging slowly along the canal", "setting the tables in the cafe",
             "window shopping", "pruning roses in the garden", "walking the dog",
             "leaning on the fence watching the sheep"]
"""Our own activities, none of them an example's words nor a benchmark case's."""


def test_the_examples_tell_engrossing_from_leisurely_activities() -> None:
    """The measurement the module docstring cites: 22 of 24 (one rush-hour cook taken for
    leisure, one reader of a notice board taken for engrossed)."""
    embedder = MiniLMEmbedder(device="cpu", batch_size=32)
    activities = [*ENGROSSING, *LEISURELY]
    request = converse.availability_request(activities=activities)
    got = converse.engrossed(EmbedResult(embedder.embed_texts(list(request.texts))),
                             len(activities))
    right = [g == (i < len(ENGROSSING)) for i, g in enumerate(got)]
    assert sum(right) >= 22
    assert sum(right[:len(ENGROSSING)]) >= 11 and sum(right[len(ENGROSSING):]) >= 11


@pytest.mark.parametrize(("said", "ends"), [("Maria Lopez, what do you say to her?", True),
                                            ("maria lopez -- What do you SAY to her", True),
                                            ("See you at the party at five!", False)])
def test_a_line_said_again_ends_the_conversation(tmp_path: Path, said: str,
                                                 ends: bool) -> None:
    def respond(request: ModelRequest) -> ModelResult | None:
        if isinstance(request, Generate) and request.tag == converse.TAG_UTTERANCE:
            return GenerateResult(said)
        if isinstance(request, Choose) and request.tag == converse.TAG_END:
            return ChooseResult(index=1, logprobs=(-2.0, -0.1))  # "no": talk on
        return None

    model = FakeModel(respond=respond)
    mind, ctx = isabella_at_work(tmp_path, model)
    history = [("Maria Lopez", "Hi Isabella!"),
               ("Isabella Rodriguez", "Maria Lopez, what do you say to her?"),
               ("Maria Lopez", "I'm fine, thanks.")]
    turn = drive(model, {0: take_turn(mind, ctx, "Maria Lopez", history, max_rounds=8)})[0]
    assert (turn.text is None) == ends


def test_a_speaker_has_its_intentions_on_its_mind_and_may_tell_them(tmp_path: Path) -> None:
    prompts: list[str] = []
    news = "I'm planning a Valentine's Day party at Hobbs Cafe on February 14th from 5pm!"

    def respond(request: ModelRequest) -> ModelResult | None:
        if isinstance(request, Generate) and request.tag == converse.TAG_UTTERANCE:
            prompts.append(prompt_text(request.prompt))
            return GenerateResult(news)
        return None

    model = FakeModel(respond=respond)
    mind, ctx = isabella_at_work(tmp_path, model)
    turn = drive(model, {0: take_turn(mind, ctx, "Maria Lopez", [], max_rounds=8)})[0]
    # her news is her own memory's words, and still speech
    assert turn.text == news
    [intention] = mind.persona.intentions
    assert "What is on your mind:\n1. " + intention in prompts[0]
