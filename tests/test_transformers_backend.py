"""The transformers backend: planning, packing, decoding and scoring.

Most tests run a tiny randomly initialised Qwen2 with a word-level tokenizer (built in a
temporary directory, instant); those marked `model` run the embedded default model.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
import torch

from agents.requests import Choose, Generate, Message, Rate
from sim.models.prefix import Piece, common_prefix_len, pack, plan_heads
from sim.models.transformers_backend import TransformersModel, device_and_dtype

WORDS = ["the", "a", "cat", "dog", "sat", "on", "mat", "red", "blue", "green", "yes", "no",
         "paris", "berlin", "tokyo", "house", "tree", "river", "walks", "sleeps", "eats",
         "reads", "town", "cafe", "park", "bakery", "school", "morning", "night"]
TEMPLATE = ("{% for m in messages %}<{{ m.role }}> {{ m.content }} <end> {% endfor %}"
            "{% if add_generation_prompt %}<assistant> {% endif %}")
SYSTEM = Message("system", " ".join(WORDS[i % len(WORDS)] for i in range(40)))


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer Qwen2 with random weights and a byte-level tokenizer (one token per byte,
    no merges) with a chat template. Byte-level because transformers loads any tokenizer of
    a Qwen2 directory as Qwen2's own byte-level BPE, which maps words of another vocabulary
    to a single token."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    special = ["<unk>", "<pad>", "<end>", "<system>", "<user>", "<assistant>"]
    symbols = sorted(set(bytes_to_unicode().values()))
    vocab = {t: i for i, t in enumerate([*special, *symbols])}
    backend = Tokenizer(models.BPE(vocab, [], unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>",
                                        pad_token="<pad>", eos_token="<end>")
    tokenizer.add_special_tokens({"additional_special_tokens": special[3:]})
    tokenizer.chat_template = TEMPLATE
    config = Qwen2Config(vocab_size=len(vocab), hidden_size=64, intermediate_size=128,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=1024, initializer_range=0.3,
                         eos_token_id=vocab["<end>"], pad_token_id=vocab["<pad>"],
                         tie_word_embeddings=False)
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config)
    path = tmp_path_factory.mktemp("tiny-model")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def tiny(tiny_dir: Path) -> TransformersModel:
    return TransformersModel(tiny_dir, device="cpu", row_capacity=64, batch_tokens=128)


def _user(text: str, shared: bool = True) -> tuple[Message, ...]:
    return (SYSTEM, Message("user", text)) if shared else (Message("user", text),)


# ---- planning and packing ------------------------------------------------------------------

def test_plan_heads_groups_shared_prefixes_and_leaves_each_member_a_token() -> None:
    head = list(range(100, 150))
    sequences = [[*head, 1, 2], [*head, 3], head, [7, 8, 9], [*head[:10], 5]]
    groups = plan_heads(sequences, min_saving=32)
    shared = [g for g in groups if g.head_len > 0]
    assert len(shared) == 1
    assert set(shared[0].members) == {0, 1, 2}
    assert shared[0].head_len == len(head) - 1  # member 2 keeps its last token
    assert groups[-1].head_len == 0 and set(groups[-1].members) == {3, 4}


def test_plan_heads_skips_heads_too_short_to_pay_for_their_forward_pass() -> None:
    groups = plan_heads([[1, 2, 3, 4], [1, 2, 3, 5]], min_saving=32)
    assert [(g.head_len, set(g.members)) for g in groups] == [(0, {0, 1})]


def test_pack_keeps_pieces_apart_and_options_from_seeing_each_other() -> None:
    pieces = [Piece((1, 2, 3), ((4, 5), (6,))), Piece((7, 8), ((9,),))]
    (batch,) = pack(pieces, head_len=5, row_capacity=16)
    assert batch.padding == 0 and batch.input_ids.shape == (1, 9)
    mask = batch.attention_mask[0, 0]
    assert mask[:, :5].all()  # every token sees the head
    first, second = batch.placements
    stem_a, branch_a0, branch_a1 = first.start, first.start + 3, first.start + 5
    assert mask[branch_a1, 5 + stem_a + 2]  # an option sees its whole stem (keys after head)
    assert not mask[branch_a1, 5 + branch_a0]  # ... but not a sibling option
    assert not mask[second.start, 5 + stem_a]  # pieces never see each other
    positions = batch.position_ids[0].tolist()
    assert positions[branch_a0:branch_a0 + 2] == [8, 9]  # head 5 + stem 3, then on
    assert positions[branch_a1] == 8
    assert len(first.branch_logits[0]) == 2 and first.branch_logits[0][0] == first.stem_logit


def test_pack_spills_to_new_rows_and_counts_padding() -> None:
    pieces = [Piece(tuple(range(10))), Piece(tuple(range(4))), Piece(tuple(range(7)))]
    batches = pack(pieces, head_len=0, row_capacity=12, batch_tokens=100)
    rows = sum(b.input_ids.shape[0] for b in batches)
    assert rows == 2
    assert sum(b.padding for b in batches) == 2 * 11 - 21  # rows of 10 and 7 + 4
    assert common_prefix_len([1, 2, 3], [1, 2, 4]) == 2


# ---- the backend on a tiny random model ----------------------------------------------------

def test_choose_scores_equal_separate_full_forward_passes(tiny: TransformersModel) -> None:
    requests = [Choose(_user("which town"), ("paris", "berlin tokyo", "no")),
                Choose(_user("the cat sat on the", shared=False), ("mat", "red house"))]
    results = tiny.choose(requests)
    for request, result in zip(requests, results, strict=True):
        prompt = tiny._render([request.prompt])[0]
        for option, score in zip(request.options, result.logprobs, strict=True):
            tokens = prompt + list(tiny._option_ids(option))
            with torch.inference_mode():
                logits = tiny.model(torch.tensor([tokens])).logits[0].float()
            logprobs = torch.log_softmax(logits, -1)
            expected = sum(float(logprobs[len(prompt) - 1 + k, t])
                           for k, t in enumerate(tokens[len(prompt):]))
            assert score == pytest.approx(expected, abs=1e-4)


def test_prefix_reuse_changes_nothing_but_the_work(tiny: TransformersModel) -> None:
    requests = [Rate(_user(f"how {w} is the day")) for w in ("red", "blue", "green", "yes")]
    tiny.reset_counters()
    reused = tiny.rate(requests)
    saved = tiny.reset_counters().prefix_tokens_saved
    tiny.prefix_reuse = False
    try:
        plain = tiny.rate(requests)
    finally:
        tiny.prefix_reuse = True
    assert saved > 0 and tiny.reset_counters().prefix_tokens_saved == 0
    for a, b in zip(reused, plain, strict=True):
        assert a.value == b.value
        assert a.logprobs == pytest.approx(b.logprobs, abs=1e-4)


def test_batched_greedy_equals_one_at_a_time(tiny: TransformersModel) -> None:
    requests = [Generate(_user("the cat"), max_tokens=8),
                Generate(_user("a dog walks to the park in the morning"), max_tokens=5),
                Generate(_user("night", shared=False), max_tokens=8),
                Generate("the red house by the river", max_tokens=6)]
    batched = tiny.generate(requests)
    alone = [tiny.generate([r])[0] for r in requests]
    assert batched == alone
    assert all(0 < r.completion_tokens <= q.max_tokens for r, q in zip(batched, requests,
                                                                           strict=True))


def test_zero_max_tokens_answers_empty_without_decoding(tiny: TransformersModel) -> None:
    empty, some = tiny.generate([Generate("the cat", max_tokens=0),
                                 Generate("the cat", max_tokens=2)])
    assert (empty.text, empty.completion_tokens) == ("", 0)
    assert empty.prompt_tokens == some.prompt_tokens > 0 and some.completion_tokens > 0


def test_sampling_is_seeded_per_request_whatever_the_batch(tiny: TransformersModel) -> None:
    request = Generate(_user("tell me about the town"), max_tokens=10, temperature=1.0, seed=7)
    other = Generate(_user("the bakery", shared=False), max_tokens=4, temperature=1.0, seed=1)
    alone = tiny.generate([request])[0]
    assert tiny.generate([other, request])[1] == alone
    reseeded = [tiny.generate([Generate(request.prompt, max_tokens=10, temperature=1.0,
                                        seed=s)])[0].text for s in range(8, 12)]
    assert any(text != alone.text for text in reseeded)


def test_stop_strings_cut_the_text_and_the_decoding(tiny: TransformersModel) -> None:
    prompt = _user("the school")
    full = tiny.generate([Generate(prompt, max_tokens=12)])[0]
    head = tiny.generate([Generate(prompt, max_tokens=3)])[0]  # greedy: a prefix of `full`
    assert full.completion_tokens > 3 and full.text.startswith(head.text)
    stop = head.text[-2:]
    cut = tiny.generate([Generate(prompt, max_tokens=12, stop=(stop,))])[0]
    assert cut.text == full.text[:full.text.find(stop)]
    assert cut.completion_tokens <= 3


def test_decoding_stops_after_the_sentences_asked_for(tiny: TransformersModel) -> None:
    prompt = _user("the school")
    four = r"[a-z]{2,4}\.(?:\n[a-z]{2,4}\.){3}"  # four sentences, a line each
    full = tiny.generate([Generate(prompt, max_tokens=30, pattern=four)])[0]
    two = tiny.generate([Generate(prompt, max_tokens=30, pattern=four, max_sentences=2)])[0]
    assert two.text == "\n".join(full.text.split("\n")[:2])
    # it stopped once the third sentence started: one letter of it, not the rest
    assert two.completion_tokens == len(two.text) + 2 < full.completion_tokens


CLOCK_LINES = r"[01][0-9]:[0-5][0-9]-[a-z]{3,8}(?:\n[01][0-9]:[0-5][0-9]-[a-z]{3,8}){1,2}"
"""Clock lines for the tiny model, whose chat template ends an answer with a space (so a
space is its end-of-answer token)."""


def test_a_pattern_keeps_every_answer_to_its_format(tiny: TransformersModel) -> None:
    prompt = _user("the plan for the morning")
    free = tiny.generate([Generate(prompt, max_tokens=40)])[0]
    assert not re.fullmatch(CLOCK_LINES, free.text)  # random weights write no clock lines
    held = tiny.generate([Generate(prompt, max_tokens=40, pattern=CLOCK_LINES),
                          Generate(prompt, max_tokens=40, pattern=CLOCK_LINES, temperature=1.0,
                                   seed=3),
                          Generate(prompt, max_tokens=40)])
    assert all(re.fullmatch(CLOCK_LINES, answer.text) for answer in held[:2])
    assert held[2] == free  # a free row beside constrained ones decodes as before


def test_a_complete_match_ends_the_answer_and_outranks_a_repeat_ban(tiny: TransformersModel
                                                                    ) -> None:
    (answer,) = tiny.generate([Generate(_user("the cafe"), max_tokens=30, pattern="(?:ab){4}",
                                        no_repeat_ngram=2)])
    assert answer.text == "abababab"  # only repeats were allowed: the ban gave way
    assert answer.completion_tokens == 8  # one byte a token, and nothing after the match


def test_avoided_words_are_never_written(tiny: TransformersModel) -> None:
    prompt = _user("the red house")
    free = tiny.generate([Generate(prompt, max_tokens=30)])[0]
    letter = next(c for c in free.text if c.isalpha())  # one byte: a one-token "word"
    held = tiny.generate([Generate(prompt, max_tokens=30, avoid_words=(letter.lower(),))])[0]
    assert letter.lower() not in held.text and letter.upper() not in held.text
    assert held.text != free.text


def test_device_and_dtype_pick_cuda_in_bfloat16_and_cpu_in_float32(tiny: TransformersModel
                                                                  ) -> None:
    cuda, cpu = torch.device("cuda"), torch.device("cpu")
    assert device_and_dtype("auto", None, cuda_available=True) == (cuda, torch.bfloat16)
    assert device_and_dtype("auto", None, cuda_available=False) == (cpu, torch.float32)
    assert device_and_dtype("cpu", None, cuda_available=True) == (cpu, torch.float32)
    assert device_and_dtype("cuda:1", torch.float16, True) == (torch.device("cuda:1"),
                                                              torch.float16)
    assert (tiny.info.device, tiny.info.dtype) == ("cpu", "float32")
    assert next(tiny.model.parameters()).dtype == torch.float32


# ---- the prefix cache across batches ------------------------------------------------------

@pytest.fixture
def fresh(tiny_dir: Path) -> TransformersModel:
    return TransformersModel(tiny_dir, device="cpu", row_capacity=64, batch_tokens=128)


def test_a_second_batch_sharing_a_head_runs_only_its_suffix(fresh: TransformersModel) -> None:
    first, second = Rate(_user("how red is the day")), Rate(_user("the dog sleeps in the park"))
    fresh.rate([first])
    a, b = fresh._render([first.prompt, second.prompt])
    fresh.reset_counters()
    result = fresh.rate([second])[0]
    counters = fresh.reset_counters()
    suffix = len(b) - common_prefix_len(a, b)
    assert suffix < len(b) // 2  # the shared system text is most of the prompt
    assert counters.computed_prompt_tokens == result.computed_prompt_tokens == suffix
    assert counters.prompt_tokens == result.prompt_tokens == len(b)


def test_the_prefix_cache_changes_answers_by_nothing(fresh: TransformersModel) -> None:
    scored = [Choose(_user(f"which {w} town"), ("paris", "berlin tokyo")) for w in WORDS[7:10]]
    texts = [Generate(_user(f"the {w} cat sat"), max_tokens=8) for w in WORDS[7:10]]
    fresh.prefix_reuse = False
    plain_scores, plain_texts = fresh.choose(scored), fresh.generate(texts)
    fresh.prefix_reuse = True
    fresh.choose(scored[:1])
    fresh.generate(texts[:1])  # heads and whole prompts are cached now
    fresh.reset_counters()
    cached_scores = [fresh.choose([r])[0] for r in scored]
    cached_texts = [fresh.generate([r])[0] for r in texts]
    assert fresh.reset_counters().cached_prompt_tokens > 0
    assert cached_texts == plain_texts
    for a, b in zip(cached_scores, plain_scores, strict=True):
        assert a.index == b.index and a.logprobs == pytest.approx(b.logprobs, abs=1e-4)


def test_the_prefix_cache_stays_within_its_budget(tiny_dir: Path) -> None:
    small = TransformersModel(tiny_dir, device="cpu", prefix_cache_bytes=200_000)
    small.rate([Rate(_user(f"how {w} is the day")) for w in WORDS[:12]])
    assert 0 < small.prefix_cache.nbytes <= 200_000
    unbounded = TransformersModel(tiny_dir, device="cpu")
    unbounded.rate([Rate(_user(f"how {w} is the day")) for w in WORDS[:12]])
    assert unbounded.prefix_cache.nbytes > 200_000


# ---- the embedded default model ------------------------------------------------------------

@pytest.fixture(scope="module")
def qwen() -> TransformersModel:
    from sim.models.embedded import prepare_embedded

    return TransformersModel(prepare_embedded(), device="cpu")


TOWN = Message("system", "You are the narrator of a quiet seaside town. Answer briefly.")


@pytest.mark.model
def test_real_batched_greedy_equals_one_at_a_time(qwen: TransformersModel) -> None:
    requests = [Generate((TOWN, Message("user", "Name one fruit.")), max_tokens=8),
                Generate((TOWN, Message("user", "Describe the harbour at dawn in one short "
                                                 "sentence, mentioning the boats.")), max_tokens=8),
                Generate("What is 3 + 4?", max_tokens=8, stop=("\n",))]
    batched = qwen.generate(requests)
    assert batched == [qwen.generate([r])[0] for r in requests]
    assert "7" in batched[2].text


@pytest.mark.model
def test_real_choose_picks_the_evident_answer(qwen: TransformersModel) -> None:
    prompt = (Message("user", "What is the capital of France? Answer with the city name."),)
    result = qwen.choose([Choose(prompt, ("Berlin", "Paris", "Tokyo"))])[0]
    assert result.index == 1
    assert result.logprobs[1] > max(result.logprobs[0], result.logprobs[2]) + 2


@pytest.mark.model
def test_real_rate_scores_whole_numbers_including_ten(qwen: TransformersModel) -> None:
    def ask(question: str) -> Rate:
        return Rate((TOWN, Message("user", f"{question} Answer with the number only.")))

    results = qwen.rate([ask("What is 7 + 3?"), ask("What is 1 + 1?"), ask("What is 2 + 3?")])
    assert [r.value for r in results] == [10, 2, 5]
    assert all(len(r.logprobs) == 10 for r in results)


@pytest.mark.model
def test_real_prefix_reuse_scores_match(qwen: TransformersModel) -> None:
    events = ("brushing my teeth", "my best friend moved away", "buying bread")
    requests = [Rate((TOWN, Message("user", f"How poignant is this, 1 to 10: {e}?")))
                for e in events]
    reused = qwen.rate(requests)
    qwen.prefix_reuse = False
    try:
        plain = qwen.rate(requests)
    finally:
        qwen.prefix_reuse = True
    for a, b in zip(reused, plain, strict=True):
        assert a.value == b.value
        assert a.logprobs == pytest.approx(b.logprobs, abs=2e-3)


@pytest.mark.model
def test_real_prefix_cache_is_exact(qwen: TransformersModel) -> None:
    fruit = Generate((TOWN, Message("user", "Name one fruit.")), max_tokens=6)
    rating = Rate((TOWN, Message("user", "How poignant is a lost cat, 1 to 10?")))
    qwen.prefix_reuse = False
    try:
        plain_text, plain_rating = qwen.generate([fruit])[0], qwen.rate([rating])[0]
    finally:
        qwen.prefix_reuse = True
    qwen.generate([fruit])  # caches the prompt: the second call runs only its last token
    qwen.reset_counters()
    cached_text, cached_rating = qwen.generate([fruit])[0], qwen.rate([rating])[0]
    assert qwen.reset_counters().cached_prompt_tokens > 0
    assert cached_text == plain_text and cached_text.computed_prompt_tokens == 1
    assert cached_rating.value == plain_rating.value
    assert cached_rating.logprobs == pytest.approx(plain_rating.logprobs, abs=1e-4)



@pytest.mark.model
def test_real_no_repeat_ngram_keeps_every_ngram_of_the_answer_unique(qwen: TransformersModel
                                                                     ) -> None:
    prompt = (Message("user", "Write the word hello ten times, one per line."),)
    free, held = qwen.generate([Generate(prompt, max_tokens=24),
                                Generate(prompt, max_tokens=24, no_repeat_ngram=2)])

    def bigrams(text: str) -> list[tuple[int, int]]:
        ids = qwen.tokenizer.encode(text, add_special_tokens=False)
        return list(pairwise(ids))

    assert len(set(bigrams(free.text))) < len(bigrams(free.text))  # "hello\nhello\n..."
    assert len(set(bigrams(held.text))) == len(bigrams(held.text)) > 0


@pytest.mark.model
def test_real_day_plan_keeps_its_format_and_the_residents_own_words(qwen: TransformersModel
                                                                   ) -> None:
    from agents.prompts.day_plan import day_plan_request

    request = day_plan_request(
        agent="Tomas Reyes", persona="Tomas Reyes is a 41-year-old ferry captain who runs the "
        "morning crossing to Sand Island.\nLifestyle: goes to bed at 22:00, wakes at 05:30",
        date="Monday May 8", wake_minute=330, bed_minute=1320,
        workplace="Sand Island ferry (wheelhouse)", places=("harbour office", "Blue Anchor pub"))
    (answer,) = qwen.generate([request])
    assert re.fullmatch(request.pattern, answer.text.rstrip("\n") + "\n")
    written = {word.lower().strip(",.'") for word in answer.text.split()}
    assert not written & set(request.avoid_words)
