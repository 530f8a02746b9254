"""`python -m sim bench model`: speed, batching gains and accuracy of the embedded default model.

Everything runs in one process on the in-process transformers backend, so the figures are
comparable with each other: the fp32 matmul ceiling of this machine, decode throughput at
batch 1 / 8 / 25, prefill throughput as a share of the ceiling, what batching and shared-head
reuse buy for choose/rate and generate, and the accuracy of ratings and place choices on a
small labelled set. Prompts are fixed, so two runs differ only by the machine's noise.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import torch

from agents.requests import Choose, Generate, Message, Rate
from sim.models.embedded import model_directory
from sim.models.transformers_backend import TransformersModel

T = TypeVar("T")

NAMES = ("Isabella", "Klaus", "Maria", "Tom", "Ayesha", "Carlos", "Jennifer", "Sam", "Yuriko",
         "Abigail", "Wolfgang", "Rajiv", "Carmen", "Eddy", "Hailey", "Arthur", "Mei", "John",
         "Latoya", "Francisco", "Ryan", "Adam", "Giorgio", "Jane", "Tamara")
TOPICS = ("the harbour", "a lost cat", "the bakery", "an old piano", "the election",
          "a garden party", "the library", "a rainy morning", "the town fair", "a letter")

RATE_SYSTEM = Message("system", (
    "You rate how poignant an event in a person's life is, from 1 to 10: 1 is purely "
    "mundane (brushing teeth, making the bed), 10 is extremely poignant (a break-up, the "
    "death of a loved one). Answer with a single number."))
RATE_SHOTS = (("eating cereal for breakfast", "1"), ("getting into a top university", "9"),
              ("watering the plants", "2"), ("a close friend was taken to hospital", "8"))
MUNDANE = ("brushing my teeth", "making my bed", "walking to the kitchen", "checking the mail",
           "tying my shoelaces", "washing a cup", "turning on the lights")
POIGNANT = ("my mother died", "I got married to the love of my life", "my house burned down",
            "I was fired from my job of twenty years", "my first child was born",
            "my best friend betrayed me", "I was diagnosed with cancer")

PLACES = ("Hobbs Cafe", "Town Library", "Willow Pharmacy", "Johnson Park")
OFFERS = ("food and coffee", "books and quiet study rooms", "medicine and prescriptions",
          "trees, grass and paths for walking")
CHOICES = (("is hungry and wants lunch", 0), ("needs a book for her essay", 1),
           ("has a headache and needs medicine", 2), ("wants to go for a jog among trees", 3),
           ("wants a cup of coffee", 0), ("wants to study quietly among books", 1),
           ("needs to fill a prescription", 2), ("wants to walk the dog on the grass", 3))
CHOOSE_SYSTEM = Message("system", "You help residents of a small town decide where to go. "
                                  "Answer with the place only.")


def run_model_bench(quick: bool = False, json_path: Path | None = None,
                    spec: str = "default") -> dict[str, object]:
    """Measure model `spec` (an embedded name or a model directory), print a table, write
    `json_path`; returns the figures."""
    sizes = ({"decode": 16, "prefill": 4, "score": 12, "generate": 8, "gen_tokens": 16} if quick
             else {"decode": 32, "prefill": 8, "score": 25, "generate": 25, "gen_tokens": 24})
    bench_started = time.perf_counter()
    figures: dict[str, object] = {"quick": quick, "torch_threads": torch.get_num_threads(),
                                  "load_average_start": os.getloadavg()[0]}
    directory, figures["prepare_seconds"] = _timed(lambda: model_directory(spec))
    model, figures["load_seconds"] = _timed(lambda: TransformersModel(directory))
    figures.update(model=model.info.name, device=model.info.device, dtype=model.info.dtype)
    gflops = matmul_gflops()
    figures["matmul_gflops"] = gflops
    model.generate([Generate("Hello", max_tokens=2)])  # warm-up: first calls build kernels
    figures.update(_decode(model, sizes["decode"]))
    figures.update(_prefill(model, sizes["prefill"], gflops))
    figures.update(_scoring(model, sizes["score"]))
    figures.update(_prefix_cache(model, sizes["score"]))
    figures.update(_generate(model, sizes["generate"], sizes["gen_tokens"]))
    figures.update(_accuracy(model))
    figures["bench_seconds"] = time.perf_counter() - bench_started
    figures["load_average_end"] = os.getloadavg()[0]  # other work on the machine skews timings
    _print_table(figures)
    if json_path is not None:
        json_path.write_text(json.dumps(figures, indent=2) + "\n")
    return figures


def matmul_gflops(n: int = 2048, repeats: int = 5) -> float:
    """The fp32 matrix-multiply ceiling: best of `repeats` n x n products."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = min(_timed(lambda: a @ b)[1] for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def non_embedding_params(model: TransformersModel) -> int:
    """Parameters every prompt token multiplies: all but the input embedding and the output
    head (prefill keeps only the logits it needs, so the head is not per-token work)."""
    skip = {id(p) for m in (model.model.get_input_embeddings(),
                            model.model.get_output_embeddings()) if m is not None
            for p in m.parameters()}
    return sum(p.numel() for p in model.model.parameters() if id(p) not in skip)


def _timed(call: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def _story(i: int, max_tokens: int) -> Generate:
    name, topic = NAMES[i % len(NAMES)], TOPICS[i % len(TOPICS)]
    return Generate((Message("user", f"Write a long, detailed story about {name} and {topic}."),),
                    max_tokens=max_tokens)


def _decode(model: TransformersModel, tokens: int) -> dict[str, object]:
    """Tokens per second of the decode loop alone (prefill excluded) at three batch sizes."""
    rates: dict[int, float] = {}
    for batch in (1, 8, 25):
        model.reset_counters()
        model.generate([_story(i, tokens) for i in range(batch)])
        counters = model.reset_counters()
        rates[batch] = counters.decode_tokens / counters.decode_seconds
    return {**{f"decode_tokens_per_s_b{b}": r for b, r in rates.items()},
            "decode_batch_ratio": rates[25] / rates[1]}


def _long_prompt(i: int) -> str:
    """About 250 tokens of distinct text, different from its first word on."""
    words = [f"{NAMES[(i + k) % len(NAMES)]} thought about {TOPICS[(i * 3 + k) % len(TOPICS)]}"
             for k in range(36)]
    return f"Note {i}: " + "; ".join(words) + ". Summarise."


def _prefill(model: TransformersModel, prompts: int, gflops: float) -> dict[str, object]:
    """Prompt tokens per second in forward passes, and that as a share of the ceiling."""
    model.prefix_reuse = False  # raw throughput: every prompt token computed
    model.reset_counters()
    try:
        model.generate([Generate(_long_prompt(i), max_tokens=1) for i in range(prompts)])
    finally:
        model.prefix_reuse = True
    counters = model.reset_counters()
    rate = counters.computed_prompt_tokens / counters.forward_seconds
    return {"prefill_tokens_per_s": rate,
            "prefill_ceiling_share": 2 * non_embedding_params(model) * rate / (gflops * 1e9)}


def _rate_prompt(event: str) -> tuple[Message, ...]:
    shots = [m for event_shot, answer in RATE_SHOTS
             for m in (Message("user", f"Event: {event_shot}"), Message("assistant", answer))]
    return (RATE_SYSTEM, *shots, Message("user", f"Event: {event}"))


def _scoring(model: TransformersModel, count: int) -> dict[str, object]:
    """Ratings sharing a 120-token head: batched with head reuse, batched without, alone."""
    events = [*MUNDANE, *POIGNANT]
    requests = [Rate(_rate_prompt(f"{events[i % len(events)]} ({NAMES[i % len(NAMES)]})"))
                for i in range(count)]
    model.prefix_cache.clear()  # a head cached by an earlier section would flatter reuse
    model.reset_counters()
    reused, t_reused = _timed(lambda: model.rate(requests))
    counters = model.reset_counters()
    model.prefix_reuse = False
    try:
        plain, t_plain = _timed(lambda: model.rate(requests))
    finally:
        model.prefix_reuse = True
    model.prefix_cache.clear()
    alone, t_alone = _timed(lambda: [model.rate([r])[0] for r in requests])
    model.reset_counters()
    computed = counters.computed_prompt_tokens + counters.option_tokens + counters.padding_tokens
    return {
        "prefix_tokens_saved": counters.prefix_tokens_saved,
        "scoring_requests": count,
        "scoring_requests_per_s_batched": count / t_reused,
        "scoring_requests_per_s_no_reuse": count / t_plain,
        "scoring_requests_per_s_one_at_a_time": count / t_alone,
        "prefix_reuse_speedup": t_plain / t_reused,
        "choose_batch_ratio": t_alone / t_reused,
        "scoring_max_logprob_diff": max(
            abs(x - y) for other in (plain, alone) for a, b in zip(reused, other, strict=True)
            for x, y in zip(a.logprobs, b.logprobs, strict=True)),
        "scoring_modes_agree": ([r.value for r in reused] == [r.value for r in plain]
                                == [r.value for r in alone]),
        "padding_share": counters.padding_tokens / max(1, computed),
    }


def _prefix_cache(model: TransformersModel, count: int) -> dict[str, object]:
    """Ratings sharing a head, one request per batch as a quiet tick makes them: the first
    computes the head, the others find it in the prefix cache; against the same requests
    with the cache off."""
    events = [*POIGNANT, *MUNDANE]
    requests = [Rate(_rate_prompt(f"{events[i % len(events)]} ({NAMES[-1 - i % len(NAMES)]})"))
                for i in range(count)]
    model.prefix_cache.clear()
    model.reset_counters()
    cached, t_cached = _timed(lambda: [model.rate([r])[0] for r in requests])
    counters = model.reset_counters()
    model.prefix_reuse = False
    try:
        plain, t_plain = _timed(lambda: [model.rate([r])[0] for r in requests])
    finally:
        model.prefix_reuse = True
    model.reset_counters()
    return {
        "prefix_cache_prompt_tokens": counters.prompt_tokens,
        "prefix_cache_computed_prompt_tokens": counters.computed_prompt_tokens,
        "prefix_cache_hit_rate": 1 - counters.computed_prompt_tokens / counters.prompt_tokens,
        "prefix_cache_speedup": t_plain / t_cached,
        "prefix_cache_max_logprob_diff": max(
            abs(x - y) for a, b in zip(cached, plain, strict=True)
            for x, y in zip(a.logprobs, b.logprobs, strict=True)),
    }


def _generate(model: TransformersModel, count: int, tokens: int) -> dict[str, object]:
    """Whole generate requests, batched against one at a time (the prefix cache cleared
    before each, so that neither finds the other's prompts)."""
    requests = [Generate((Message("user", f"In one sentence, what does {NAMES[i]} do at "
                                          f"{7 + i % 12} o'clock?"),), max_tokens=tokens)
                for i in range(count)]
    model.prefix_cache.clear()
    batched, t_batched = _timed(lambda: model.generate(requests))
    model.prefix_cache.clear()
    alone, t_alone = _timed(lambda: [model.generate([r])[0] for r in requests])
    return {"generate_requests": count, "generate_batch_ratio": t_alone / t_batched,
            "generate_batched_equals_alone": batched == alone}


def _accuracy(model: TransformersModel) -> dict[str, object]:
    """Ratings of clearly mundane (correct if <= 4) and clearly poignant (>= 6) events, and
    obvious place choices in three prompt styles."""
    ratings = model.rate([Rate(_rate_prompt(e)) for e in (*MUNDANE, *POIGNANT)])
    values = [r.value for r in ratings]
    mundane, poignant = values[:len(MUNDANE)], values[len(MUNDANE):]
    correct = [v <= 4 for v in mundane] + [v >= 6 for v in poignant]
    figures: dict[str, object] = {"rating_accuracy": sum(correct) / len(correct),
                                  "ratings_mundane": mundane, "ratings_poignant": poignant}
    for key, style in (("choice_accuracy", "described"), ("choice_accuracy_bare", "bare"),
                       ("choice_accuracy_letters", "letters")):
        choices = model.choose([_choice(i, style) for i in range(len(CHOICES))])
        figures[key] = sum(c.index == answer for c, (_, answer) in zip(
            choices, CHOICES, strict=True)) / len(CHOICES)
    return figures


def _choice(i: int, style: str) -> Choose:
    """A place choice with the options listed: each with what it offers ("described"), by
    name alone ("bare"), or lettered and answered by letter ("letters")."""
    situation, _ = CHOICES[i]
    name = NAMES[i]
    if style == "letters":
        listing = "\n".join(f"{'ABCD'[k]}) {p}" for k, p in enumerate(PLACES))
        question = (f"{name} {situation}. Where should {name} go?\nOptions:\n{listing}\n"
                    "Answer with the letter only.")
        return Choose((CHOOSE_SYSTEM, Message("user", question)), tuple("ABCD"))
    listing = "\n".join(f"- {p}: {o}" if style == "described" else f"- {p}"
                        for p, o in zip(PLACES, OFFERS, strict=True))
    question = f"Places:\n{listing}\n\n{name} {situation}. Which place should {name} go to?"
    return Choose((CHOOSE_SYSTEM, Message("user", question)), PLACES)


def _print_table(figures: dict[str, object]) -> None:
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        shown = f"{value:.3g}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown}", file=sys.stdout)


def main(argv: Sequence[str] | None = None) -> int:
    """Run directly: `python -m sim.bench.model_bench [--quick] [JSON]`."""
    args = list(sys.argv[1:] if argv is None else argv)
    quick = "--quick" in args
    paths = [a for a in args if a != "--quick"]
    run_model_bench(quick=quick, json_path=Path(paths[0]) if paths else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
