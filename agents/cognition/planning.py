"""Planning: the day in broad strokes on waking, hour-long chunks, then 5-15 minute actions.

The day plan and the hourly schedule are written once a day; a chunk is
decomposed only when the agent reaches it ("just in time"). Plans are memory
records too, so later prompts can retrieve them. Every free-text answer that
cannot be read falls back to a defined plan, counted by tag.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from agents.cognition.acting import choose_arena, choose_object, object_state, start_action
from agents.cognition.appointments import appointments, keep_appointments
from agents.cognition.observing import remember_rated
from agents.cognition.summarising import refresh_summary
from agents.context import TickContext
from agents.mind import Mind
from agents.prompts.base import PromptParseError, format_clock
from agents.prompts.day_plan import day_plan_request, parse_day_plan
from agents.prompts.decompose import decompose_request, parse_decomposition
from agents.prompts.hourly_schedule import (
    hourly_schedule_request,
    parse_hourly_schedule,
    split_long,
)
from agents.prompts.react import parse_reaction, reaction_request
from agents.requests import Generate
from agents.state import SLEEPING, ScheduledActivity, activity_at
from agents.steps import Step, generate
from agents.tables import MemoryKind
from world.address import SEPARATOR, Address

DAY = 24 * 60
HELD = (MemoryKind.OBSERVATION, MemoryKind.DIALOGUE, MemoryKind.THOUGHT, MemoryKind.REFLECTION)
"""The memories searched for today's appointments (not plans: they would echo themselves)."""
IMPROVISED_MINUTES = 30


@dataclass(frozen=True, slots=True)
class ActionStarted:
    """What the world must change because an action started: the object's new state."""

    description: str
    address: Address
    pictogram: str
    object_state: str | None


def sampled(mind: Mind, ctx: TickContext, request: Generate) -> Generate:
    """The request with the run's temperature and a seed drawn from (run, tick, agent)."""
    return replace(request, temperature=mind.config.temperature, top_p=mind.config.top_p,
                   seed=ctx.seed(mind.name, request.tag),
                   max_tokens=mind.config.tokens(request.tag, request.max_tokens))


def fallback_day(mind: Mind, wake: int) -> list[ScheduledActivity]:
    """The day from `wake` (minutes after midnight) to bedtime when no plan could be read:
    work (or stay home) between meals."""
    sleep = mind.persona.bedtime_minute
    work = f"work at {mind.persona.workplace}" if mind.persona.workplace else "spend time at home"
    items = [(wake, "wake up and get ready"), (wake + 60, work), (12 * 60, "have lunch"),
             (13 * 60, work), (18 * 60, "have dinner"), (20 * 60, "relax at home")]
    items = [items[0], *sorted((m, t) for m, t in items[1:] if m > wake)]
    starts = [m for m, _ in items if wake <= m < sleep]
    texts = [t for m, t in items if wake <= m < sleep]
    ends = [*starts[1:], sleep]
    return [ScheduledActivity(s, e - s, t) for s, e, t in zip(starts, ends, texts, strict=True)
            if e > s]


def place_name(reference: str) -> str:
    """A persona's place ("Hobbs Cafe:cafe", sector then arena) as a prompt names it:
    "Hobbs Cafe (cafe)"."""
    sector, *inside = [part.strip() for part in reference.split(SEPARATOR)]
    return f"{sector} ({inside[-1]})" if inside else sector


def start_day(mind: Mind, ctx: TickContext) -> Step[None]:
    """On waking: refresh the summary, then write today's plan and its hour-long chunks
    (by the model when `hourly_by_model`, else the plan's own items)."""
    state = mind.state
    state.plan_day = ctx.day
    state.actions = []
    yield from refresh_summary(mind, ctx)
    if not mind.config.planning:
        state.day_plan, state.schedule = [], []
        return
    wake, sleep = ctx.minute_of_day, mind.persona.bedtime_minute
    if wake + DAY < sleep:  # woken after midnight, before bedtime: the rest of the night
        state.day_plan = [ScheduledActivity(wake, sleep - DAY - wake, "relax at home")]
        state.schedule = list(state.day_plan)
        return
    intentions = [*mind.persona.intentions, *state.intentions]
    kept = appointments(intentions, [r.description for r in mind.memory.records(HELD)],
                        agent=mind.name, today=ctx.now.date())
    request = sampled(mind, ctx, day_plan_request(
        agent=mind.name, persona=mind.persona_text(), date=ctx.date,
        wake_minute=wake, bed_minute=sleep, workplace=place_name(mind.persona.workplace or ""),
        places=mind.persona.known_places, yesterday=state.yesterday, intentions=intentions,
        appointments=[a.line() for a in kept]))
    answer = yield from generate(request)
    try:
        plan = parse_day_plan(answer.text, wake_minute=wake, bed_minute=sleep)
        state.day_plan = keep_appointments(plan.activities(sleep), kept)
    except PromptParseError:
        mind.fell_back(request.tag)
        state.day_plan = keep_appointments(fallback_day(mind, wake), kept)
    lines = [f"{format_clock(item.start_minute)} {item.description}" for item in state.day_plan]
    schedule = from_waking(state.day_plan, wake)
    if mind.config.hourly_by_model:
        schedule = yield from hourly_schedule(mind, ctx, lines, wake, sleep, schedule)
    state.schedule = split_long(keep_appointments(schedule, kept), mind.config.chunk_minutes)
    summary = f"{mind.name}'s plan for {ctx.date}: " + "; ".join(lines)
    yield from remember_rated(mind, ctx, MemoryKind.PLAN, [summary])


def from_waking(day: list[ScheduledActivity], wake: int) -> list[ScheduledActivity]:
    """The day's stretches from `wake` (minutes) on: those over by then left out, the first
    one cut or stretched to start at `wake`, empty ones dropped."""
    kept = [item for item in day if item.end_minute > wake and item.duration > 0]
    if not kept:
        return []
    first = kept[0]
    return [ScheduledActivity(wake, first.end_minute - wake, first.description), *kept[1:]]


def hourly_schedule(mind: Mind, ctx: TickContext, plan: list[str], wake: int, sleep: int,
                    fallback: list[ScheduledActivity]) -> Step[list[ScheduledActivity]]:
    """The day plan (`plan`: "HH:MM activity" lines) decomposed by the model into chunks of
    at most `chunk_minutes` from `wake` to `sleep` (minutes); `fallback` when unreadable."""
    request = sampled(mind, ctx, hourly_schedule_request(
        agent=mind.name, persona=mind.persona_text(), date=ctx.date, plan=plan,
        wake_time=format_clock(wake), sleep_time=format_clock(sleep)))
    answer = yield from generate(request)
    try:
        return parse_hourly_schedule(answer.text, start_minute=wake,
                                     end_minute=max(sleep, wake + 60),
                                     max_chunk=mind.config.chunk_minutes)
    except (PromptParseError, ValueError):
        mind.fell_back(request.tag)
        return fallback


def plan_minute(mind: Mind, ctx: TickContext) -> int:
    """Now, in minutes from the midnight that began the resident's waking day: past 1440
    between midnight and waking when today's plan was written yesterday (a bedtime at 01:00
    is minute 1500 of the plan's day)."""
    minute = ctx.minute_of_day
    if mind.state.plan_day not in (None, ctx.day) and minute < mind.persona.wake_minute:
        return minute + DAY
    return minute


def next_action(mind: Mind, ctx: TickContext) -> Step[ActionStarted]:
    """Pick the action for now: from the schedule (decomposing the chunk on first use),
    improvised when planning is off, or sleep outside the waking day."""
    state = mind.state
    minute = plan_minute(mind, ctx)
    past_midnight = minute - ctx.minute_of_day
    chunk = activity_at(state.schedule, minute) if mind.config.planning else None
    if mind.config.planning and chunk is None:
        return (yield from go_to_bed(mind, ctx))
    if chunk is None:
        if not _awake_hours(mind, ctx.minute_of_day):
            return (yield from go_to_bed(mind, ctx))
        description, minutes = yield from improvise(mind, ctx)
        step = ScheduledActivity(minute, minutes, description)
        place = yield from choose_arena(mind, ctx, description)
    else:
        if activity_at(state.actions, minute) is None or state.chunk_place is None:
            yield from decompose_chunk(mind, ctx, chunk)
        step = activity_at(state.actions, minute) or chunk
        place = state.chunk_place or ctx.town.resolve(mind.persona.home)
    target = yield from choose_object(mind, ctx, place, step.description)
    new_state = yield from object_state(mind, ctx, target, step.description)
    pictogram = yield from start_action(mind, ctx, step.description, target,
                                        ctx.tick_at_minute(step.end_minute - past_midnight))
    return ActionStarted(step.description, target, pictogram, new_state)


def decompose_chunk(mind: Mind, ctx: TickContext, chunk: ScheduledActivity) -> Step[None]:
    """Choose where the chunk happens and split it into 5-15 minute actions."""
    state = mind.state
    place = yield from choose_arena(mind, ctx, chunk.description)
    state.chunk_place = place
    around = [f"{format_clock(c.start_minute)} {c.description}" for c in state.schedule
              if abs(c.start_minute - chunk.start_minute) <= 120 and c is not chunk]
    request = sampled(mind, ctx, decompose_request(
        agent=mind.name, persona=mind.persona_text(), activity=chunk.description,
        start_time=format_clock(chunk.start_minute), end_time=format_clock(chunk.end_minute),
        duration=chunk.duration, context=around))
    answer = yield from generate(request)
    try:
        state.actions = parse_decomposition(
            answer.text, start_minute=chunk.start_minute, duration=chunk.duration,
            min_len=mind.config.action_min_minutes, max_len=mind.config.action_max_minutes)
    except (PromptParseError, ValueError):
        mind.fell_back(request.tag)
        state.actions = [chunk]
    # a step longer than the longest action is split into parts with one description
    steps = ", ".join(list(dict.fromkeys(a.description for a in state.actions))[:6])
    yield from remember_rated(mind, ctx, MemoryKind.PLAN, [
        f"From {format_clock(chunk.start_minute)} to {format_clock(chunk.end_minute)} "
        f"{mind.name} plans to {chunk.description} at {place.arena or place.sector}: {steps}"])


def improvise(mind: Mind, ctx: TickContext) -> Step[tuple[str, int]]:
    """Without planning, the next activity is decided on the spot from the persona."""
    request = sampled(mind, ctx, reaction_request(
        agent=mind.name, persona=mind.persona_text(), time=ctx.clock, activity=mind.activity(),
        observation=f"{mind.name} has finished what they were doing"))
    answer = yield from generate(request)
    try:
        reaction = parse_reaction(answer.text)
        return reaction.description, max(reaction.duration, IMPROVISED_MINUTES)
    except PromptParseError:
        mind.fell_back(request.tag)
        return "spend time at home", IMPROVISED_MINUTES


def go_to_bed(mind: Mind, ctx: TickContext) -> Step[ActionStarted]:
    """Walk to the bed at home and sleep until the next waking time."""
    home = ctx.town.resolve(mind.persona.home)
    bed = Address(home.world, home.sector, home.arena, "bed")
    target = bed if bed in ctx.town else home
    wake = mind.persona.wake_minute
    minutes_left = (wake - ctx.minute_of_day) % (24 * 60) or 24 * 60
    end = ctx.tick + ctx.ticks_for(minutes_left)
    pictogram = yield from start_action(mind, ctx, SLEEPING, target, end, sleep=True)
    state = mind.state
    if state.plan_day is not None and state.schedule:
        state.yesterday = "; ".join(item.description for item in state.schedule[:8])
    state.schedule, state.actions, state.chunk_place = [], [], None
    return ActionStarted(SLEEPING, target, pictogram, None)


def _awake_hours(mind: Mind, minute: int) -> bool:
    wake, bedtime = mind.persona.wake_minute, mind.persona.bedtime_minute
    return wake <= minute < bedtime or wake <= minute + 24 * 60 < bedtime
