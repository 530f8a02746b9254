"""Retrieval scoring: which memory records matter now, from recency, importance and relevance.

Pure numpy over arrays aligned with the candidate records, so it is easy to test
by hand and cheap: `agents.memory.MemoryStream` feeds it from its mirror of the
database. The formula is the paper's; the original code's variant is a config.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

RecencyMode = Literal["hours", "rank"]

IntArray = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    """How retrieval scores records: score = w_recency * recency + w_importance * importance
    + w_relevance * relevance, each term min-max normalised to [0, 1] over the candidates.

    recency_mode "hours": recency = decay ** (game hours since last access), the paper's.
    recency_mode "rank": recency = decay ** rank, rank 1 being the most recently accessed
    candidate (ties: the newer record first), the original code's. The original sorted
    oldest-first, which gave the *least* recently accessed record the highest recency;
    we keep its rank decay but not that inversion.
    """

    w_recency: float = 1.0
    w_importance: float = 1.0
    w_relevance: float = 1.0
    decay: float = 0.995
    k: int = 30
    recency_mode: RecencyMode = "hours"
    tick_seconds: int = 10

    def __post_init__(self) -> None:
        if min(self.w_recency, self.w_importance, self.w_relevance) < 0:
            raise ValueError("retrieval weights must not be negative")
        if not 0 < self.decay <= 1:
            raise ValueError(f"recency decay must be in (0, 1], got {self.decay}")
        if self.k < 1:
            raise ValueError(f"retrieval k must be at least 1, got {self.k}")
        if self.recency_mode not in ("hours", "rank"):
            raise ValueError(f"recency mode must be 'hours' or 'rank', got {self.recency_mode!r}")
        if self.tick_seconds <= 0:
            raise ValueError(f"tick length must be positive, got {self.tick_seconds} s")

    @classmethod
    def original_code(cls, tick_seconds: int = 10) -> RetrievalConfig:
        """The original implementation's variant: weights 0.5/2/3 (recency/importance/relevance),
        decay 0.99 per rank."""
        return cls(w_recency=0.5, w_importance=2.0, w_relevance=3.0, decay=0.99,
                   recency_mode="rank", tick_seconds=tick_seconds)


@dataclass(frozen=True, slots=True)
class Terms:
    """Each candidate's score and its three normalised, unweighted terms, in candidate order."""

    score: Scores
    recency: Scores
    importance: Scores
    relevance: Scores


def score(config: RetrievalConfig, cosine: npt.NDArray[np.floating], importance: Scores,
          accessed: IntArray, ids: IntArray, now_tick: int) -> Terms:
    """Score candidates from their query cosines, importances and last-access ticks."""
    recency = min_max(recency_terms(config, accessed, ids, now_tick))
    importance = min_max(importance.astype(np.float64, copy=False))
    relevance = min_max(cosine.astype(np.float64))
    total = (config.w_recency * recency + config.w_importance * importance
             + config.w_relevance * relevance)
    return Terms(total, recency, importance, relevance)


def min_max(values: Scores) -> Scores:
    """`values` scaled to [0, 1]. A constant term does not tell candidates apart, so it
    becomes all 0 (the original code used 0.5; either leaves the ranking unchanged)."""
    low, high = float(values.min()), float(values.max())
    if high <= low:
        return np.zeros_like(values)
    return (values - low) / (high - low)


def recency_terms(config: RetrievalConfig, accessed: IntArray, ids: IntArray,
                  now_tick: int) -> Scores:
    """Raw (unnormalised) recency of candidates last accessed at `accessed` ticks."""
    if config.recency_mode == "rank":
        order = np.lexsort((-ids, -accessed))
        recency = np.empty(accessed.size, dtype=np.float64)
        recency[order] = config.decay ** np.arange(1, accessed.size + 1, dtype=np.float64)
        return recency
    hours = np.maximum(now_tick - accessed, 0) * (config.tick_seconds / 3600)
    return np.power(config.decay, hours, dtype=np.float64)


def top_k(scores: Scores, ids: IntArray, k: int) -> IntArray:
    """Positions of the k best scores, best first; equal scores in increasing id order."""
    n = scores.size
    if k < n:
        kth_best = np.partition(scores, n - k)[n - k]
        chosen = np.flatnonzero(scores >= kth_best)
    else:
        chosen = np.arange(n)
    order = np.lexsort((ids[chosen], -scores[chosen]))
    return chosen[order[:k]]
