"""Running the cases: each kind's cases as cognition steps, driven in one batched pass.

A case's step is the simulation's own: the resident is seeded with its memories the way a
run seeds them (`sim.residents.seed_memories`), then `start_day` (and `decompose_chunk` on
its first chunk), `choose_arena`, `observe` + `consider`, `remember_rated`, `answer_probe`
or `interview` runs, and every request and answer it exchanged is kept (`Exchange`), so
the scorers see the prompts and raw answers as well as what cognition made of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from agents.cognition.acting import choose_arena
from agents.cognition.interviewing import interview
from agents.cognition.observing import observe, remember_rated
from agents.cognition.planning import ActionStarted, decompose_chunk, start_day
from agents.cognition.reacting import TalkTo, consider
from agents.context import Neighbour, TickContext
from agents.mind import Mind
from agents.phrasing import being
from agents.prompts import day_plan, decompose, hourly_schedule, location, react
from agents.prompts.base import format_clock, timed_items
from agents.requests import (
    Choose,
    ChooseResult,
    Embed,
    EmbedResult,
    Generate,
    GenerateResult,
    ModelRequest,
    ModelResult,
)
from agents.state import CurrentAction, ScheduledActivity
from agents.steps import Step
from agents.tables import MemoryKind
from sim.batching import drive
from sim.bench.fidelity import scoring
from sim.bench.fidelity.cases import (
    KINDS,
    Case,
    ImportanceCase,
    InterviewCase,
    LocationCase,
    PlanCase,
    ProbeCase,
    ReactCase,
    TalkCase,
)
from sim.bench.fidelity.stage import Stage
from sim.config.fields import clock_minutes
from sim.experiments.probes import DONT_KNOW, ProbeQuestion, answer_probe
from sim.models.base import LanguageModel
from sim.residents import seed_memories
from world.address import Address
from world.perception import WorldEvent

T = TypeVar("T")
Tally = dict[str, tuple[float, int]]
"""Metric name -> (hits, trials); a rate is their ratio, a mean the sum over the count."""


@dataclass(slots=True)
class Exchange:
    """Every request one case's step made, with its answer, in order."""

    calls: list[tuple[ModelRequest, ModelResult]] = field(default_factory=list)

    def generated(self, tag: str) -> list[tuple[Generate, GenerateResult]]:
        return [(r, a) for r, a in self.calls
                if isinstance(r, Generate) and isinstance(a, GenerateResult) and r.tag == tag]

    def chosen(self, *tags: str) -> list[tuple[Choose, ChooseResult]]:
        return [(r, a) for r, a in self.calls if isinstance(r, Choose)
                and isinstance(a, ChooseResult) and r.tag in tags]

    def placed(self, *tags: str) -> list[tuple[int, int]]:
        """(chosen index, number of options) of each place choice tagged `tags`."""
        return [(location.nearest(a), len(r.texts) - 1) for r, a in self.calls
                if isinstance(r, Embed) and isinstance(a, EmbedResult) and r.tag in tags]

    def generations(self) -> list[Generate]:
        return [r for r, _ in self.calls if isinstance(r, Generate)]


def tapped(step: Step[T], exchange: Exchange) -> Step[T]:
    """`step`, with each request it yields and the answer it gets kept in `exchange`."""
    try:
        requests = next(step)
        while True:
            answers = yield requests
            exchange.calls.extend(zip(requests, answers, strict=True))
            requests = step.send(answers)
    except StopIteration as stop:
        value: T = stop.value
        return value


@dataclass(frozen=True, slots=True)
class Outcome:
    """One case's result: its tallies and what to show of it in the JSON report."""

    kind: str
    town: str
    index: int
    tally: Tally
    shown: dict[str, object]


@dataclass(frozen=True, slots=True)
class Prepared:
    step: Step[object]
    mind: Mind
    exchange: Exchange
    score: Callable[[object], tuple[Tally, dict[str, object]]]


def run_cases(model: LanguageModel, stages: list[Stage], kinds: tuple[str, ...] = KINDS,
              quick: bool = False, seed: int = 0) -> list[Outcome]:
    """Every case of `kinds` in every town (only QUICK_CASES with `quick`), all driven
    together, so the cheap kinds' requests share batches with the long plan chain."""
    prepared: dict[tuple[int, int, int], Prepared] = {}
    for k, kind in enumerate(kinds):
        for t, stage in enumerate(stages):
            for i, case in enumerate(stage.cases.cases(kind)):
                if quick and i not in QUICK_CASES:
                    continue
                agent_id = 100_000 * k + 1000 * t + i + 1
                prepared[(k, t, i)] = _BUILDERS[kind](stage, case, agent_id, seed)
    steps = {key: tapped(p.step, p.exchange) for key, p in prepared.items()}
    results = drive(model, steps)
    outcomes = []
    for (k, t, i), p in sorted(prepared.items()):
        tally, shown = p.score(results[(k, t, i)])
        tally.update(_format_failures(p.mind, p.exchange))
        outcomes.append(Outcome(kinds[k], stages[t].cases.name, i, tally, shown))
    return outcomes


QUICK_CASES = (1, 6)
"""`--quick` runs these cases of each kind in each town: every town's files list yes-cases
before no-cases (react, talk), known before unknown (probe) and alternate plans without and
with an intention, so 1 and 6 take one of each."""


def _format_failures(mind: Mind, exchange: Exchange) -> Tally:
    tags = {r.tag for r in exchange.generations()}
    failed = sum(n for tag, n in mind.fallbacks.by_tag.items() if tag in tags)
    return {"format_failure_rate": (failed, len(exchange.generations()))}


def _seeded(mind: Mind, ctx: TickContext, case: Case) -> Step[None]:
    """The resident's memories as a run starts them, then the case's own."""
    yield from seed_memories(mind, ctx)
    if case.memories:
        yield from remember_rated(mind, ctx, MemoryKind.OBSERVATION, case.memories)


# --- plan -------------------------------------------------------------------------------------

def _plan(stage: Stage, case: Case, agent_id: int, seed: int) -> Prepared:
    assert isinstance(case, PlanCase)
    intentions = (case.intention,) if case.intention else ()
    mind = stage.mind(case.resident, agent_id, intentions)
    wake = mind.persona.wake_minute
    ctx = stage.context(format_clock(wake), seed=seed)

    def step() -> Step[object]:
        yield from _seeded(mind, ctx, case)
        yield from start_day(mind, ctx)
        if mind.state.schedule:
            yield from decompose_chunk(mind, ctx, mind.state.schedule[0])
        return None

    def score(_: object) -> tuple[Tally, dict[str, object]]:
        state, exchange = mind.state, prepared.exchange
        tally: Tally = {}
        shown: dict[str, object] = {"day_plan": [f"{format_clock(a.start_minute)} "
                                                 f"{a.description}" for a in state.day_plan]}
        plans = exchange.generated(day_plan.TAG)
        if plans:  # a plan that could not be read is the fallback day: not sane, not copied
            request, answer = plans[0]
            read = request.tag not in mind.fallbacks.by_tag
            examples = scoring.example_lines(request.prompt)
            copies = scoring.copied(state.day_plan, examples) if read else 0
            tally["plan_example_copy_rate"] = (copies, len(state.day_plan) if read else 0)
            tally["plan_example_copy_plans"] = (int(copies > 0), int(read))
            written = [ScheduledActivity(minute, 0, description) for minute, description
                       in timed_items(answer.text, day_start=wake)]
            tally["plan_example_copy_written"] = (scoring.copied(written, examples),
                                                  len(written))
            tally["plan_time_sanity"] = (int(read and scoring.plan_sane(
                answer.text, state.day_plan, wake, mind.persona.bedtime_minute)), 1)
            shown["day_plan_answer"] = answer.text
        tags = (day_plan.TAG, hourly_schedule.TAG, decompose.TAG)
        loops = [scoring.is_loop(a.text) for tag in tags for _, a in exchange.generated(tag)]
        tally["plan_loop_rate"] = (sum(loops), len(loops))
        if case.intention and case.at:
            at = clock_minutes(case.at)
            tally["plan_intention_rate"] = (int(scoring.planned_at(
                state.schedule, at, case.keywords)), 1)
            tally["day_plan_intention_rate"] = (int(scoring.planned_at(
                state.day_plan, at, case.keywords)), 1)
            shown["intention"] = f"{case.at} {case.intention}"
        return tally, shown

    prepared = Prepared(step(), mind, Exchange(), score)
    return prepared


# --- location ---------------------------------------------------------------------------------

def _location(stage: Stage, case: Case, agent_id: int, seed: int) -> Prepared:
    assert isinstance(case, LocationCase)
    mind = stage.mind(case.resident, agent_id)
    ctx = stage.context(case.time, seed=seed)
    def step() -> Step[object]:
        yield from _seeded(mind, ctx, case)
        return (yield from choose_arena(mind, ctx, case.activity))

    def score(place: object) -> tuple[Tally, dict[str, object]]:
        sector, _, arena = case.expect.partition(":")
        got = str(place).split(":")[1:]
        right = got[:1] == [sector] and (not arena or got[1:2] == [arena])
        choices = prepared.exchange.placed(location.TAG_SECTOR, location.TAG_ARENA)
        tally: Tally = {"location_accuracy": (int(right), 1),
                        "location_first_option_rate": (sum(i == 0 for i, _ in choices),
                                                       len(choices)),
                        "location_chance": (sum(1 / n for _, n in choices), len(choices))}
        return tally, {"activity": case.activity, "expect": case.expect, "got": str(place)}

    prepared = Prepared(step(), mind, Exchange(), score)
    return prepared


# --- react and talk ---------------------------------------------------------------------------

def _busy(mind: Mind, ctx: TickContext, activity: str, place: Address) -> None:
    mind.state.action = CurrentAction(description=activity, address=place, start_tick=ctx.tick,
                                      end_tick=ctx.tick + ctx.ticks_for(60))


def _yes_no(name: str, right: bool, expect: bool) -> Tally:
    side = "yes" if expect else "no"
    return {name: (int(right), 1), f"{name}_{side}": (int(right), 1)}


def _react(stage: Stage, case: Case, agent_id: int, seed: int) -> Prepared:
    assert isinstance(case, ReactCase)
    mind = stage.mind(case.resident, agent_id)
    ctx = stage.context(case.time, seed=seed)
    address = stage.address(case.place)
    mind.state.tile = stage.tile(case.place)
    _busy(mind, ctx, case.activity, address)
    event = WorldEvent(str(address), "is", case.observation, case.observation,
                       stage.tile(case.place), address)

    def step() -> Step[object]:
        yield from _seeded(mind, ctx, case)
        records = yield from observe(mind, ctx, [event])
        return (yield from consider(mind, ctx, [event], records))

    def score(reaction: object) -> tuple[Tally, dict[str, object]]:
        reacted = isinstance(reaction, ActionStarted)
        tally = _yes_no("react_accuracy", reacted == case.expect, case.expect)
        asked = [a for r, a in prepared.exchange.calls if isinstance(r, Embed)
                 and isinstance(a, EmbedResult) and r.tag == react.TAG_DECISION]
        if asked:
            decided = react.reacts(asked[0])
            tally.update(_yes_no("react_decision_accuracy", decided == case.expect, case.expect))
        shown: dict[str, object] = {"observation": case.observation, "expect": case.expect,
                                    "reacted": reacted, "asked": bool(asked)}
        if isinstance(reaction, ActionStarted):
            shown["reaction"] = reaction.description
        return tally, shown

    prepared = Prepared(step(), mind, Exchange(), score)
    return prepared


def _talk(stage: Stage, case: Case, agent_id: int, seed: int) -> Prepared:
    assert isinstance(case, TalkCase)
    mind = stage.mind(case.resident, agent_id)
    address = stage.address(case.place)
    tile = stage.tile(case.place)
    partner = Neighbour(case.partner, tile, case.partner_activity, address, asleep=False,
                        busy=False)
    ctx = stage.context(case.time, {case.partner: partner}, seed=seed)
    mind.state.tile = tile
    _busy(mind, ctx, case.activity, address)
    event = WorldEvent(case.partner, "is", case.partner_activity,
                       being(case.partner, case.partner_activity), tile, address)

    def step() -> Step[object]:
        yield from _seeded(mind, ctx, case)
        records = yield from observe(mind, ctx, [event])
        return (yield from consider(mind, ctx, [event], records))

    def score(reaction: object) -> tuple[Tally, dict[str, object]]:
        talked = isinstance(reaction, TalkTo)
        return (_yes_no("talk_accuracy", talked == case.expect, case.expect),
                {"partner": case.partner, "expect": case.expect, "talked": talked})

    return Prepared(step(), mind, Exchange(), score)


# --- importance, probes, interviews -----------------------------------------------------------

def _importance(stage: Stage, case: Case, agent_id: int, seed: int) -> Prepared:
    assert isinstance(case, ImportanceCase)
    mind = stage.mind(case.resident, agent_id)
    ctx = stage.context(case.time, seed=seed)

    def step() -> Step[object]:
        records = yield from remember_rated(mind, ctx, MemoryKind.OBSERVATION,
                                            [case.mundane, case.poignant])
        return [r.importance for r in records]

    def score(ratings: object) -> tuple[Tally, dict[str, object]]:
        assert isinstance(ratings, list)
        mundane, poignant = ratings
        return ({"importance_rank_accuracy": (int(mundane < poignant), 1),
                 "importance_mundane_mean": (mundane, 1),
                 "importance_poignant_mean": (poignant, 1)},
                {"mundane": [case.mundane, mundane], "poignant": [case.poignant, poignant]})

    return Prepared(step(), mind, Exchange(), score)


def _probe(stage: Stage, case: Case, agent_id: int, seed: int) -> Prepared:
    assert isinstance(case, ProbeCase)
    mind = stage.mind(case.resident, agent_id)
    ctx = stage.context(case.time, seed=seed)
    unknown = len(case.options)
    question = ProbeQuestion(
        id=f"{stage.cases.name}:{case.question}", kind="benchmark", agent=case.resident,
        subject=case.question, question=case.question, options=(*case.options, DONT_KNOW),
        correct=case.truth if case.known else unknown, unknown=unknown, false_claims=())

    def step() -> Step[object]:
        yield from _seeded(mind, ctx, case)
        index = yield from answer_probe(mind, ctx, question)
        said = yield from interview(mind, ctx, case.question)
        return index, said

    def score(answers: object) -> tuple[Tally, dict[str, object]]:
        assert isinstance(answers, tuple)
        index, said = answers
        right = index == question.correct
        side = "known" if case.known else "unknown"
        if case.known:
            told = scoring.tells(said, case.options[case.truth], case.question)
            asked: Tally = {"interview_known_told_rate": (int(told), 1)}
        else:
            asked = {"interview_unknown_dont_know_rate": (int(scoring.dont_know(said)), 1)}
        return ({"probe_accuracy": (int(right), 1), f"probe_accuracy_{side}": (int(right), 1),
                 **asked},
                {"question": case.question, "expect": question.options[question.correct],
                 "got": question.options[index] if isinstance(index, int) else None,
                 "interview": said})

    return Prepared(step(), mind, Exchange(), score)


def _interview(stage: Stage, case: Case, agent_id: int, seed: int) -> Prepared:
    assert isinstance(case, InterviewCase)
    mind = stage.mind(case.resident, agent_id)
    ctx = stage.context(case.time, seed=seed)

    def step() -> Step[object]:
        yield from _seeded(mind, ctx, case)
        return (yield from interview(mind, ctx, case.question))

    def score(answer: object) -> tuple[Tally, dict[str, object]]:
        text = str(answer)
        persona = mind.persona_text()
        return ({"interview_first_person_rate": (int(scoring.first_person(text, mind.name)), 1),
                 "interview_refusal_rate": (int(scoring.is_refusal(text)), 1),
                 "interview_dont_know_rate": (int(scoring.dont_know(text)), 1),
                 "interview_persona_echo_rate": (int(scoring.echoes_persona(text, persona)), 1)},
                {"resident": mind.name, "question": case.question,
                 "category": case.category, "answer": text})

    return Prepared(step(), mind, Exchange(), score)


_BUILDERS: dict[str, Callable[[Stage, Case, int, int], Prepared]] = {
    "plan": _plan, "location": _location, "react": _react, "talk": _talk,
    "importance": _importance, "probe": _probe, "interview": _interview}
assert set(_BUILDERS) == set(KINDS)
