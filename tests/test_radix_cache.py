"""The radix tree of cached prefix keys/values: matching, splitting, budget and LRU eviction."""

from __future__ import annotations

import torch

from sim.models.radix import KV, RadixCache

LAYERS, HEADS, DIM = 2, 1, 3
TOKEN_BYTES = LAYERS * 2 * HEADS * DIM * 4  # keys and values of one token, float32


def _kv(tokens: list[int]) -> KV:
    """Keys/values that encode their token ids, so a match can be checked by value."""
    column = torch.tensor(tokens, dtype=torch.float32)[None, :, None].expand(HEADS, -1, DIM)
    return tuple((column + layer, -column - layer) for layer in range(LAYERS))


def _ids(kv: KV) -> list[int]:
    return [int(x) for x in kv[0][0][0, 0, :, 0]]


def test_match_returns_the_longest_cached_prefix_even_inside_an_edge() -> None:
    cache = RadixCache(budget_bytes=1 << 20)
    assert cache.insert([1, 2, 3, 4], _kv([1, 2, 3, 4]), 0) == 4
    length, kv = cache.match([1, 2, 3, 9, 9])
    assert length == 3 and _ids(kv) == [1, 2, 3]
    assert kv[1][1].shape == (1, HEADS, 3, DIM) and float(kv[1][1][0, 0, 2, 0]) == -4.0
    assert cache.match([7, 1]) == (0, ())


def test_insert_splits_an_edge_and_stores_only_the_new_suffix() -> None:
    cache = RadixCache(budget_bytes=1 << 20)
    cache.insert([1, 2, 3, 4], _kv([1, 2, 3, 4]), 0)
    added = cache.insert([1, 2, 5, 6], _kv([5, 6]), 2)  # only tokens[2:] are given
    assert added == 2 and len(cache) == 3  # [1 2] -> [3 4], [5 6]
    assert cache.nbytes == 6 * TOKEN_BYTES
    length, kv = cache.match([1, 2, 5, 6, 7])
    assert length == 4 and _ids(kv) == [1, 2, 5, 6]
    assert cache.insert([1, 2, 3], _kv([3]), 2) == 0  # already cached (inside an edge)


def test_insert_without_the_cached_head_stores_nothing() -> None:
    cache = RadixCache(budget_bytes=1 << 20)
    cache.insert([1, 2], _kv([1, 2]), 0)
    assert cache.insert([1, 2, 3, 4, 5], _kv([4, 5]), 3) == 0  # token 3 is not cached
    assert cache.match_len([1, 2, 3, 4, 5]) == 2


def test_evict_drops_least_recently_used_leaves_down_to_the_budget() -> None:
    cache = RadixCache(budget_bytes=5 * TOKEN_BYTES)
    cache.insert([1, 2, 3], _kv([1, 2, 3]), 0)
    cache.insert([1, 2, 4], _kv([4]), 2)
    cache.insert([1, 2, 5], _kv([5]), 2)
    cache.match([1, 2, 3])  # [4] is now the least recently used leaf
    assert cache.nbytes == 5 * TOKEN_BYTES and cache.evict() == 0
    cache.insert([1, 2, 6, 7], _kv([6, 7]), 2)
    assert cache.evict() == 2 * TOKEN_BYTES  # [4], then [5]
    assert cache.nbytes <= cache.budget_bytes
    assert cache.match_len([1, 2, 4]) == 2 and cache.match_len([1, 2, 5]) == 2
    assert cache.match_len([1, 2, 3]) == 3 and cache.match_len([1, 2, 6, 7]) == 4


def test_a_zero_budget_empties_the_tree_on_evict() -> None:
    cache = RadixCache(budget_bytes=0)
    cache.insert([1, 2, 3], _kv([1, 2, 3]), 0)
    cache.insert([1, 4], _kv([4]), 1)
    cache.evict()
    assert cache.nbytes == 0 and len(cache) == 0 and cache.match_len([1, 2, 3]) == 0
