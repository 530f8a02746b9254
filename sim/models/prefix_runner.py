"""Running a batch's prompts by their prefixes: cached ones reused, shared ones run once.

`PrefixRunner` turns the token ids of a batch into forward passes. Requests are grouped by a
head they share within the batch (`sim.models.prefix.plan_heads`) or by a longer prefix that
the radix prefix cache (`sim.models.radix`) already holds; a group's head is fetched from the
cache, and what the cache lacks of it is run once and cached. Each member's stem (and, when
scoring, its options) is then packed into rows (`sim.models.prefix.pack`) and run over the
head; afterwards each prompt's keys and values go into the cache, so a later prompt that
shares more than the head runs only the rest. Every forward pass, decoding steps included,
goes through `forward`, which counts what it computed in `Counters`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from transformers import DynamicCache, PreTrainedModel
from transformers.cache_utils import CacheLayerMixin

from sim.models.base import ModelError
from sim.models.prefix import HeadGroup, PackedBatch, Piece, Placement, pack, plan_heads
from sim.models.radix import KV, RadixCache

MIN_CACHED_EXTRA = 16  # a member leaves its batch group when the cache holds this much more

Branches = Sequence[Sequence[tuple[int, ...]]]
"""Per request, the token ids of each option scored after its prompt."""


@dataclass(slots=True)
class Counters:
    """What the backend computed since the last reset, for benchmarks and run reports."""

    prompt_tokens: int = 0  # prompt tokens requested (each request's whole prompt)
    computed_prompt_tokens: int = 0  # prompt tokens run through the model, counted at forward
    prefix_tokens_saved: int = 0  # prompt tokens not recomputed thanks to shared heads
    cached_prompt_tokens: int = 0  # prompt tokens whose keys/values came from the prefix cache
    option_tokens: int = 0  # option tokens scored by choose / rate
    padding_tokens: int = 0  # padded positions in forward passes
    generated_tokens: int = 0
    forward_passes: int = 0
    forward_seconds: float = 0.0  # time inside model forward passes, all kinds
    prefill_seconds: float = 0.0  # generate: running the prompts, wall time
    decode_seconds: float = 0.0  # generate: the token-by-token loop, wall time
    decode_tokens: int = 0  # tokens predicted by decode steps (not by the prefill)


@dataclass(frozen=True, slots=True)
class GroupRun:
    """One group of a planned batch: its members, its head's keys and values (each
    (1, kv heads, head_len, head dim) per layer; `()` for no head), and the packed batches
    of what follows the head (pieces numbered within the group)."""

    group: HeadGroup
    head: KV
    batches: tuple[PackedBatch, ...]


class PrefixRunner:
    """Forward passes of `model` over batches of prompts, sharing heads within a batch and,
    when `reuse` is on, keys and values across batches through `cache`.

    `row_capacity` and `batch_tokens` size the packed rows and passes (`pack`). With
    `reuse` off every prompt is run whole, in one headless group, and the cache is neither
    read nor written.
    """

    def __init__(self, model: PreTrainedModel, device: torch.device, cache: RadixCache,
                 row_capacity: int = 256, batch_tokens: int = 1024,
                 reuse: bool = True) -> None:
        self.model = model
        self.device = device
        self.cache = cache
        self.row_capacity = row_capacity
        self.batch_tokens = batch_tokens
        self.reuse = reuse
        self.counters = Counters()

    def forward(self, prompt_tokens: int, **inputs: object) -> torch.Tensor:
        """Logits of one forward pass; `prompt_tokens` of its inputs are prompt tokens (the
        rest are options, padding or decoded tokens), counted here where they are computed."""
        started = time.perf_counter()
        logits: torch.Tensor = self.model(**inputs, use_cache=True).logits
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        self.counters.forward_seconds += time.perf_counter() - started
        self.counters.forward_passes += 1
        self.counters.computed_prompt_tokens += prompt_tokens
        return logits

    def plan(self, ids: Sequence[Sequence[int]],
             branches: Branches | None) -> tuple[list[GroupRun], list[int]]:
        """Per group: its head (fetched or run now) and packed batches; and per request, the
        prompt tokens it makes the model run (its stem, and for a group's first member what
        of the head the cache did not hold). `branches=None` packs stems only (generate)."""
        runs = []
        computed = [0] * len(ids)
        self.counters.prompt_tokens += sum(len(x) for x in ids)
        for group in self._groups(ids):
            head_tokens = ids[group.members[0]][:group.head_len]
            pieces = [Piece(tuple(ids[i][group.head_len:]),
                            tuple(branches[i]) if branches is not None else ())
                      for i in group.members]
            for i, piece in zip(group.members, pieces, strict=True):
                computed[i] = len(piece.stem)
            self.counters.prefix_tokens_saved += group.head_len * (len(group.members) - 1)
            batches = pack(pieces, group.head_len, self.row_capacity, self.batch_tokens,
                           branch_logits=branches is not None)
            head, head_computed = self._head(head_tokens)
            computed[group.members[0]] += head_computed
            runs.append(GroupRun(group, head, tuple(batches)))
        return runs, computed

    def run(self, batch: PackedBatch, head: KV) -> tuple[torch.Tensor, DynamicCache]:
        """Kept logits (kept positions, vocab), as float32, and the cache (head + rows) of
        one packed batch."""
        rows = batch.input_ids.shape[0]
        config = self.model.config
        cache = (DynamicCache(((k.expand(rows, -1, -1, -1), v.expand(rows, -1, -1, -1))
                               for k, v in head), config=config)
                 if head else DynamicCache(config=config))
        logits = self.forward(
            batch.stem_tokens,
            input_ids=batch.input_ids.to(self.device),
            position_ids=batch.position_ids.to(self.device),
            attention_mask=batch.attention_mask.to(self.device),
            logits_to_keep=batch.logits_mask.to(self.device),
            cache=cache)
        self.counters.padding_tokens += batch.padding
        return logits.float(), cache

    def keep(self, group: HeadGroup, ids: Sequence[Sequence[int]], placement: Placement,
             cache: DynamicCache) -> None:
        """Put a packed prompt's keys and values (its stem, after the group's head) into the
        prefix cache, so a later prompt sharing more than the head runs only the rest."""
        if not self.reuse:
            return
        tokens = ids[group.members[placement.piece]]
        begin = group.head_len + placement.start
        end = begin + len(tokens) - group.head_len
        self.cache.insert(tokens, tuple(
            (keys[placement.row, :, begin:end], values[placement.row, :, begin:end])
            for keys, values in (layer_kv(layer) for layer in attention_layers(cache))),
            group.head_len)

    def _groups(self, ids: Sequence[Sequence[int]]) -> list[HeadGroup]:
        """Heads shared within the batch (`plan_heads`), then each member whose prompt the
        prefix cache holds at least `MIN_CACHED_EXTRA` tokens further than its group's head
        leaves the group for one headed by that cached prefix (members with the same cached
        prefix stay together): its cached tokens cost nothing, its group's would be run."""
        if not self.reuse:
            return [HeadGroup(0, tuple(range(len(ids))))] if ids else []
        groups: list[HeadGroup] = []
        by_prefix: dict[tuple[int, ...], list[int]] = {}
        for group in plan_heads(ids):
            stay: list[int] = []
            for i in group.members:
                cached = self.cache.match_len(ids[i][:-1])  # keep a token to run
                if cached >= group.head_len + MIN_CACHED_EXTRA:
                    by_prefix.setdefault(tuple(ids[i][:cached]), []).append(i)
                else:
                    stay.append(i)
            if stay:
                groups.append(HeadGroup(group.head_len, tuple(stay)))
        groups += [HeadGroup(len(prefix), tuple(members)) for prefix, members in by_prefix.items()]
        return groups

    def _head(self, tokens: Sequence[int]) -> tuple[KV, int]:
        """The key/value cache of a group's head, and how many of its tokens were run: the
        prefix cache supplies what it holds, the rest is computed once and cached."""
        if not tokens:
            return (), 0
        cached, kv = self.cache.match(tokens) if self.reuse else (0, ())
        self.counters.cached_prompt_tokens += cached
        if cached == len(tokens):
            return kv, 0
        config = self.model.config
        cache = DynamicCache(kv, config=config) if kv else DynamicCache(config=config)
        new = len(tokens) - cached
        self.forward(new, input_ids=torch.tensor([list(tokens[cached:])], device=self.device),
                     position_ids=torch.arange(cached, len(tokens), device=self.device)[None],
                     cache=cache, logits_to_keep=1)
        head = tuple(layer_kv(layer) for layer in attention_layers(cache))
        if self.reuse:
            self.cache.insert(tokens, tuple((k[:, :, cached:], v[:, :, cached:])
                                            for k, v in head), cached)
        return head, new


def attention_layers(cache: DynamicCache) -> list[CacheLayerMixin]:
    """The cache's layers; ModelError when one is not a key/value attention layer."""
    layers = [layer for layer in cache.layers if isinstance(layer, CacheLayerMixin)]
    if len(layers) != len(cache.layers):
        raise ModelError("the model's cache holds layers without keys and values "
                         "(linear attention); this backend supports attention-only models")
    return layers


def layer_kv(layer: CacheLayerMixin) -> tuple[torch.Tensor, torch.Tensor]:
    """A filled layer's keys and values, each (rows, heads, positions, head size)."""
    if layer.keys is None or layer.values is None:
        raise ModelError("a cache layer was read before the model filled it")
    return layer.keys, layer.values
