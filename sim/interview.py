"""Interviewing residents of a run without changing it.

The minds are loaded from the run's last committed tick and answer from
retrieval with `touch=False`; nothing is written and no transaction commits,
so a run can be interviewed while it is live, and an ablation experiment can
ask the same residents under several memory restrictions. All questions are
answered together (`sim.batching.drive`), so they share model batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agents.cognition.interviewing import interview
from agents.mind import FallbackCounter
from agents.tables import MemoryKind
from sim.batching import drive
from sim.config import open_town
from sim.models.base import LanguageModel
from sim.models.routing import BACKEND as ROUTED
from sim.residents import load_minds, perceiver_for
from sim.runfile import RunQueryError, StoredRun, opened_run
from sim.scheduler import Scheduler
from world.objects import ObjectStates


def parse_kinds(text: str) -> tuple[MemoryKind, ...]:
    """Memory kinds from a list like "observation,plan"; RunQueryError for an unknown one."""
    known = {kind.value: kind for kind in MemoryKind}
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        what = f"unknown memory kind(s) {', '.join(unknown)}" if unknown else "no memory kinds"
        raise RunQueryError(f"--only: {what}; choose from {', '.join(known)}")
    return tuple(dict.fromkeys(known[name] for name in names))


def answer_questions(db: str | Path, questions: Sequence[tuple[str, str]], model: LanguageModel,
                     kinds: Sequence[MemoryKind] | None = None) -> list[str]:
    """Each (resident, question)'s answer, in order, from the run as its last tick left it.

    `kinds` restricts the memories every answer may use (interview-time ablation).
    """
    with opened_run(db) as (sessions, stored):
        for name, _question in questions:
            stored.resident(name)
        town = open_town(stored.scenario)
        with sessions() as session:
            minds = load_minds(session, stored.scenario, town, FallbackCounter())
            session.rollback()  # read only: nothing of this session is ever committed
    ids = {mind.name: agent_id for agent_id, mind in minds.items()}
    # Only for its TickContext: the time, and the residents as each sees the others.
    scheduler = Scheduler(town, stored.clock, minds, model, ObjectStates(town), {},
                          perceiver=perceiver_for(stored.scenario, town),
                          run_seed=stored.seed, next_conversation_id=0)
    ctx = scheduler.context(stored.last_tick or 0)
    answers = drive(model, {i: interview(minds[ids[name]], ctx, question, kinds)
                            for i, (name, question) in enumerate(questions)})
    return [answers[i] for i in range(len(questions))]


def recorded_model(stored: StoredRun) -> tuple[str, str | None, str | None]:
    """(spec, endpoint, endpoint model) that loads the model the run was recorded with."""
    info = stored.model_info
    backend, source = info.get("backend", ""), info.get("source", "")
    if backend in ("fake", ROUTED):
        return backend, None, None
    if backend == "openai-http" and source:
        name = info.get("name")
        return stored.scenario.model.spec, source, None if name == "(served model)" else name
    if backend == "transformers" and source and Path(source).is_dir():
        return source, None, None
    settings = stored.scenario.model
    return settings.spec, settings.endpoint, settings.endpoint_model
