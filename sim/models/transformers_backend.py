"""The in-process transformers backend: any local causal-LM directory, batched on CPU or CUDA.

Prompts are rendered with the tokenizer's chat template; a plain string prompt is sent as one
user message when the model has a template (instruct models answer raw text poorly), and as
raw text when it has none. Every batch is planned by `sim.models.prefix`: a head shared by
several requests is computed once, and the rest is packed into full rows whose attention
masks keep requests apart. Generation then decodes up to `max_batch_size` rows together
(prompts sorted by length; left-padded caches, explicit position ids), dropping rows as they
finish. Greedy when temperature is 0; otherwise a top-k (then top-p) draw from the row's own
generator seeded by the request, so an answer does not depend on the batch around it.

Choose and Rate score each option as the complete answer: its tokens followed by the
template's end-of-answer token. Without that token "1" would always beat "10" (every
answer "10" starts with "1"). An option is tokenized on its own, so for a model without a
chat template give it the leading space the prompt expects.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, DynamicCache
from transformers.cache_utils import CacheLayerMixin

from agents.repetition import banned_next, loop_start
from agents.requests import (
    Choose,
    ChooseResult,
    Embed,
    EmbedResult,
    Generate,
    GenerateResult,
    Prompt,
    Rate,
    RateResult,
)
from sim.models.base import (
    LanguageModel,
    ModelError,
    ModelInfo,
    answer_text,
    choose_from_scores,
    rate_from_scores,
)
from sim.models.embedded import PROVENANCE_FILE
from sim.models.embedder import MiniLMEmbedder, TextEmbedder
from sim.models.loading import quiet_loading
from sim.models.prefix import HeadGroup, PackedBatch, Piece, Placement, pack, plan_heads
from sim.models.radix import KV, RadixCache

DEFAULT_TOP_K = 50  # used when a request asks for top_k <= 0: top-p alone sorts the vocabulary
_ANSWER_MARK = "\u2063ANSWER\u2063"

DEFAULT_PREFIX_CACHE_BYTES = 512 << 20  # ~21k tokens of the default model (24.6 KB each, fp32)
MIN_CACHED_EXTRA = 16  # a member leaves its batch group when the cache holds this much more


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


@dataclass(slots=True)
class _Decoding:
    """Decode-ready state of a batch: its cache, padding mask and next positions."""

    cache: DynamicCache
    mask: torch.Tensor  # (rows, cached length), 1 = real token
    positions: torch.Tensor  # (rows,)
    logits: torch.Tensor  # (rows, vocab): what the last forward predicts next


class TransformersModel(LanguageModel):
    """A transformers causal LM answering batches in process."""

    def __init__(self, model_dir: Path | str, device: str = "auto",
                 dtype: torch.dtype | None = None, max_batch_size: int = 32,
                 embedder: TextEmbedder | None = None, prefix_reuse: bool = True,
                 row_capacity: int = 256, batch_tokens: int = 1024,
                 prefix_cache_bytes: int = DEFAULT_PREFIX_CACHE_BYTES,
                 name: str | None = None) -> None:
        model_dir = Path(model_dir)
        self.device, dtype = device_and_dtype(device, dtype, torch.cuda.is_available())
        try:
            with quiet_loading():
                self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
                loaded = AutoModelForCausalLM.from_pretrained(
                    model_dir, dtype=dtype, attn_implementation="sdpa")
                # Module.to: transformers wraps `to` in a way that hides its signature from mypy.
                self.model = torch.nn.Module.to(loaded, self.device).eval()
        except (OSError, ValueError) as exc:
            raise ModelError(f"could not load a causal language model from {model_dir}: "
                             f"{exc}") from exc
        self.max_batch_size = max_batch_size
        self.prefix_reuse = prefix_reuse
        self.row_capacity = row_capacity
        self.batch_tokens = batch_tokens
        self.counters = Counters()
        self.prefix_cache = RadixCache(prefix_cache_bytes)
        self.info = ModelInfo(name=name or _model_name(model_dir), backend="transformers",
                              device=str(self.device), dtype=str(dtype).removeprefix("torch."),
                              source=str(model_dir))
        self._embedder = embedder
        self._chat = self.tokenizer.chat_template is not None
        self._answer_end = self._find_answer_end()
        self._stop_ids = self._find_stop_ids()

    # ---- the LanguageModel interface -------------------------------------------------------

    @torch.inference_mode()
    def generate(self, requests: Sequence[Generate]) -> list[GenerateResult]:
        ids = self._render([r.prompt for r in requests])
        answers = {i: GenerateResult("", prompt_tokens=len(ids[i]))
                   for i, r in enumerate(requests) if r.max_tokens <= 0}
        order = sorted((i for i in range(len(requests)) if i not in answers),
                       key=lambda i: len(ids[i]))
        for start in range(0, len(order), self.max_batch_size):
            chunk = order[start:start + self.max_batch_size]
            batch = self._generate_batch([requests[i] for i in chunk], [ids[i] for i in chunk])
            answers.update(zip(chunk, batch, strict=True))
        self.prefix_cache.evict()
        return [answers[i] for i in range(len(requests))]

    @torch.inference_mode()
    def choose(self, requests: Sequence[Choose]) -> list[ChooseResult]:
        ids = self._render([r.prompt for r in requests])
        scores, computed = self._score(ids, [r.options for r in requests])
        return [replace(choose_from_scores(s), prompt_tokens=len(p), computed_prompt_tokens=c)
                for s, p, c in zip(scores, ids, computed, strict=True)]

    @torch.inference_mode()
    def rate(self, requests: Sequence[Rate]) -> list[RateResult]:
        ids = self._render([r.prompt for r in requests])
        scores, computed = self._score(ids, [r.options for r in requests])
        return [replace(rate_from_scores(r, s), prompt_tokens=len(p), computed_prompt_tokens=c)
                for r, s, p, c in zip(requests, scores, ids, computed, strict=True)]

    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        if self._embedder is None:
            self._embedder = MiniLMEmbedder(device=str(self.device))
        return self._embedder.embed(requests)

    def close(self) -> None:
        if self.device.type == "cuda":
            self.model = self.model.to("cpu")
            torch.cuda.empty_cache()

    def reset_counters(self) -> Counters:
        """The counters so far; counting starts again from zero."""
        previous, self.counters = self.counters, Counters()
        return previous

    # ---- prompts ----------------------------------------------------------------------------

    def _render(self, prompts: Sequence[Prompt]) -> list[list[int]]:
        """Token ids of each prompt, each distinct prompt tokenized once."""
        seen: dict[Prompt, list[int]] = {}
        for prompt in prompts:
            if prompt not in seen:
                seen[prompt] = self._prompt_ids(prompt)
        return [seen[p] for p in prompts]

    def _prompt_ids(self, prompt: Prompt) -> list[int]:
        if self._chat:
            messages = ([{"role": "user", "content": prompt}] if isinstance(prompt, str)
                        else [{"role": m.role, "content": m.content} for m in prompt])
            text = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                      tokenize=False)
            ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        elif isinstance(prompt, str):
            ids = self.tokenizer(prompt)["input_ids"]
        else:
            raise ModelError(f"{self.info.name} has no chat template; give it plain text prompts")
        if not ids:
            raise ModelError("a prompt rendered to no tokens at all")
        return list(ids)

    def _option_ids(self, option: str) -> tuple[int, ...]:
        ids = tuple(self.tokenizer(option, add_special_tokens=False)["input_ids"])
        return ids if self._answer_end is None else (*ids, self._answer_end)

    def _find_answer_end(self) -> int | None:
        """The token that closes an assistant answer (Qwen's <|im_end|>), else end-of-text."""
        if self._chat:
            text = self.tokenizer.apply_chat_template(
                [{"role": "user", "content": "?"}, {"role": "assistant", "content": _ANSWER_MARK}],
                tokenize=False)
            if not isinstance(text, str):
                raise ModelError(f"the chat template rendered {type(text).__name__}, not text")
            tail = text.split(_ANSWER_MARK, 1)[-1]
            ids = self.tokenizer(tail, add_special_tokens=False)["input_ids"]
            if ids:
                return int(ids[0])
        eos = self.tokenizer.eos_token_id
        return None if eos is None else int(eos)

    def _find_stop_ids(self) -> frozenset[int]:
        configured = self.model.generation_config.eos_token_id
        ids = set(configured if isinstance(configured, list) else [configured])
        ids |= {self.tokenizer.eos_token_id, self._answer_end}
        return frozenset(int(i) for i in ids if i is not None)

    # ---- running the model ------------------------------------------------------------------

    def _forward(self, prompt_tokens: int, **inputs: object) -> torch.Tensor:
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

    def _groups(self, ids: Sequence[Sequence[int]]) -> list[HeadGroup]:
        """Heads shared within the batch (`plan_heads`), then each member whose prompt the
        prefix cache holds at least `MIN_CACHED_EXTRA` tokens further than its group's head
        leaves the group for one headed by that cached prefix (members with the same cached
        prefix stay together): its cached tokens cost nothing, its group's would be run."""
        if not self.prefix_reuse:
            return [HeadGroup(0, tuple(range(len(ids))))] if ids else []
        groups: list[HeadGroup] = []
        by_prefix: dict[tuple[int, ...], list[int]] = {}
        for group in plan_heads(ids):
            stay: list[int] = []
            for i in group.members:
                cached = self.prefix_cache.match_len(ids[i][:-1])  # keep a token to run
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
        cached, kv = self.prefix_cache.match(tokens) if self.prefix_reuse else (0, ())
        self.counters.cached_prompt_tokens += cached
        if cached == len(tokens):
            return kv, 0
        cache = DynamicCache(kv, config=self.model.config) if kv else DynamicCache(
            config=self.model.config)
        new = len(tokens) - cached
        self._forward(new, input_ids=torch.tensor([list(tokens[cached:])], device=self.device),
                      position_ids=torch.arange(cached, len(tokens), device=self.device)[None],
                      cache=cache, logits_to_keep=1)
        head = tuple(_kv(layer) for layer in _attention_layers(cache))
        if self.prefix_reuse:
            self.prefix_cache.insert(tokens, tuple((k[:, :, cached:], v[:, :, cached:])
                                                   for k, v in head), cached)
        return head, new

    def _run_packed(self, batch: PackedBatch, head: KV) -> tuple[torch.Tensor, DynamicCache]:
        """Kept logits (kept positions, vocab) and the cache (head + rows) of one packed batch."""
        rows = batch.input_ids.shape[0]
        config = self.model.config
        cache = (DynamicCache(((k.expand(rows, -1, -1, -1), v.expand(rows, -1, -1, -1))
                               for k, v in head), config=config)
                 if head else DynamicCache(config=config))
        logits = self._forward(
            batch.stem_tokens,
            input_ids=batch.input_ids.to(self.device),
            position_ids=batch.position_ids.to(self.device),
            attention_mask=batch.attention_mask.to(self.device),
            logits_to_keep=batch.logits_mask.to(self.device),
            cache=cache)
        self.counters.padding_tokens += batch.padding
        return logits.float(), cache

    def _plan(self, ids: Sequence[Sequence[int]],
              branches: Sequence[Sequence[tuple[int, ...]]] | None
              ) -> tuple[list[tuple[HeadGroup, KV, list[PackedBatch]]], list[int]]:
        """Per group: its head cache and packed batches (pieces numbered within the group);
        and per request, the prompt tokens it makes the model run (its stem, and for a
        group's first member what of the head the cache did not hold)."""
        plans = []
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
            plans.append((group, head, batches))
        return plans, computed

    def _keep(self, group: HeadGroup, ids: Sequence[Sequence[int]], placement: Placement,
              cache: DynamicCache) -> None:
        """Put a packed prompt's keys and values (its stem, after the group's head) into the
        prefix cache, so a later prompt sharing more than the head runs only the rest."""
        if not self.prefix_reuse:
            return
        tokens = ids[group.members[placement.piece]]
        begin = group.head_len + placement.start
        end = begin + len(tokens) - group.head_len
        self.prefix_cache.insert(tokens, tuple(
            (keys[placement.row, :, begin:end], values[placement.row, :, begin:end])
            for keys, values in (_kv(layer) for layer in _attention_layers(cache))),
            group.head_len)

    # ---- choose / rate ----------------------------------------------------------------------

    def _score(self, ids: list[list[int]], options: Sequence[Sequence[str]]
               ) -> tuple[list[list[float]], list[int]]:
        """Summed log-probability of each option (with its end-of-answer token), and the
        prompt tokens each request had computed."""
        branches = [[self._option_ids(o) for o in opts] for opts in options]
        self.counters.option_tokens += sum(len(b) for bs in branches for b in bs)
        scores = [[0.0] * len(opts) for opts in options]
        plans, computed = self._plan(ids, branches)
        for group, head, batches in plans:
            for batch in batches:
                logits, cache = self._run_packed(batch, head)
                norm = torch.logsumexp(logits, dim=-1)
                rows: list[int] = []
                targets: list[int] = []
                owners: list[tuple[int, int]] = []
                for placement in batch.placements:
                    i = group.members[placement.piece]
                    for j, logit_rows in enumerate(placement.branch_logits):
                        rows.extend(logit_rows)
                        targets.extend(branches[i][j])
                        owners.extend([(i, j)] * len(logit_rows))
                index = torch.tensor(rows, device=logits.device)
                picked = logits[index, torch.tensor(targets, device=logits.device)] - norm[index]
                for (i, j), value in zip(owners, picked.tolist(), strict=True):
                    scores[i][j] += value
                for placement in batch.placements:
                    self._keep(group, ids, placement, cache)
        self.prefix_cache.evict()
        return scores, computed

    # ---- generate ---------------------------------------------------------------------------

    def _generate_batch(self, requests: Sequence[Generate],
                        ids: list[list[int]]) -> list[GenerateResult]:
        """Prefill all prompts, then decode every row together until each one stops (end
        token, stop string or max_tokens); a finished row leaves the batch at once."""
        started = time.perf_counter()
        state, computed = self._prefill(ids)
        decode_started = time.perf_counter()
        self.counters.prefill_seconds += decode_started - started
        generators = [torch.Generator().manual_seed(r.seed % 2**64) for r in requests]
        tokens: list[list[int]] = [[] for _ in requests]
        active = list(range(len(requests)))  # batch row -> request
        while active:
            picks = self._pick(state.logits, [requests[i] for i in active],
                               [generators[i] for i in active], [tokens[i] for i in active])
            still: list[int] = []
            for row, (i, token) in enumerate(zip(active, picks, strict=True)):
                if token in self._stop_ids:
                    continue
                tokens[i].append(token)
                if len(tokens[i]) < requests[i].max_tokens and not self._stopped(
                        tokens[i], requests[i]):
                    still.append(row)
            self.counters.generated_tokens += len(active)
            active = [active[row] for row in still]
            if active:
                self._step(state, still, torch.tensor([tokens[i][-1] for i in active],
                                                      device=self.device))
                self.counters.decode_tokens += len(active)
        self.counters.decode_seconds += time.perf_counter() - decode_started
        return [GenerateResult(text=answer_text(r, self._text(tokens[i])),
                               prompt_tokens=len(ids[i]), completion_tokens=len(tokens[i]),
                               computed_prompt_tokens=computed[i])
                for i, r in enumerate(requests)]

    def _text(self, tokens: Sequence[int]) -> str:
        text = self.tokenizer.decode(list(tokens), skip_special_tokens=True)
        if not isinstance(text, str):
            raise ModelError(f"the tokenizer decoded one sequence to {type(text).__name__}")
        return text

    def _stopped(self, tokens: Sequence[int], request: Generate) -> bool:
        """Whether the answer so far holds a stop string, or, for a request that stops at
        a loop, a line that has just ended a loop."""
        if not request.stop and not request.stop_at_loop:
            return False
        text = self._text(tokens)
        if any(stop and stop in text for stop in request.stop):
            return True
        return (request.stop_at_loop and "\n" in self._text(tokens[-1:])
                and loop_start(text) < len(text))

    def _pick(self, logits: torch.Tensor, requests: Sequence[Generate],
              generators: Sequence[torch.Generator],
              answers: Sequence[Sequence[int]]) -> list[int]:
        """The next token of each row (`answers` are the rows' tokens so far): argmax, or a
        seeded top-k / top-p draw, after the n-grams a row may not repeat are banned."""
        for row, (request, answer) in enumerate(zip(requests, answers, strict=True)):
            banned = banned_next(answer, request.no_repeat_ngram)
            if banned:
                logits[row, list(banned)] = float("-inf")
        picks = logits.argmax(dim=-1).tolist()
        for row, (request, generator) in enumerate(zip(requests, generators, strict=True)):
            if request.temperature > 0:
                picks[row] = _sample(logits[row], request, generator)
        return picks

    def _prefill(self, ids: list[list[int]]) -> tuple[_Decoding, list[int]]:
        """Run every prompt, copying each one's keys and values (head, then the rest) into
        left-padded rows for decoding as soon as its packed batch is done; also the prompt
        tokens each request had computed."""
        n, width = len(ids), max(len(x) for x in ids)
        decode_kv: list[tuple[torch.Tensor, torch.Tensor]] = []
        logits = torch.empty(0)
        plans, computed = self._plan(ids, None)
        for group, head, batches in plans:
            for batch in batches:
                kept, cache = self._run_packed(batch, head)
                filled = [_kv(layer) for layer in _attention_layers(cache)]
                if not decode_kv:
                    decode_kv = [(_rows_like(keys, n, width), _rows_like(values, n, width))
                                 for keys, values in filled]
                    logits = kept.new_empty(n, kept.shape[-1])
                for placement in batch.placements:
                    i = group.members[placement.piece]
                    logits[i] = kept[placement.stem_logit]
                    start, stem = width - len(ids[i]), len(ids[i]) - group.head_len
                    begin = group.head_len + placement.start  # the stem, after the head
                    for (keys, values), (layer_keys, layer_values) in zip(decode_kv, filled,
                                                                          strict=True):
                        for target, source in ((keys, layer_keys), (values, layer_values)):
                            row = source[placement.row]
                            target[i, :, start:start + group.head_len] = row[:, :group.head_len]
                            target[i, :, width - stem:] = row[:, begin:begin + stem]
                    self._keep(group, ids, placement, cache)
        mask = torch.zeros(n, width, dtype=torch.long, device=self.device)
        for i, prompt in enumerate(ids):
            mask[i, width - len(prompt):] = 1
        positions = torch.tensor([len(x) for x in ids], device=self.device)
        cache = DynamicCache(decode_kv, config=self.model.config)
        return _Decoding(cache, mask, positions, logits), computed

    def _step(self, state: _Decoding, keep: list[int], next_tokens: torch.Tensor) -> None:
        """Keep only rows `keep` (and the padding columns they need), then decode
        `next_tokens`, one per kept row."""
        if len(keep) < state.mask.shape[0]:
            index = torch.tensor(keep, dtype=torch.long, device=self.device)
            state.cache.batch_select_indices(index)
            state.mask, state.positions = state.mask[index], state.positions[index]
            unused = int(state.mask.any(dim=0).int().argmax())
            if unused:
                for layer in _attention_layers(state.cache):
                    keys, values = _kv(layer)
                    layer.keys, layer.values = keys[:, :, unused:], values[:, :, unused:]
                state.mask = state.mask[:, unused:]
        ones = torch.ones(len(keep), 1, dtype=state.mask.dtype, device=self.device)
        state.mask = torch.cat([state.mask, ones], dim=1)
        padded = not bool(state.mask.all())  # else no mask: attention takes its unmasked path
        logits = self._forward(0, input_ids=next_tokens[:, None],
                               attention_mask=state.mask if padded else None,
                               position_ids=state.positions[:, None],
                               cache=state.cache, logits_to_keep=1)
        state.positions = state.positions + 1
        state.logits = logits[:, -1].float()


def device_and_dtype(device: str, dtype: torch.dtype | None,
                     cuda_available: bool) -> tuple[torch.device, torch.dtype]:
    """Where the model runs and in what precision: "auto" is CUDA when there is one; the
    dtype, unless given, bfloat16 on CUDA (its tensor cores' format) and float32 on CPU
    (CPU bfloat16 matmuls are slower than float32 without AMX)."""
    chosen = torch.device(("cuda" if cuda_available else "cpu") if device == "auto" else device)
    if dtype is None:
        dtype = torch.bfloat16 if chosen.type == "cuda" else torch.float32
    return chosen, dtype


def _sample(logits: torch.Tensor, request: Generate, generator: torch.Generator) -> int:
    """A seeded draw from the top-k (then top-p) tokens at `request.temperature`.

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


def _model_name(model_dir: Path) -> str:
    """The upstream model an embedded conversion records, else the directory's name."""
    provenance = model_dir / PROVENANCE_FILE
    if provenance.is_file():
        return str(json.loads(provenance.read_text()).get("model", model_dir.name))
    return model_dir.name


def _attention_layers(cache: DynamicCache) -> list[CacheLayerMixin]:
    """The cache's layers; ModelError when one is not a key/value attention layer."""
    layers = [layer for layer in cache.layers if isinstance(layer, CacheLayerMixin)]
    if len(layers) != len(cache.layers):
        raise ModelError("the model's cache holds layers without keys and values "
                         "(linear attention); this backend supports attention-only models")
    return layers


def _kv(layer: CacheLayerMixin) -> tuple[torch.Tensor, torch.Tensor]:
    """A filled layer's keys and values, each (rows, heads, positions, head size)."""
    if layer.keys is None or layer.values is None:
        raise ModelError("a cache layer was read before the model filled it")
    return layer.keys, layer.values


def _rows_like(cached: torch.Tensor, rows: int, width: int) -> torch.Tensor:
    """Zeros shaped (rows, heads, width, head dim) like a cached key or value tensor."""
    return cached.new_zeros(rows, cached.shape[1], width, cached.shape[-1])
