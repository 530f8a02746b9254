"""The in-process transformers backend: any local causal-LM directory, batched on CPU or CUDA.

Prompts are rendered with the tokenizer's chat template; a plain string prompt is sent as one
user message when the model has a template (instruct models answer raw text poorly), and as
raw text when it has none. Every batch is run by `sim.models.prefix_runner`: a head shared
by several requests is computed once, what the prefix cache holds is not computed again, and
the rest is packed into full rows whose attention masks keep requests apart. Generation then
decodes up to `max_batch_size` rows together (prompts sorted by length; left-padded caches,
explicit position ids), dropping rows as they finish; `sim.models.sampling` picks each token.

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

from agents.prompts.base import sentences_end
from agents.repetition import loop_start
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
from sim.models.formats import FormatGuide
from sim.models.loading import quiet_loading
from sim.models.prefix_runner import Counters, PrefixRunner, attention_layers, layer_kv
from sim.models.radix import RadixCache
from sim.models.sampling import pick

_ANSWER_MARK = "\u2063ANSWER\u2063"

DEFAULT_PREFIX_CACHE_BYTES = 512 << 20  # ~21k tokens of the default model (24.6 KB each, fp32)


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
        self._runner = PrefixRunner(self.model, self.device, RadixCache(prefix_cache_bytes),
                                    row_capacity, batch_tokens, prefix_reuse)
        self.info = ModelInfo(name=name or _model_name(model_dir), backend="transformers",
                              device=str(self.device), dtype=str(dtype).removeprefix("torch."),
                              source=str(model_dir))
        self._embedder = embedder
        self._chat = self.tokenizer.chat_template is not None
        self._answer_end = self._find_answer_end()
        self._stop_ids = self._find_stop_ids()
        self._formats: FormatGuide | None = None  # built on the first request with a pattern
        self._avoided: dict[tuple[str, ...], list[int]] = {}  # avoid_words -> token ids

    @property
    def counters(self) -> Counters:
        """What was computed since the last `reset_counters`."""
        return self._runner.counters

    @property
    def prefix_cache(self) -> RadixCache:
        """The key/value caches of prompt prefixes kept across batches."""
        return self._runner.cache

    @property
    def prefix_reuse(self) -> bool:
        """Whether heads are shared and the prefix cache is used; off, every prompt is run
        whole (what benchmarks compare against)."""
        return self._runner.reuse

    @prefix_reuse.setter
    def prefix_reuse(self, on: bool) -> None:
        self._runner.reuse = on

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
        previous, self._runner.counters = self._runner.counters, Counters()
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

    # ---- choose / rate ----------------------------------------------------------------------

    def _score(self, ids: list[list[int]], options: Sequence[Sequence[str]]
               ) -> tuple[list[list[float]], list[int]]:
        """Summed log-probability of each option (with its end-of-answer token), and the
        prompt tokens each request had computed."""
        branches = [[self._option_ids(o) for o in opts] for opts in options]
        self.counters.option_tokens += sum(len(b) for bs in branches for b in bs)
        scores = [[0.0] * len(opts) for opts in options]
        runs, computed = self._runner.plan(ids, branches)
        for run in runs:
            group = run.group
            for batch in run.batches:
                logits, cache = self._runner.run(batch, run.head)
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
                    self._runner.keep(group, ids, placement, cache)
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
        formats = [self._format_guide().start(r.pattern) if r.pattern else None
                   for r in requests]
        tokens: list[list[int]] = [[] for _ in requests]
        active = list(range(len(requests)))  # batch row -> request
        avoided = [self._word_ids(r.avoid_words) for r in requests]
        while active:
            for row, i in enumerate(active):
                if avoided[i]:
                    state.logits[row, avoided[i]] = float("-inf")
            if any(formats[i] for i in active):
                self._format_guide().restrict(state.logits, [formats[i] for i in active])
            picks = pick(state.logits, [requests[i] for i in active],
                         [generators[i] for i in active], [tokens[i] for i in active])
            still: list[int] = []
            for row, (i, token) in enumerate(zip(active, picks, strict=True)):
                if token in self._stop_ids:
                    continue
                tokens[i].append(token)
                if (matcher := formats[i]) is not None:
                    matcher.advance(token)
                if len(tokens[i]) < requests[i].max_tokens and not self._stopped(
                        tokens[i], requests[i]) and not (matcher and matcher.complete):
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

    def _word_ids(self, words: tuple[str, ...]) -> list[int]:
        """The token ids of each spelling of `words` that is one token ("honey", " honey",
        "Honey", " Honey"); a word no spelling of which is one token gives none. Kept per
        word list: a prompt kind asks with few lists, and encoding the day plan's 22 words
        four ways took 1.9 ms a request."""
        if words and words not in self._avoided:
            spellings = [text for word in words for spelling in {word, word.capitalize()}
                         for text in (spelling, " " + spelling)]
            encoded = [self.tokenizer.encode(text, add_special_tokens=False)
                       for text in spellings]
            self._avoided[words] = sorted({int(ids[0]) for ids in encoded if len(ids) == 1})
        return self._avoided.get(words, [])

    def _format_guide(self) -> FormatGuide:
        if self._formats is None:
            self._formats = FormatGuide(self.tokenizer, int(self.model.config.vocab_size),
                                        sorted(self._stop_ids))
        return self._formats

    def _text(self, tokens: Sequence[int]) -> str:
        text = self.tokenizer.decode(list(tokens), skip_special_tokens=True)
        if not isinstance(text, str):
            raise ModelError(f"the tokenizer decoded one sequence to {type(text).__name__}")
        return text

    def _stopped(self, tokens: Sequence[int], request: Generate) -> bool:
        """Whether the answer so far holds a stop string, more than `max_sentences`, or, for
        a request that stops at a loop, a line that has just ended a loop."""
        if not request.stop and not request.stop_at_loop and not request.max_sentences:
            return False
        text = self._text(tokens)
        if any(stop and stop in text for stop in request.stop):
            return True
        if request.max_sentences and sentences_end(text, request.max_sentences) < len(text):
            return True
        return (request.stop_at_loop and "\n" in self._text(tokens[-1:])
                and loop_start(text) < len(text))

    def _prefill(self, ids: list[list[int]]) -> tuple[_Decoding, list[int]]:
        """Run every prompt, copying each one's keys and values (head, then the rest) into
        left-padded rows for decoding as soon as its packed batch is done; also the prompt
        tokens each request had computed."""
        n, width = len(ids), max(len(x) for x in ids)
        decode_kv: list[tuple[torch.Tensor, torch.Tensor]] = []
        logits = torch.empty(0)
        runs, computed = self._runner.plan(ids, None)
        for run in runs:
            group = run.group
            for batch in run.batches:
                kept, cache = self._runner.run(batch, run.head)
                filled = [layer_kv(layer) for layer in attention_layers(cache)]
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
                    self._runner.keep(group, ids, placement, cache)
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
                for layer in attention_layers(state.cache):
                    keys, values = layer_kv(layer)
                    layer.keys, layer.values = keys[:, :, unused:], values[:, :, unused:]
                state.mask = state.mask[:, unused:]
        ones = torch.ones(len(keep), 1, dtype=state.mask.dtype, device=self.device)
        state.mask = torch.cat([state.mask, ones], dim=1)
        padded = not bool(state.mask.all())  # else no mask: attention takes its unmasked path
        logits = self._runner.forward(0, input_ids=next_tokens[:, None],
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


def _model_name(model_dir: Path) -> str:
    """The upstream model an embedded conversion records, else the directory's name."""
    provenance = model_dir / PROVENANCE_FILE
    if provenance.is_file():
        return str(json.loads(provenance.read_text()).get("model", model_dir.name))
    return model_dir.name


def _rows_like(cached: torch.Tensor, rows: int, width: int) -> torch.Tensor:
    """Zeros shaped (rows, heads, width, head dim) like a cached key or value tensor."""
    return cached.new_zeros(rows, cached.shape[1], width, cached.shape[-1])
