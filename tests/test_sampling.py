"""Picking decoded tokens: bans on repeated n-grams, greedy picks and seeded draws."""

from __future__ import annotations

import torch

from agents.requests import Generate
from sim.models.sampling import pick, sample


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_greedy_pick_bans_only_the_rows_own_repeated_ngrams() -> None:
    logits = torch.tensor([[0.0, 5.0, 4.0, 1.0], [0.0, 5.0, 4.0, 1.0]])
    free, banned = Generate("p"), Generate("p", no_repeat_ngram=2)
    answer = [1, 1]  # "1 1" said once: after a trailing 1, the 1 would repeat it
    assert pick(logits.clone(), [banned, free], [_generator(0), _generator(0)],
                [answer, answer]) == [2, 1]
    nothing_follows_a_3_yet = [1, 3]
    assert pick(logits[:1].clone(), [banned], [_generator(0)], [nothing_follows_a_3_yet]) == [1]


def test_a_draw_depends_on_its_own_seed_only() -> None:
    logits = torch.zeros(2, 64)
    request = Generate("p", temperature=1.0, top_k=64, seed=7)
    alone = pick(logits[:1].clone(), [request], [_generator(7)], [[]])
    together = pick(torch.cat([torch.randn(1, 64), logits[:1]]),
                    [Generate("q", temperature=1.0), request], [_generator(3), _generator(7)],
                    [[], []])
    assert together[1] == alone[0]


def test_top_k_and_top_p_keep_the_draw_among_the_likeliest_tokens() -> None:
    logits = torch.tensor([3.0, 2.9, 2.8, -5.0, -5.0, -5.0])
    top_k = Generate("p", temperature=5.0, top_k=2)
    assert {sample(logits, top_k, _generator(s)) for s in range(40)} == {0, 1}
    top_p = Generate("p", temperature=1.0, top_k=6, top_p=0.2)
    assert {sample(logits, top_p, _generator(s)) for s in range(40)} == {0}
