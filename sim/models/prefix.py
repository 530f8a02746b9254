"""Planning the shared work of a batch of prompts: shared heads, and packed rows with tree masks.

Two savings, both exact (the attention mask lets each sequence see only its own tokens):

- Requests that start with the same tokens (a system prompt, few-shot turns, a persona)
  form a group whose head is computed once; every member reuses its key/value cache.
- What follows the head in each request (its *stem*) and, when scoring, each option that
  continues it (its *branches*) are packed several to a row. The mask lets a stem see the
  head and itself, and a branch see the head, its stem and itself, so all options of a
  request share one computation of the prompt and rows carry almost no padding.

Everything here is token bookkeeping and tensor building; nothing runs a model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import torch

Tokens = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class HeadGroup:
    """Batch members (indices) sharing their first `head_len` tokens; 0 means no shared head."""

    head_len: int
    members: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Piece:
    """What one request adds after its group's head: a stem and the branches continuing it."""

    stem: Tokens
    branches: tuple[Tokens, ...] = ()

    @property
    def length(self) -> int:
        return len(self.stem) + sum(len(b) for b in self.branches)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a piece sits in a packed batch, and which kept-logit rows serve it.

    `stem_logit` predicts the token after the stem; `branch_logits[j][k]` is the kept-logit
    row that predicts token k of branch j (its first entry is `stem_logit`).
    """

    piece: int
    row: int
    start: int
    stem_logit: int
    branch_logits: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class PackedBatch:
    """The inputs of one forward pass over a head of `head_len` cached tokens."""

    input_ids: torch.Tensor  # (rows, width)
    position_ids: torch.Tensor  # (rows, width)
    attention_mask: torch.Tensor  # (rows, 1, width, head_len + width), True = may attend
    logits_mask: torch.Tensor  # (rows, width): positions whose logits are kept, row-major
    placements: tuple[Placement, ...]
    padding: int
    stem_tokens: int  # prompt tokens among the inputs (stems; not branches, not padding)


def common_prefix_len(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def plan_heads(sequences: Sequence[Sequence[int]], min_saving: int = 32,
               max_members: int = 256) -> list[HeadGroup]:
    """Groups of requests whose shared prefix is worth computing once.

    Sorting puts sequences with long common prefixes side by side; the groups are then the
    runs of the sorted order that together save the most tokens, a run saving
    head x (members - 1), found by dynamic programming over run boundaries. A head leaves
    at least one token of every member (its logits predict what follows). Runs saving fewer
    than `min_saving` tokens (a head costs a forward pass of its own) and loners go to one
    headless group, listed last. Capping runs at `max_members` bounds the planning work; a
    longer run just computes its head once per part.
    """
    order = sorted(range(len(sequences)), key=lambda i: tuple(sequences[i]))
    seqs = [sequences[i] for i in order]
    n = len(seqs)
    shared = [common_prefix_len(a, b) for a, b in pairwise(seqs)]
    best = [0] * (n + 1)  # best[j]: the largest saving over the first j sorted sequences
    start_of = list(range(n + 1))  # where the run ending at j starts; j - 1 means a loner
    for j in range(1, n + 1):
        best[j], start_of[j] = best[j - 1], j - 1
        head = len(seqs[j - 1]) - 1
        for i in range(j - 2, max(-1, j - 1 - max_members), -1):
            head = min(head, shared[i], len(seqs[i]) - 1)
            if head <= 0:
                break
            saving = head * (j - 1 - i)
            if saving >= min_saving and best[i] + saving > best[j]:
                best[j], start_of[j] = best[i] + saving, i
    groups: list[HeadGroup] = []
    headless: list[int] = []
    j = n
    while j > 0:
        i = start_of[j]
        if j - i > 1:
            head = min(min(len(s) for s in seqs[i:j]) - 1, *shared[i:j - 1])
            groups.append(HeadGroup(head, tuple(sorted(order[i:j]))))
        else:
            headless.append(order[i])
        j = i
    groups.reverse()
    if headless:
        groups.append(HeadGroup(0, tuple(sorted(headless))))
    return groups


def pack(pieces: Sequence[Piece], head_len: int, row_capacity: int = 256,
         batch_tokens: int = 1024, branch_logits: bool = True) -> list[PackedBatch]:
    """Pieces packed into rows of about `row_capacity` tokens, rows grouped into forward
    passes of at most `batch_tokens` padded tokens (a row longer than that is a pass of its
    own). `branch_logits=False` keeps only the stems' last logits.

    First-fit, longest first, says how many rows are needed; the pieces are then dealt
    longest first to the emptiest row, so rows end up nearly equal and padding stays small.
    """
    lengths = [p.length for p in pieces]
    by_length = sorted(range(len(pieces)), key=lambda i: -lengths[i])
    fill: list[int] = []
    for i in by_length:
        slot = next((r for r, used in enumerate(fill) if used + lengths[i] <= row_capacity), None)
        if slot is None:
            fill.append(lengths[i])
        else:
            fill[slot] += lengths[i]
    rows: list[list[int]] = [[] for _ in fill]
    fill = [0] * len(rows)
    for i in by_length:
        slot = min(range(len(rows)), key=lambda r: fill[r])
        rows[slot].append(i)
        fill[slot] += lengths[i]
    order = sorted(range(len(rows)), key=lambda r: -fill[r])
    batches: list[list[int]] = []
    for r in order:
        if batches and (len(batches[-1]) + 1) * fill[batches[-1][0]] <= batch_tokens:
            batches[-1].append(r)
        else:
            batches.append([r])
    return [_build([[pieces[i] for i in rows[r]] for r in batch],
                   [rows[r] for r in batch], head_len, branch_logits)
            for batch in batches]


def _build(row_pieces: list[list[Piece]], row_indices: list[list[int]], head_len: int,
           branch_logits: bool) -> PackedBatch:
    width = max(sum(p.length for p in row) for row in row_pieces)
    n_rows = len(row_pieces)
    ids = torch.zeros(n_rows, width, dtype=torch.long)
    positions = torch.zeros(n_rows, width, dtype=torch.long)
    owner = torch.full((n_rows, width), -1, dtype=torch.long)  # piece number, -1 = padding
    branch = torch.zeros(n_rows, width, dtype=torch.long)  # 0 = stem, j + 1 = branch j
    keep = torch.zeros(n_rows, width, dtype=torch.bool)
    spans: list[tuple[int, int, int, int, list[tuple[int, int]]]] = []
    for r, (row, indices) in enumerate(zip(row_pieces, row_indices, strict=True)):
        column = 0
        for piece, index in zip(row, indices, strict=True):
            start, stem_end = column, column + len(piece.stem)
            ids[r, start:stem_end] = torch.tensor(piece.stem, dtype=torch.long)
            positions[r, start:stem_end] = torch.arange(head_len, head_len + len(piece.stem))
            owner[r, start:stem_end] = index
            keep[r, stem_end - 1] = True
            column = stem_end
            branch_spans: list[tuple[int, int]] = []
            for j, tokens in enumerate(piece.branches):
                end = column + len(tokens)
                ids[r, column:end] = torch.tensor(tokens, dtype=torch.long)
                positions[r, column:end] = torch.arange(head_len + len(piece.stem),
                                                        head_len + len(piece.stem) + len(tokens))
                owner[r, column:end] = index
                branch[r, column:end] = j + 1
                if branch_logits and len(tokens) > 1:
                    keep[r, column:end - 1] = True
                branch_spans.append((column, end))
                column = end
            spans.append((index, r, start, stem_end, branch_spans))
    flat = (keep.flatten().cumsum(0) - 1).view(n_rows, width)
    placements = []
    for index, r, start, stem_end, branch_spans in spans:
        stem_logit = int(flat[r, stem_end - 1])
        per_branch = tuple(
            (stem_logit, *(int(flat[r, c]) for c in range(begin, end - 1)))
            if branch_logits and end > begin else ()
            for begin, end in branch_spans)
        placements.append(Placement(index, r, start, stem_logit, per_branch))
    placements.sort(key=lambda p: p.piece)
    return PackedBatch(ids, positions, _tree_mask(owner, branch, head_len), keep,
                       tuple(placements), padding=int((owner < 0).sum()),
                       stem_tokens=sum(len(p.stem) for row in row_pieces for p in row))


def _tree_mask(owner: torch.Tensor, branch: torch.Tensor, head_len: int) -> torch.Tensor:
    """Query q may see key k of its row when both belong to the same piece, k <= q, and k is
    in the stem or in q's own branch; every query sees the whole head (padding included, so
    no row of the mask is empty)."""
    n_rows, width = owner.shape
    causal = torch.ones(width, width, dtype=torch.bool).tril()
    same_piece = owner[:, :, None] == owner[:, None, :]
    visible_branch = (branch[:, None, :] == 0) | (branch[:, :, None] == branch[:, None, :])
    within = same_piece & visible_branch & causal
    head = torch.ones(n_rows, width, head_len, dtype=torch.bool)
    return torch.cat([head, within], dim=-1)[:, None]
