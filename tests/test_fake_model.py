"""The fake model keeps the LanguageModel contract, deterministically and scriptably."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.requests import (
    Choose,
    ChooseResult,
    Embed,
    EmbedResult,
    Generate,
    GenerateResult,
    Message,
    Rate,
    RateResult,
)
from sim.models.fake import FakeModel, when_prompt_contains

CHAT = (Message("system", "You are Ada."), Message("user", "What will you do today?"))


def test_results_come_back_in_request_order(fake_model: FakeModel) -> None:
    prompts = [f"prompt {i}" for i in range(6)]
    batched = fake_model.generate([Generate(p) for p in prompts])
    one_by_one = [fake_model.generate([Generate(p)])[0] for p in prompts]
    assert batched == one_by_one
    assert len({r.text for r in batched}) == len(prompts)


def test_same_request_same_answer_and_the_seed_matters() -> None:
    a, b = FakeModel(), FakeModel()
    request = Generate(CHAT, max_tokens=30, seed=1)
    assert a.generate([request]) == b.generate([request])
    other_seed = Generate(CHAT, max_tokens=30, seed=2)
    assert a.generate([request])[0].text != a.generate([other_seed])[0].text


@given(max_tokens=st.integers(0, 40), seed=st.integers(0, 1000))
def test_generate_respects_max_tokens(max_tokens: int, seed: int) -> None:
    (result,) = FakeModel().generate([Generate("Hello", max_tokens=max_tokens, seed=seed)])
    assert len(result.text.split()) == result.completion_tokens == max_tokens
    assert result.prompt_tokens == 1


def test_generate_stops_before_a_stop_string() -> None:
    model = FakeModel()
    (full,) = model.generate([Generate("Tell me", max_tokens=40)])
    stop = full.text.split()[3]
    (cut,) = model.generate([Generate("Tell me", max_tokens=40, stop=(stop,))])
    assert stop not in cut.text
    assert full.text.startswith(cut.text)
    assert len(cut.text) < len(full.text)


def test_choose_and_rate_are_consistent_with_their_logprobs(fake_model: FakeModel) -> None:
    chooses = [Choose(f"Where does agent {i} go?", ("cafe", "park", "home")) for i in range(20)]
    for result in fake_model.choose(chooses):
        assert len(result.logprobs) == 3
        assert result.logprobs[result.index] == max(result.logprobs)
    rates = [Rate(f"How poignant is event {i}?", low=1, high=10) for i in range(20)]
    values = [r.value for r in fake_model.rate(rates)]
    assert all(1 <= v <= 10 for v in values)
    assert len(set(values)) > 1


def test_embeddings_are_unit_rows_and_shared_words_are_closer(fake_model: FakeModel) -> None:
    texts = ("Isabella plans a Valentine's Day party at the cafe",
             "a Valentine's Day party at Hobbs Cafe",
             "Tom repairs the old tractor in the barn")
    (result,) = fake_model.embed([Embed(texts)])
    vectors = result.vectors
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_a_mixed_batch_is_answered_in_request_order(fake_model: FakeModel) -> None:
    requests = [Rate("a"), Generate("b"), Embed(("c", "d")), Choose("e", ("x", "y")), Rate("f")]
    results = fake_model.answer(requests)
    types = [type(r) for r in results]
    assert types == [RateResult, GenerateResult, EmbedResult, ChooseResult, RateResult]
    assert results[0] == fake_model.rate([Rate("a")])[0]
    assert fake_model.batch_sizes["rate"] == [2, 1]
    assert fake_model.calls == {"rate": 3, "generate": 1, "embed": 1, "choose": 1}


def test_scripted_answers_override_the_hash() -> None:
    party = GenerateResult("I will go to the party at five.")
    model = FakeModel(respond=when_prompt_contains({"party": party, "stove": RateResult(9, ())}))
    results = model.answer([Generate("Will you come to the party?"), Generate("Hello"),
                            Rate("The stove is on fire"), Choose("party or not", ("y", "n"))])
    assert results[0] == party
    assert results[1] != party
    assert results[2] == RateResult(9, ())
    assert isinstance(results[3], ChooseResult)  # no choose answer was scripted


def test_a_script_answering_the_wrong_kind_is_an_error() -> None:
    model = FakeModel(respond=lambda request: GenerateResult("oops"))
    with pytest.raises(TypeError, match="rate request with a GenerateResult"):
        model.rate([Rate("how much?")])
