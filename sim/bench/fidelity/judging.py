"""`bench fidelity --judge MODEL`: the models' interview answers ranked pairwise by a judge.

Every pair of measured models is compared on each interview case both answered: the
judge sees the resident's persona, the question and the two answers (which one is
shown first is a fixed coin flip) and picks the more believable one by scoring "A"
and "B" (`sim.experiments.judge`, the ablation's judge). The verdicts update one
TrueSkill rating per model, as the paper ranked its conditions (section 6.1); a model's
win rate is shown beside its mu.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sim.bench.fidelity.cases import TownCases
from sim.bench.fidelity.report import Figure
from sim.bench.fidelity.running import Outcome
from sim.experiments import judge
from sim.models.base import LanguageModel
from sim.residents import resident_persona

GROUP = 0
"""The benchmark is one group of comparisons (the ablation compares within a seed)."""


def interview_answers(outcomes: Iterable[Outcome]) -> dict[tuple[str, str], str]:
    """(resident, question) -> answer, over the interview cases of one model's outcomes."""
    return {(str(o.shown["resident"]), str(o.shown["question"])): str(o.shown["answer"])
            for o in outcomes if o.kind == "interview"}


def personas(towns: Sequence[TownCases]) -> dict[str, str]:
    """Each benchmark resident's persona block, as the judge reads it."""
    return {cast.name: resident_persona(cast).identity() for town in towns
            for cast in town.residents}


def judged(model: LanguageModel, answers: Mapping[str, Mapping[tuple[str, str], str]],
           towns: Sequence[TownCases]) -> tuple[dict[str, dict[str, Figure]],
                                                list[dict[str, str]]]:
    """Per model (the keys of `answers`): `interview_trueskill_mu` (n = comparisons) and
    `interview_judge_win_rate`; and every verdict as {resident, question, a, b, winner}.
    Raises ExperimentError when trueskill is not installed."""
    judge.require_trueskill()
    pairs = judge.pairs_of(GROUP, answers)
    picks = judge.verdicts(model, pairs, personas(towns))
    rated = judge.ratings(pairs, picks, [(GROUP, name) for name in answers])
    wins = dict.fromkeys(answers, 0)
    verdicts = []
    for pair, pick in zip(pairs, picks, strict=True):
        winner = pair.first if pick == 0 else pair.second
        wins[winner] += 1
        verdicts.append({"resident": pair.agent, "question": pair.question,
                         "a": pair.first, "b": pair.second, "winner": winner})
    figures = {}
    for name in answers:
        rating = rated[GROUP, name]
        count = int(rating["comparisons"])
        figures[name] = {
            "interview_trueskill_mu": Figure(rating["mu"], count),
            "interview_judge_win_rate": Figure(wins[name] / count if count else None, count)}
    return figures, verdicts
