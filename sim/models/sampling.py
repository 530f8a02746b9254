"""Picking each decoded token: banned repeats removed, then argmax or a seeded top-k / top-p draw.

Greedy when a request's temperature is 0; otherwise a draw from the row's own generator,
seeded by the request, so an answer does not depend on the batch around it. Before either, the
tokens that would repeat an n-gram the request forbids (`Generate.no_repeat_ngram`,
`agents.repetition.banned_next`) are given no probability.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from agents.repetition import banned_next
from agents.requests import Generate

DEFAULT_TOP_K = 50  # used when a request asks for top_k <= 0: top-p alone sorts the vocabulary


def pick(logits: torch.Tensor, requests: Sequence[Generate],
         generators: Sequence[torch.Generator], answers: Sequence[Sequence[int]]) -> list[int]:
    """The next token of each row of `logits` (rows, vocab), modified in place by the bans
    (`answers` are the rows' tokens so far): argmax, or a seeded top-k / top-p draw. A ban
    that would leave a row no token (its format mask allows only the repeat) is lifted."""
    for row, (request, answer) in enumerate(zip(requests, answers, strict=True)):
        banned = list(banned_next(answer, request.no_repeat_ngram))
        if banned:
            kept = logits[row, banned].clone()
            logits[row, banned] = float("-inf")
            if torch.isinf(logits[row]).all():  # a format allowing only repeats wins
                logits[row, banned] = kept
    picks = logits.argmax(dim=-1).tolist()
    for row, (request, generator) in enumerate(zip(requests, generators, strict=True)):
        if request.temperature > 0:
            picks[row] = sample(logits[row], request, generator)
    return picks


def sample(logits: torch.Tensor, request: Generate, generator: torch.Generator) -> int:
    """A seeded draw from the top-k (then top-p) tokens of `logits` (vocab,) at
    `request.temperature`.

    The draw uses the row's own CPU generator, so it does not depend on the batch around it.
    """
    k = min(request.top_k if request.top_k > 0 else DEFAULT_TOP_K, logits.shape[-1])
    values, indices = torch.topk(logits, k)
    probs = torch.softmax(values.float().cpu() / request.temperature, dim=-1)
    if request.top_p < 1.0:
        before = probs.cumsum(-1) - probs  # mass of the more likely tokens
        probs = torch.where(before < request.top_p, probs, torch.zeros_like(probs))
    choice = int(torch.multinomial(probs, 1, generator=generator))
    return int(indices[choice])
