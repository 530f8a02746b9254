"""Cognition driven by a scripted fake model on the tiny town."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from agents.cognition.interviewing import interview, whisper
from agents.cognition.observing import observe
from agents.cognition.planning import ActionStarted
from agents.cognition.reacting import consider
from agents.cognition.reflecting import reflect, should_reflect
from agents.context import TickContext
from agents.mind import Mind
from agents.prompts import interview as interview_prompt
from agents.prompts.interview import DONT_KNOW
from agents.requests import (
    Embed,
    EmbedResult,
    GenerateResult,
    ModelRequest,
    ModelResult,
    RateResult,
)
from agents.tables import MemoryKind, MemoryRow
from sim.batching import drive
from sim.config import Modules, Scenario, load_scenario
from sim.models.embedder import MiniLMEmbedder
from sim.models.fake import EMBED_DIM, FakeModel, hashed_embedding
from sim.run import RunSession
from sim.scheduler import news_for
from world.address import Address
from world.perception import WorldEvent

DAY_PLAN = ("06:00 wake up and get ready\n07:00 bake pastries at the cafe\n"
            "08:00 open the cafe and serve customers\n12:00 have lunch\n"
            "13:00 serve customers\n18:00 have dinner\n20:00 read a book")
SCHEDULE = ("07:00 bake pastries at the cafe\n08:00 open the cafe\n09:00 serve customers\n"
            "10:00 serve customers\n12:00 have lunch\n13:00 serve customers\n"
            "18:00 have dinner\n20:00 read a book")
DECOMPOSITION = "15 min: knead the dough\n15 min: shape the croissants\n30 min: bake them"
QUESTIONS = "What does Isabella care about most?\nWho does Isabella trust?"
INSIGHTS = ("Isabella cares about her cafe (because of 1, 2)\n"
            "Isabella trusts Maria (because of 1, 2)")


def scripted(importance: int = 3) -> FakeModel:
    texts = {"day_plan": DAY_PLAN, "hourly_schedule": SCHEDULE, "decompose": DECOMPOSITION,
             "reflection_questions": QUESTIONS, "reflection_insights": INSIGHTS}

    def respond(request: ModelRequest) -> ModelResult | None:
        if request.kind == "generate" and request.tag in texts:
            return GenerateResult(texts[request.tag])
        if request.kind == "rate" and request.tag == "importance":
            return RateResult(importance, ())
        return None

    return FakeModel(respond=respond)


def session(tmp_path: Path, model: FakeModel, scenario: Scenario | None = None) -> RunSession:
    return RunSession.create(tmp_path / "run.sqlite", scenario or load_scenario("tiny"), 0,
                             model)


def isabella(run: RunSession) -> Mind:
    return next(m for m in run.minds.values() if m.name == "Isabella Rodriguez")


def test_a_scripted_morning_follows_the_plan(tmp_path: Path) -> None:
    run = session(tmp_path, scripted())
    run.run_until(30)
    state = isabella(run).state
    # The hour-long chunks are the day plan's own items from waking (07:00) on, split.
    assert [(c.start_minute, c.description) for c in state.schedule[:3]] == [
        (7 * 60, "bake pastries at the cafe"), (8 * 60, "open the cafe and serve customers"),
        (9 * 60, "open the cafe and serve customers")]
    assert all(c.duration <= 60 for c in state.schedule)
    assert [(a.description, a.duration) for a in state.actions] == [
        ("knead the dough", 15), ("shape the croissants", 15), ("bake them", 15),
        ("bake them", 15)]  # a step over 15 minutes is split
    assert state.action is not None and state.action.description == "knead the dough"
    # "at the cafe" names Hobbs Cafe; the action's object lies in the chunk's arena there.
    assert state.chunk_place is not None
    assert state.chunk_place.is_within(Address("town", "Hobbs Cafe"))
    assert state.action.address.is_within(state.chunk_place)


def test_the_paper_hourly_schedule_is_the_models_answer(tmp_path: Path) -> None:
    """With `hourly_schedule = "model"` the chunks come from an hourly-schedule request;
    by default that request is never made."""
    asked: list[str] = []
    respond = scripted().respond
    assert respond is not None

    def recording(request: ModelRequest) -> ModelResult | None:
        asked.append(request.tag)
        return respond(request)

    scenario = load_scenario("tiny")
    paper = scenario.model_copy(update={"planning": scenario.planning.model_copy(
        update={"hourly_schedule": "model"})})
    run = session(tmp_path, FakeModel(respond=recording), paper)
    run.run_until(30)
    state = isabella(run).state
    assert [c.description for c in state.schedule[:3]] == [
        "bake pastries at the cafe", "open the cafe", "serve customers"]
    assert state.schedule[0].start_minute == 7 * 60  # stretched back to waking time
    assert "hourly_schedule" in asked
    asked.clear()
    run = RunSession.create(tmp_path / "default.sqlite", load_scenario("tiny"), 0,
                            FakeModel(respond=recording))
    run.run_until(30)
    assert "day_plan" in asked and "hourly_schedule" not in asked


def test_a_decomposed_hour_is_covered_by_contiguous_actions(tmp_path: Path) -> None:
    run = session(tmp_path, scripted())
    run.run_until(10)
    actions = isabella(run).state.actions
    chunk = isabella(run).state.schedule[0]
    assert actions[0].start_minute == chunk.start_minute
    assert actions[-1].end_minute == chunk.end_minute
    for before, after in itertools.pairwise(actions):
        assert before.end_minute == after.start_minute
    assert all(5 <= a.duration <= 15 for a in actions)
    # "30 min: bake them" is two 15-minute actions, and the plan remembered names it once
    assert [a.description for a in actions].count("bake them") == 2
    remembered = isabella(run).memory.records([MemoryKind.PLAN])[-1].description
    assert remembered.endswith(": knead the dough, shape the croissants, bake them")


def test_reflection_fires_exactly_at_the_threshold_and_cites_real_records(
        tmp_path: Path) -> None:
    run = session(tmp_path, scripted(importance=10))
    mind = isabella(run)
    mind.state.importance_since_reflection = 0
    ctx = run.scheduler.context(0)
    threshold = mind.config.reflection_threshold
    vectors = np.stack([hashed_embedding("something happened")])
    for i in range(threshold // 10 - 1):
        mind.remember(ctx, MemoryKind.OBSERVATION, [f"Maria helped at the cafe ({i})"], [10],
                      vectors)
    assert not should_reflect(mind)
    mind.remember(ctx, MemoryKind.OBSERVATION, ["Maria closed the cafe"], [10], vectors)
    assert should_reflect(mind)
    stored = drive(run.model, {mind.agent_id: reflect(mind, ctx)})[mind.agent_id]
    # both questions led to the same two insights: each is stored once
    assert [r.description for r in stored] == ["Isabella cares about her cafe",
                                                "Isabella trusts Maria"]
    for record in stored:
        assert record.kind is MemoryKind.REFLECTION and record.evidence_ids
        cited = mind.memory.by_ids(list(record.evidence_ids))
        assert all(c.agent_id == mind.agent_id for c in cited)
    assert mind.state.importance_since_reflection == 0


MAYOR = "Who is running for mayor?"
SAID = "I heard Sam Moore is running for mayor."
TOLD = "Sam Moore told Isabella Rodriguez that he is running for mayor"
PROUD = "What are you most proud of?"


def _axis(i: int) -> np.ndarray:
    vector = np.zeros(EMBED_DIM, dtype=np.float32)
    vector[i] = 1.0
    return vector


def interviewed(answer: str) -> FakeModel:
    """The scripted day, `answer` to every interview, and embeddings in which the mayor
    question and the world examples lie on one axis, the self examples and `PROUD` on
    another, `answer` on a third, and `TOLD` halfway between the question and the answer:
    it is about both (support 0.5), every other text (hashed) about neither."""
    base = scripted().respond
    assert base is not None
    placed = {MAYOR: _axis(0), PROUD: _axis(1), answer: _axis(2),
              TOLD: (_axis(0) + _axis(2)) / np.sqrt(2),
              **dict.fromkeys(interview_prompt.WORLD, _axis(0)),
              **dict.fromkeys(interview_prompt.SELF, _axis(1))}

    def respond(request: ModelRequest) -> ModelResult | None:
        if isinstance(request, Embed):
            return EmbedResult(np.stack([placed.get(text, hashed_embedding(text))
                                         for text in request.texts]).astype(np.float32))
        if request.kind == "generate" and request.tag == interview_prompt.TAG:
            return GenerateResult(answer)
        return base(request)

    return FakeModel(respond=respond)


def test_interview_answers_without_touching_memories(tmp_path: Path) -> None:
    run = session(tmp_path, interviewed(SAID))
    run.run_until(20)
    mind = isabella(run)
    ctx = run.scheduler.context(100)
    drive(run.model, {1: whisper(mind, ctx, [TOLD])})
    before = {r.id: mind.memory.last_accessed(r.id) for r in mind.memory.records()}
    fallbacks = mind.fallbacks.total
    answer = drive(run.model, {1: interview(mind, ctx, MAYOR)})[1]
    assert answer == SAID  # the model's answer, not the fallback line
    assert mind.fallbacks.total == fallbacks
    assert before == {r.id: mind.memory.last_accessed(r.id) for r in mind.memory.records()}


def test_an_answer_about_the_world_needs_a_memory_behind_it(tmp_path: Path) -> None:
    run = session(tmp_path, interviewed(SAID))
    run.run_until(20)
    mind = isabella(run)
    ctx = run.scheduler.context(100)
    # Nothing she remembers is about the mayor: the model's claim is not hers to make.
    assert drive(run.model, {1: interview(mind, ctx, MAYOR)})[1] == DONT_KNOW
    # A question about herself is answered in character, with or without such a memory.
    assert drive(run.model, {1: interview(mind, ctx, PROUD)})[1] == SAID


@pytest.mark.parametrize("condition,absent", [
    ("no-reflection-no-planning", {MemoryKind.REFLECTION, MemoryKind.PLAN}),
    ("no-observation", {MemoryKind.OBSERVATION}),
])
def test_an_ablated_run_writes_no_records_of_the_ablated_kind(
        tmp_path: Path, condition: str, absent: set[MemoryKind]) -> None:
    base = load_scenario("tiny")
    data = base.model_dump(mode="json")
    data["reflection"]["threshold"] = 20
    scenario = Scenario.parse(data, source="tiny.toml", base_dir=Path(base.map).parent)
    scenario = scenario.with_modules(Modules.from_condition(condition))
    run = session(tmp_path, scripted(importance=8), scenario)
    run.run_until(600)
    with run.sessions() as db:
        kinds = dict(db.execute(select(MemoryRow.kind, func.count())
                                .where(MemoryRow.created_tick > 0)
                                .group_by(MemoryRow.kind)).all())
    assert not absent & set(kinds), kinds
    assert kinds, "the ablated run still remembers something"


def fire_at_isabella(run: RunSession) -> tuple[Mind, TickContext, WorldEvent]:
    """Isabella at tick 20, and a stove on fire where her action is."""
    run.run_until(20)
    mind = isabella(run)
    place = mind.state.action.address if mind.state.action else None
    assert place is not None
    event = WorldEvent("the stove", "is", "on fire", "the stove is on fire", (0, 0), place)
    return mind, run.scheduler.context(20), event


@pytest.mark.parametrize("observation,reacts", [("the stove is on fire", True),
                                                 ("the fridge is humming", False)])
def test_a_notable_event_is_reacted_to_only_when_it_cannot_be_ignored(
        tmp_path: Path, observation: str, reacts: bool) -> None:
    """Urgency is the nearest labelled example (the fake embeds bags of words, so an
    example's own words are nearest it); the reaction is asked for only when urgent."""
    scripted_answer = scripted().respond
    assert scripted_answer is not None
    asked: list[str] = []

    def respond(request: ModelRequest) -> ModelResult | None:
        if request.kind == "generate" and request.tag == "reaction":
            asked.append(request.tag)
            return GenerateResult("10 min: put out the fire on the stove")
        return scripted_answer(request)

    run = session(tmp_path, FakeModel(respond=respond))
    mind, ctx, fire = fire_at_isabella(run)
    event = WorldEvent("the stove", "is", observation, observation, (0, 0), fire.address)
    [record] = mind.remember(ctx, MemoryKind.OBSERVATION, [event.description], [9],
                             np.stack([hashed_embedding(event.description)]))
    outcome = drive(run.model, {mind.agent_id: consider(mind, ctx, [event], [record])})
    started = outcome[mind.agent_id]
    assert bool(asked) == reacts
    if reacts:
        assert isinstance(started, ActionStarted)
        assert started.description == "put out the fire on the stove"
        assert mind.state.action is not None and mind.state.action.reaction
    else:
        assert started is None


def test_unreadable_decisions_take_their_fallback_and_are_counted(tmp_path: Path) -> None:
    """An answer that named no option (matched=False) never counts as its index: a rating
    of 10 here; the fallback is the opposite. (Whether to react or to talk is decided by
    embeddings, which a server always answers.)"""
    scripted_answer = scripted().respond
    assert scripted_answer is not None

    def respond(request: ModelRequest) -> ModelResult | None:
        if request.kind == "rate" and request.tag == "importance":
            return RateResult(10, (), matched=False)
        return scripted_answer(request)

    run = session(tmp_path, FakeModel(respond=respond))
    mind, ctx, event = fire_at_isabella(run)
    before = dict(mind.fallbacks.by_tag)
    [record] = drive(run.model, {0: observe(mind, ctx, [event])})[0]
    assert record.importance == 1  # the fallback rating, not the unread 10
    gained = {tag: n - before.get(tag, 0) for tag, n in mind.fallbacks.by_tag.items()}
    assert gained == {"importance": 1}


def test_a_bedtime_after_midnight_is_kept(tmp_path: Path) -> None:
    """Maria sleeps at 01:00 and wakes at 08:00: awake at 00:30, in bed from 01:00 until
    08:00 (issue 12: she was sent to bed at 00:00)."""
    run = session(tmp_path, scripted())
    maria = next(m for m in run.minds.values() if m.name == "Maria Lopez")
    assert (maria.persona.wake_minute, maria.persona.sleep_minute) == (480, 60)
    half_past_midnight = 35 * 60 * 60 // 10 // 2  # 17.5 h after the 07:00 start
    run.run_until(half_past_midnight)
    assert run.scheduler.context(half_past_midnight).clock == "00:30"
    assert not maria.state.asleep and maria.state.action is not None
    assert not maria.state.action.sleep
    one_am = half_past_midnight + 180
    run.run_until(one_am + 1)
    action = maria.state.action
    assert action is not None and action.sleep
    assert run.scheduler.context(action.start_tick).clock == "01:00"
    assert run.scheduler.context(action.end_tick).clock == "08:00"


def test_appointments_held_today_are_kept_in_the_plan(tmp_path: Path) -> None:
    """Isabella's party (an intention with a time, from the scenario) holds 17:00-19:00 of
    her schedule although the scripted plan says nothing about it."""
    base = load_scenario("tiny")
    data = base.model_dump(mode="json")
    data["start"] = "2023-02-14 07:00"
    scenario = Scenario.parse(data, source="tiny.toml", base_dir=Path(base.map).parent)
    run = session(tmp_path, scripted(), scenario)
    run.run_until(5)
    schedule = isabella(run).state.schedule
    party = [c for c in schedule if 17 * 60 <= c.start_minute < 19 * 60]
    assert party and {c.description for c in party} == {
        "go to a Valentine's Day party at Hobbs Cafe"}
    assert sum(c.duration for c in party) == 120


def test_a_run_starting_after_midnight_sends_the_night_owl_to_bed_at_her_bedtime(
        tmp_path: Path) -> None:
    """Started at 00:30, Maria (bed 01:00) has the rest of her night, not a whole new day."""
    base = load_scenario("tiny")
    data = base.model_dump(mode="json")
    data["start"] = "2023-02-14 00:30"
    scenario = Scenario.parse(data, source="tiny.toml", base_dir=Path(base.map).parent)
    run = session(tmp_path, scripted(), scenario)
    maria = next(m for m in run.minds.values() if m.name == "Maria Lopez")
    run.run_until(2)
    assert not maria.state.asleep
    assert [(c.start_minute, c.end_minute) for c in maria.state.schedule] == [(30, 60)]
    run.run_until(185)  # 01:00 and a little
    action = maria.state.action
    assert action is not None and action.sleep
    assert run.scheduler.context(action.end_tick).clock == "08:00"


@pytest.mark.parametrize("reuse", [True, False])
def test_an_observation_seen_before_keeps_its_importance_unless_the_paper_is_asked(
        tmp_path: Path, reuse: bool) -> None:
    scenario = load_scenario("tiny")
    scenario = scenario.model_copy(update={"memory": scenario.memory.model_copy(
        update={"reuse_importance": reuse})})
    run = session(tmp_path, scripted(importance=4), scenario)
    run.run_until(5)
    mind = isabella(run)
    ctx = run.scheduler.context(5)
    seen = WorldEvent("the stove", "is", "idle", "the stove is idle", (0, 0),
                      Address.parse(f"{ctx.town.world}:{mind.persona.home}"))
    again = WorldEvent("the stove", "is", "idle", "The stove  is idle.", (0, 0), seen.address)
    [first] = drive(run.model, {mind.agent_id: observe(mind, ctx, [seen])})[mind.agent_id]
    rated = {"importance": 0}

    def count(request: ModelRequest) -> ModelResult | None:
        rated[request.tag] = rated.get(request.tag, 0) + 1
        return RateResult(9, ()) if request.kind == "rate" else None

    [second] = drive(FakeModel(respond=count),
                     {mind.agent_id: observe(mind, ctx, [again])})[mind.agent_id]
    assert first.importance == 4
    assert (second.importance, rated["importance"]) == ((4, 0) if reuse else (9, 1))


def test_a_resident_does_not_notice_its_own_doing(tmp_path: Path) -> None:
    """Neither its own activity nor the state its action gave its object is news to it; an
    event injected at that object and what others do there are."""
    run = session(tmp_path, scripted())
    run.run_until(30)
    mind = isabella(run)
    assert mind.state.action is not None
    at = mind.state.action.address
    tile = min(run.town.tiles_of(at))
    own_state = WorldEvent(str(at), "is", "being used", f"{at.object} is being used", tile, at)
    fire = WorldEvent(str(at), "event", "on fire", f"{at.object} is on fire", tile, at)
    other = WorldEvent("Maria Lopez", "is", "reading", "Maria Lopez is reading", tile, at)
    itself = WorldEvent(mind.name, "is", "baking", f"{mind.name} is baking", tile, at)
    assert news_for(mind, [own_state, fire, other, itself]) == [fire, other]


def test_an_answer_that_recites_the_persona_is_asked_again_with_less_of_it(
        tmp_path: Path) -> None:
    own = "I love the mornings, when the first customers come in for coffee."

    recited = "Isabella Rodriguez owns Hobbs Cafe, which she opened five years ago"

    def recites_what_it_reads(request: ModelRequest) -> ModelResult | None:
        """Interview answers: her persona's first sentence while the prompt shows it,
        else `own`."""
        if request.kind != "generate" or request.tag != interview_prompt.TAG:
            return None
        shown = recited in request.prompt[-1].content
        return GenerateResult(f"I'm Isabella. {recited}." if shown else own)

    base = interviewed(SAID).respond
    assert base is not None
    run = session(tmp_path, FakeModel(lambda r: recites_what_it_reads(r) or base(r)))
    run.run_until(20)
    mind = isabella(run)
    answer = drive(run.model, {1: interview(mind, run.scheduler.context(100), PROUD)})[1]
    assert answer == own
    assert mind.fallbacks.by_tag[interview_prompt.TAG_RECITED] == 1


WORLD_QUESTIONS = [
    "Who is the new baker in town?", "When does the market open on Saturday?",
    "Did anyone tell you about the storm coming?", "Who won the election?",
    "What did Maria say about the exhibition?", "Is the bridge closed this week?",
    "Where will the concert be held?", "Have you heard who bought the old mill?",
    "What happened to the fountain in the park?", "Who is organising the Valentine's party?",
    "How much are tickets for the play?", "Which team won the football match?"]
SELF_QUESTIONS = [
    "Describe your typical day.", "How do you feel about your neighbours?",
    "What would you do if you lost your job?", "What are you looking forward to this week?",
    "What is your biggest worry?", "How do you relax after work?",
    "What do you think about the new mayor candidate?",
    "Who are the most important people in your life?", "What will you do this evening?",
    "Why did you choose your job?", "What do you enjoy about your work?",
    "How would your friends describe you?"]


def test_questions_about_the_world_are_told_from_questions_about_oneself() -> None:
    """Measured with the real MiniLM embedder on questions of our own, none of them an
    example: every question about news and others is one (its answer must be remembered);
    10 of 12 about oneself are not (the other two need a memory behind their answer)."""
    embedder = MiniLMEmbedder(device="cpu", batch_size=32)

    def world(question: str) -> bool:
        request = interview_prompt.grounding_request(question=question, answer="I see.")
        return interview_prompt.about_world(EmbedResult(embedder.embed_texts(
            list(request.texts))))

    assert all(world(q) for q in WORLD_QUESTIONS)
    assert sum(not world(q) for q in SELF_QUESTIONS) >= 10
