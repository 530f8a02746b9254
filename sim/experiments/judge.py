"""Optional believability ranking: a judge model compares interview answers pairwise (TrueSkill).

The paper had 100 people rank the conditions' answers and fitted TrueSkill;
here a judge model sees one resident, one question and two conditions'
answers (same seed), and picks the more believable one by `Choose` over
"A"/"B", asked in both orders (the 1.5B `quality` model picked whichever answer
was shown first in 7 of 10 comparisons of differing answers). Which condition
is shown first is a fixed coin flip per comparison.
Each seed's comparisons update that seed's ratings (in a fixed order), so a
condition's mu is averaged over seeds like any other figure. Needs the
`trueskill` package (`pip install 'generative-town[experiments]'`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from agents.prompts.base import chat, line, quote
from agents.requests import Choose, ChooseResult
from agents.steps import Step, expect
from sim.batching import drive
from sim.config import Scenario
from sim.experiments.conditions import ExperimentError
from sim.models.base import LanguageModel
from sim.residents import persona_of

if TYPE_CHECKING:
    from sim.experiments.evaluation import CellResult

TAG = "judge"
SYSTEM = ("You read two answers that a person living in a small town gave to an interviewer. "
          "Decide which answer is more believable as that person speaking: consistent with "
          "who they are and what they would know, specific, and natural. Answer A or B.")
SHOTS = (
    ("About Ada Quill:\nAda Quill is a 34-year-old baker who runs the town bakery.\n\n"
     "The interviewer asks: \"What will you be doing tomorrow morning?\"\n"
     "A: \"I will do things and then other things.\"\n"
     "B: \"I'll be at the bakery from six, baking walnut bread; Ben asked me for a loaf.\"\n"
     "Which answer is more believable?", "B"),
)


@dataclass(frozen=True, slots=True)
class Comparison:
    seed: int
    agent: str
    question: str
    first: str  # condition shown as A
    second: str  # condition shown as B
    answer_a: str
    answer_b: str


Answers = Mapping[str, Mapping[tuple[str, str], str]]
"""Condition (or model) -> (resident, question) -> the answer it gave."""


def pairs_of(seed: int, answers: Answers) -> list[Comparison]:
    """Every pair of conditions on each (resident, question) both answered, in a fixed
    order; which one is shown as A is a fixed coin flip per comparison."""
    out = []
    for one, two in combinations(sorted(answers), 2):
        for agent, question in sorted(answers[one].keys() & answers[two].keys()):
            first, second = ((one, two) if _coin(seed, agent, question, one, two)
                             else (two, one))
            out.append(Comparison(seed, agent, question, first, second,
                                  answers[first][agent, question],
                                  answers[second][agent, question]))
    return out


def comparisons(results: Sequence[CellResult]) -> list[Comparison]:
    """Every pair of conditions, per seed, resident and question both were asked."""
    by_seed: dict[int, dict[str, dict[tuple[str, str], str]]] = {}
    for result in results:
        answers = {(item["agent"], item["question"]): item["answer"] for item in result.interview}
        by_seed.setdefault(result.cell.seed, {})[result.cell.condition] = answers
    return [comparison for seed, answers in sorted(by_seed.items())
            for comparison in pairs_of(seed, answers)]


def _coin(*parts: object) -> bool:
    return hashlib.sha256(repr(parts).encode()).digest()[0] & 1 == 0


def judge_request(comparison: Comparison, persona: str, *, swapped: bool = False) -> Choose:
    """The judge's question: which of the comparison's two answers is more believable,
    the first shown as A (or, `swapped`, as B)."""
    first, second = comparison.answer_a, comparison.answer_b
    if swapped:
        first, second = second, first
    task = (f"About {line(comparison.agent, 60)}:\n{persona}\n\n"
            f"The interviewer asks: {quote(comparison.question, 300)}\n"
            f"A: {quote(first, 600)}\nB: {quote(second, 600)}\n"
            "Which answer is more believable?")
    return Choose(chat(system=SYSTEM, shots=SHOTS, agent_part="", task=task), ("A", "B"),
                  tag=TAG)


def _judge(comparison: Comparison, persona: str) -> Step[int]:
    """0 when the comparison's first answer is the more believable over both orders, 1
    for the second: the sum of its log-probabilities as A and, swapped, as B against the
    other's (a judge's preference for a position counts for neither). An order whose
    answer named no option (a server without log-probabilities) gives no vote; the first
    wins a tie."""
    answers = yield [judge_request(comparison, persona),
                     judge_request(comparison, persona, swapped=True)]
    shown, swapped = (expect(answer, ChooseResult) for answer in answers)
    if shown.matched and swapped.matched and len(shown.logprobs) == len(swapped.logprobs) == 2:
        first = shown.logprobs[0] + swapped.logprobs[1]
        second = shown.logprobs[1] + swapped.logprobs[0]
    else:
        first = (shown.matched and shown.index == 0) + (swapped.matched and swapped.index == 1)
        second = (shown.matched and shown.index == 1) + (swapped.matched and swapped.index == 0)
    return 0 if first >= second else 1


def require_trueskill() -> None:
    """Raises ExperimentError, naming the install, when `trueskill` is missing; call it
    before any model is loaded."""
    try:
        import trueskill  # noqa: F401
    except ModuleNotFoundError as exc:
        raise ExperimentError("--judge needs the trueskill package: "
                              "pip install 'generative-town[experiments]'") from exc


def verdicts(judge: LanguageModel, pairs: Sequence[Comparison],
             personas: Mapping[str, str]) -> list[int]:
    """The judge's pick for each comparison (`_judge`, both orders in one batch): 0 when
    the answer shown as A is the more believable, 1 for B. `personas` maps each resident
    to its persona text."""
    picked = drive(judge, {i: _judge(c, personas[c.agent]) for i, c in enumerate(pairs)})
    return [picked[i] for i in range(len(pairs))]


def ratings(pairs: Sequence[Comparison], picks: Sequence[int],
            players: Iterable[tuple[int, str]]) -> dict[tuple[int, str], dict[str, float]]:
    """TrueSkill (mu, sigma and the number of comparisons) of each (seed, condition) in
    `players`, updated by the comparisons' `picks` in order (no draws; mu starts at 25)."""
    require_trueskill()
    import trueskill

    env = trueskill.TrueSkill(draw_probability=0.0)
    rated: dict[tuple[int, str], trueskill.Rating] = {
        player: env.create_rating() for player in players}
    counts = dict.fromkeys(rated, 0)
    for comparison, pick in zip(pairs, picks, strict=True):
        winner, loser = ((comparison.first, comparison.second) if pick == 0
                         else (comparison.second, comparison.first))
        won, lost = (comparison.seed, winner), (comparison.seed, loser)
        rated[won], rated[lost] = trueskill.rate_1vs1(rated[won], rated[lost], env=env)
        counts[won] += 1
        counts[lost] += 1
    return {key: {"mu": rating.mu, "sigma": rating.sigma, "comparisons": float(counts[key])}
            for key, rating in rated.items()}


def rank(results: Sequence[CellResult], scenario: Scenario,
         judge: LanguageModel) -> dict[tuple[int, str], dict[str, float]]:
    """TrueSkill (mu, sigma, comparisons) of each (seed, condition) from the judge's verdicts."""
    require_trueskill()
    pairs = comparisons(results)
    personas = {r.name: persona_of(r, scenario).identity() for r in scenario.residents}
    return ratings(pairs, verdicts(judge, pairs, personas),
                   [(r.cell.seed, r.cell.condition) for r in results])
