"""Knowledge probes: multiple-choice questions with an "I don't know", answered from memory.

Two kinds, both built from the scenario, so their ground truth is known:

- an *intention* probe asks a scenario probe's question ("Do you know who is
  running for mayor?") with the true answer ("Yes: Sam Moore running for
  mayor"), the same claim about another resident ("Yes: Maria Lopez running
  for mayor", a false claim about someone), "No" and "I don't know";
- a *person* probe asks what another resident does for a living: the true
  occupation, another resident's occupation (a false claim) and "I don't know".

A resident answers from the memories it retrieves for the question, by meaning
(`agents.knowing`): "I don't know" unless a memory supports an answer, else the
answer its memories support most. Asked to pick a letter, the 0.5B default model
picked the first option whatever it remembered and never "I don't know" (issue 12;
benchmark: 0.50 of known and 0.00 of unknown probes right). The options and their
order depend only on the scenario, the resident asked and the probe, so every
condition, seed and checkpoint gets exactly the same question.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agents.context import TickContext
from agents.embeddings import FloatArray
from agents.knowing import supports
from agents.mind import Mind
from agents.requests import Embed, EmbedResult
from agents.steps import Step, embed
from agents.tables import MemoryKind
from sim.config import Intention, Scenario

TAG = "probe"
PROBE_MEMORIES = 8
PEOPLE_PER_AGENT = 3
DONT_KNOW = "I don't know"
NOTHING = "No, I haven't heard of anything like that"


@dataclass(frozen=True, slots=True)
class ProbeQuestion:
    """One probe put to one resident; option indices refer to `options` as shown."""

    id: str
    kind: str  # "intention" or "person"
    agent: str
    subject: str  # the intention's id, or the person asked about
    question: str
    options: tuple[str, ...]
    correct: int
    unknown: int
    false_claims: tuple[int, ...]


def _rng(*parts: str) -> np.random.Generator:
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _ordered(agent: str, probe: str, options: Sequence[str]) -> list[int]:
    """A fixed shuffle of the answer options (position bias spread, same for every run)."""
    return [int(i) for i in _rng("order", agent, probe).permutation(len(options))]


def _question(probe_id: str, kind: str, agent: str, subject: str, question: str,
              truth: str, false_claim: str, others: Sequence[str]) -> ProbeQuestion:
    """Shuffle truth, false claim and the other answers; "I don't know" always comes last."""
    shuffled = [truth, false_claim, *others]
    order = _ordered(agent, probe_id, shuffled)
    options = (*(shuffled[i] for i in order), DONT_KNOW)
    return ProbeQuestion(probe_id, kind, agent, subject, question, options,
                         correct=order.index(0), unknown=len(options) - 1,
                         false_claims=(order.index(1),))


def claim(intention: Intention, name: str) -> str:
    """The intention's topic as a claim about `name` ("Sam Moore running for mayor")."""
    topic = intention.topic
    if intention.resident in topic:
        return topic.replace(intention.resident, name)
    return f"{topic}, organised by {name}"


def _stand_in(scenario: Scenario, agent: str, exclude: str) -> str | None:
    """Another resident to make a false claim about: not `exclude`, not the one asked if can be."""
    names = [r.name for r in scenario.residents if r.name != exclude]
    preferred = [name for name in names if name != agent]
    return next(iter(preferred or names), None)


def intention_probes(scenario: Scenario, agent: str) -> list[ProbeQuestion]:
    """The scenario's probes that name an intention, as put to `agent`."""
    questions = []
    for probe in scenario.probes:
        if probe.intention is None:
            continue
        intention = scenario.intention(probe.intention)
        other = _stand_in(scenario, agent, intention.resident)
        if other is None:
            continue
        questions.append(_question(
            probe.id, "intention", agent, intention.id, probe.question,
            f"Yes: {claim(intention, intention.resident)}", f"Yes: {claim(intention, other)}",
            [NOTHING]))
    return questions


def person_probes(scenario: Scenario, agent: str,
                  per_agent: int = PEOPLE_PER_AGENT) -> list[ProbeQuestion]:
    """What `per_agent` other residents do for a living (a fixed sample per resident)."""
    others = [r for r in scenario.residents if r.name != agent]
    picked = sorted(int(i) for i in _rng("people", scenario.name, agent).permutation(
        len(others))[:per_agent])
    questions = []
    for index in picked:
        person = others[index]
        decoys = [r for r in scenario.residents
                  if r.name != person.name and r.occupation != person.occupation]
        if not decoys:
            continue
        decoy = decoys[int(_rng("decoy", agent, person.name).integers(len(decoys)))]
        questions.append(_question(
            f"person:{person.name}", "person", agent, person.name,
            f"What does {person.name} do for a living?",
            f"{person.name} is {person.occupation}", f"{person.name} is {decoy.occupation}", []))
    return questions


def probes_for(scenario: Scenario, agent: str,
               per_agent: int = PEOPLE_PER_AGENT) -> list[ProbeQuestion]:
    return [*intention_probes(scenario, agent), *person_probes(scenario, agent, per_agent)]


def probe_texts(probe: ProbeQuestion) -> Embed:
    """What to embed to answer `probe`: the question, each answer but "I don't know", and
    each such answer as a claim (the question followed by it); read with `known_answer`."""
    answers = [text for i, text in enumerate(probe.options) if i != probe.unknown]
    return Embed((probe.question, *answers, *(f"{probe.question} {a}" for a in answers)),
                 tag=TAG)


def known_answer(probe: ProbeQuestion, texts: EmbedResult, memories: FloatArray,
                 threshold: float) -> int:
    """The option picked from what `memories` (their embeddings) support: the answer whose
    claim they support most (`agents.knowing.supports`), or `probe.unknown` when there are
    no memories or no answer alone reaches `threshold`."""
    answers = [i for i in range(len(probe.options)) if i != probe.unknown]
    vectors = texts.vectors
    if len(vectors) != 1 + 2 * len(answers):
        raise ValueError("a probe's answer embeds the question, every answer and every claim")
    question, alone, claims = vectors[0], vectors[1:1 + len(answers)], vectors[1 + len(answers):]
    if (not answers or len(memories) == 0
            or float(supports(question, alone, memories).max()) < threshold):
        return probe.unknown
    return answers[int(np.argmax(supports(question, claims, memories)))]


def answer_probe(mind: Mind, ctx: TickContext, probe: ProbeQuestion,
                 kinds: Sequence[MemoryKind] | None = None) -> Step[int]:
    """The option `mind` picks from the memories `kinds` allows (`known_answer` over the
    `PROBE_MEMORIES` it retrieves for the question); nothing is touched."""
    (memories,) = yield from mind.recall(ctx, [probe.question], k=PROBE_MEMORIES, kinds=kinds,
                                         touch=False)
    texts = yield from embed(probe_texts(probe))
    return known_answer(probe, texts, mind.memory.embeddings([m.id for m in memories]),
                        mind.config.known_support)
