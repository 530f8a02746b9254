"""Key/value caches of prompt prefixes kept across batches: a radix tree over token ids.

The idea is SGLang's RadixAttention (Zheng et al. 2024, "SGLang: Efficient Execution of
Structured Language Model Programs"): every computed prompt leaves its keys and values in a
tree whose edges are token runs, so a later prompt that starts with the same tokens (a
system text and few-shot turns shared by every request of a kind, a resident's persona
block) reuses them and only its new suffix is run. A key or value at position p depends only
on tokens 0..p (causal attention, rotary positions already applied), so any prefix of a
cached path, even one ending inside an edge, is exact.

Memory is bounded by a byte budget: `evict` drops least recently used leaves until the tree
fits. Inserting never evicts, so a prefix matched at the start of a batch is still there
when the batch inserts what follows it; the backend calls `evict` once a batch is done.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

Tokens = tuple[int, ...]
LayerKV = tuple[torch.Tensor, torch.Tensor]
KV = tuple[LayerKV, ...]
"""Per layer: keys and values, each shaped (kv heads, tokens, head dim) in the tree and
(1, kv heads, tokens, head dim) when handed to a model."""


@dataclass(eq=False, slots=True)
class _Node:
    tokens: Tokens  # the edge from the parent
    kv: KV  # of `tokens` only
    parent: _Node | None
    children: dict[int, _Node] = field(default_factory=dict)
    last_used: int = 0

    @property
    def nbytes(self) -> int:
        return sum(k.numel() * k.element_size() + v.numel() * v.element_size()
                   for k, v in self.kv)


def _shared(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def _slice(kv: KV, start: int, end: int | None = None) -> KV:
    """Positions start..end of every layer, as tensors of their own (a view would keep the
    whole source alive, and the budget would count it wrong)."""
    return tuple((k[:, start:end].clone(), v[:, start:end].clone()) for k, v in kv)


class RadixCache:
    """Key/value caches of token prefixes, at most about `budget_bytes` of them, LRU evicted.

    `match` returns the longest cached prefix of a token sequence and its keys and values;
    `insert` adds the keys and values of a sequence whose head is already cached.
    """

    def __init__(self, budget_bytes: int) -> None:
        if budget_bytes < 0:
            raise ValueError(f"budget_bytes must not be negative, got {budget_bytes}")
        self.budget_bytes = budget_bytes
        self.nbytes = 0
        self._root = _Node((), (), None)
        self._clock = 0

    def __len__(self) -> int:
        """Nodes in the tree, the root not counted."""
        count, stack = 0, list(self._root.children.values())
        while stack:
            node = stack.pop()
            count += 1
            stack.extend(node.children.values())
        return count

    def match_len(self, tokens: Sequence[int]) -> int:
        """How many leading tokens of `tokens` are cached (nothing is marked used)."""
        return sum(used for _, used in self._walk(tokens))

    def match(self, tokens: Sequence[int]) -> tuple[int, KV]:
        """The longest cached prefix of `tokens`: its length and its keys and values, each
        (1, kv heads, length, head dim); `(0, ())` when nothing matches. Marks the path used."""
        path = self._walk(tokens)
        if not path:
            return 0, ()
        self._clock += 1
        for node, _ in path:
            node.last_used = self._clock
        layers = len(path[0][0].kv)
        kv = tuple(
            (torch.cat([node.kv[layer][0][:, :used] for node, used in path], dim=1)[None],
             torch.cat([node.kv[layer][1][:, :used] for node, used in path], dim=1)[None])
            for layer in range(layers))
        return sum(used for _, used in path), kv

    def insert(self, tokens: Sequence[int], kv: KV, start: int) -> int:
        """Cache `tokens`, given the keys and values of `tokens[start:]` (each layer's
        tensors shaped (kv heads, len(tokens) - start, head dim), or with a leading batch
        dimension of 1). Returns how many tokens were added: 0 when all were cached, or
        when the tree lacks part of `tokens[:start]` (evicted meanwhile), as nothing can
        be stored without the keys and values of what precedes it."""
        kv = tuple((k[0], v[0]) if k.dim() == 4 else (k, v) for k, v in kv)
        node, pos = self._root, 0
        self._clock += 1
        while pos < len(tokens):
            child = node.children.get(tokens[pos])
            if child is None:
                break
            used = _shared(child.tokens, tokens[pos:pos + len(child.tokens)])
            child.last_used = self._clock
            if used < len(child.tokens):
                if pos + used == len(tokens):
                    return 0  # ends inside an edge: already cached
                node = self._split(child, used)
                pos += used
                break
            node, pos = child, pos + used
        if pos == len(tokens) or pos < start:
            return 0
        leaf = _Node(tuple(tokens[pos:]), _slice(kv, pos - start), node, last_used=self._clock)
        node.children[leaf.tokens[0]] = leaf
        self.nbytes += leaf.nbytes
        return len(leaf.tokens)

    def evict(self) -> int:
        """Drop least recently used leaves until the tree fits the budget; bytes freed."""
        if self.nbytes <= self.budget_bytes:
            return 0
        freed = 0
        leaves = [(node.last_used, id(node), node) for node in self._leaves()]
        heapq.heapify(leaves)
        while leaves and self.nbytes > self.budget_bytes:
            _, _, node = heapq.heappop(leaves)
            parent = node.parent
            assert parent is not None  # the root is never a leaf on the heap
            del parent.children[node.tokens[0]]
            size = node.nbytes
            self.nbytes -= size
            freed += size
            if parent is not self._root and not parent.children:
                heapq.heappush(leaves, (parent.last_used, id(parent), parent))
        return freed

    def clear(self) -> None:
        self._root.children.clear()
        self.nbytes = 0

    def _walk(self, tokens: Sequence[int]) -> list[tuple[_Node, int]]:
        """The nodes along the longest cached prefix of `tokens`, each with how many of its
        tokens it contributes (all but perhaps the last's)."""
        path: list[tuple[_Node, int]] = []
        node, pos = self._root, 0
        while pos < len(tokens):
            child = node.children.get(tokens[pos])
            if child is None:
                break
            used = _shared(child.tokens, tokens[pos:pos + len(child.tokens)])
            path.append((child, used))
            pos += used
            if used < len(child.tokens):
                break
            node = child
        return path

    def _split(self, node: _Node, at: int) -> _Node:
        """Cut `node`'s edge after `at` tokens; returns the new node holding the first part."""
        parent = node.parent
        assert parent is not None
        middle = _Node(node.tokens[:at], _slice(node.kv, 0, at), parent,
                       last_used=node.last_used)
        node.tokens, node.kv, node.parent = node.tokens[at:], _slice(node.kv, at), middle
        middle.children[node.tokens[0]] = node
        parent.children[middle.tokens[0]] = middle
        return middle

    def _leaves(self) -> list[_Node]:
        leaves, stack = [], list(self._root.children.values())
        while stack:
            node = stack.pop()
            if node.children:
                stack.extend(node.children.values())
            else:
                leaves.append(node)
        return leaves
