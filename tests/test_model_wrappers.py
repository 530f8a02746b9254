"""The wrappers: caching, recording into the run, replaying from it, and retrying."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import pytest
from sqlalchemy import Engine, select

from agents.requests import (
    Choose,
    ChooseResult,
    Embed,
    EmbedResult,
    Generate,
    GenerateResult,
    Message,
    ModelRequest,
    Rate,
    RateResult,
    request_from_json,
)
from sim.config import load_scenario
from sim.db import session_factory
from sim.interview import recorded_model
from sim.models.base import LanguageModel, ModelError, ModelInfo
from sim.models.cache import CachingModel
from sim.models.factory import load_model
from sim.models.fake import FakeModel
from sim.models.recording import RecordingModel, result_from_json, result_to_json
from sim.models.replay import ReplayModel
from sim.models.retry import RetryingModel, TransientModelError
from sim.models.routing import RoutedModel
from sim.runfile import StoredRun
from sim.tables import ModelCall

MIXED: list[ModelRequest] = [
    Generate((Message("system", "You are Ada."), Message("user", "Plan your day.")), seed=4,
             tag="plan"),
    Choose("Where next?", ("cafe", "park"), tag="decide"),
    Rate("How poignant is a fire?", tag="poignancy"),
    Embed(("a fire at the stove", "breakfast"), tag="memory"),
    Generate("Say hi", max_tokens=5, stop=("!",), tag="converse"),
]


class FlakyModel(LanguageModel):
    """Fails with a transient error for its first `failures` calls, then answers as the fake."""

    def __init__(self, failures: int, error: type[ModelError] = TransientModelError) -> None:
        self.info = ModelInfo(name="flaky", backend="test", source="http://127.0.0.1:9/v1")
        self.failures = failures
        self.error = error
        self.attempts = 0
        self.fake = FakeModel()

    def _maybe_fail(self) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise self.error(f"connection refused (attempt {self.attempts})")

    def generate(self, requests: Sequence[Generate]) -> list[GenerateResult]:
        self._maybe_fail()
        return self.fake.generate(requests)

    def choose(self, requests: Sequence[Choose]) -> list[ChooseResult]:
        self._maybe_fail()
        return self.fake.choose(requests)

    def rate(self, requests: Sequence[Rate]) -> list[RateResult]:
        self._maybe_fail()
        return self.fake.rate(requests)

    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        self._maybe_fail()
        return self.fake.embed(requests)


# --- caching -------------------------------------------------------------------------------


def test_cache_answers_repeats_within_a_batch_once(fake_model: FakeModel) -> None:
    cache = CachingModel(fake_model)
    a, b = Rate("fire?"), Rate("breakfast?")
    results = cache.rate([a, b, a, a])
    assert results == fake_model.rate([a, b, a, a])
    assert fake_model.batch_sizes["rate"][0] == 2  # the inner model saw each request once
    assert (cache.hits, cache.misses) == (2, 2)


def test_cache_answers_across_batches_and_evicts_the_least_recent(fake_model: FakeModel) -> None:
    cache = CachingModel(fake_model, max_entries=2)
    a, b, c = Generate("a"), Generate("b"), Generate("c")
    cache.generate([a, b])
    cache.generate([a])  # a is now the most recent
    cache.generate([c])  # evicts b
    assert fake_model.calls["generate"] == 3
    cache.generate([a, c])
    assert fake_model.calls["generate"] == 3
    cache.generate([b])
    assert fake_model.calls["generate"] == 4
    assert len(cache) == 2


def test_cache_keeps_kinds_apart_in_a_mixed_batch(fake_model: FakeModel) -> None:
    cache = CachingModel(fake_model)
    first = cache.answer(MIXED + MIXED)
    again = cache.answer(MIXED)
    assert first[: len(MIXED)] == first[len(MIXED):] == again
    assert cache.misses == len(MIXED)


# --- recording and replay ------------------------------------------------------------------


def test_requests_round_trip_through_json_and_stay_hashable() -> None:
    """The call log rebuilds requests (bench run's baseline answers them again): every
    field comes back, sequences as tuples, so a rebuilt request hashes like the first."""
    constrained = Generate((Message("user", "Plan your day."),), stop=("\n\n",),
                           pattern="[a-z]+", avoid_words=("honey", "hives"),
                           no_repeat_ngram=8, stop_at_loop=True, max_sentences=2)
    for request in (*MIXED, constrained):
        again = request_from_json(json.loads(json.dumps(request.to_json())))
        assert again == request and hash(again) == hash(request)
        assert again.fingerprint() == request.fingerprint()


def test_results_round_trip_through_json() -> None:
    results = FakeModel().answer(MIXED)
    for request, result in zip(MIXED, results, strict=True):
        encoded = json.loads(json.dumps(result_to_json(result)))
        assert result_from_json(request.kind, encoded) == result
    logprobs = ChooseResult(1, (-math.inf, 0.0))
    assert result_from_json("choose", json.loads(json.dumps(result_to_json(logprobs)))) == logprobs
    for kind, unread in (("choose", ChooseResult(0, (-0.7, -0.7), matched=False)),
                         ("rate", RateResult(1, (-0.7, -0.7), matched=False))):
        assert result_from_json(kind, json.loads(json.dumps(result_to_json(unread)))) == unread
    vectors = np.eye(2, 3, dtype=np.float32)
    assert result_from_json("embed", {"vectors": vectors.tolist()}) == EmbedResult(vectors)


def test_record_flush_replay_reproduces_the_answers(run_engine: Engine) -> None:
    recorder = RecordingModel(FakeModel())
    sessions = session_factory(run_engine)
    answers = []
    for tick in range(3):
        answers.append(recorder.answer(MIXED[tick:]))
        with sessions.begin() as session:
            assert recorder.flush(session, tick) == len(MIXED[tick:])
    assert recorder.pending == []
    with sessions() as session:
        rows = session.scalars(select(ModelCall).order_by(ModelCall.id)).all()
        replay = ReplayModel.from_session(session)
    assert [row.tick for row in rows] == [0] * 5 + [1] * 4 + [2] * 3
    assert {row.tag for row in rows} == {r.tag for r in MIXED}
    assert all(row.backend == "fake" for row in rows)
    assert [replay.answer(MIXED[tick:]) for tick in range(3)] == answers
    assert replay.remaining == 0


def test_recording_keeps_stats_and_batch_ids(run_engine: Engine) -> None:
    ticks = iter([10.0, 10.5, 20.0, 22.0])
    recorder = RecordingModel(FakeModel(), clock=lambda: next(ticks))
    recorder.generate([Generate("a", max_tokens=4), Generate("b c", max_tokens=4)])
    recorder.rate([Rate("d")])
    stats = recorder.stats
    assert stats.calls == {"generate": 2, "rate": 1}
    assert stats.batch_sizes == {"generate": [2], "rate": [1]}
    assert (stats.prompt_tokens, stats.completion_tokens) == (1 + 2 + 1, 8)
    assert stats.model_seconds == pytest.approx(2.5)
    assert stats.mean_batch_size() == 1.5
    assert [(r.batch_id, r.latency_s) for r in recorder.pending] == [(1, 0.25), (1, 0.25), (2, 2.0)]


def test_recording_over_a_cache_logs_every_request_and_marks_the_cached() -> None:
    """What was asked is logged whether or not the cache was warm; the model's figures are not."""
    cache = CachingModel(FakeModel())
    recorder = RecordingModel(cache, cached=cache.__contains__)
    a, b = Generate("a", max_tokens=4), Generate("b c", max_tokens=4)
    recorder.generate([a, a, b])
    recorder.generate([b])
    assert [(r.request, r.batch_id, r.cached) for r in recorder.pending] == [
        (a, 1, False), (a, 1, True), (b, 1, False), (b, 2, True)]
    assert [r.latency_s for r in recorder.pending if r.cached] == [0.0, 0.0]
    stats = recorder.stats
    assert stats.requests == 4
    assert stats.calls == {"generate": 2}
    assert stats.batch_sizes == {"generate": [2]}
    assert stats.prompt_tokens == 1 + 2


def test_replay_repeats_come_back_in_logged_order() -> None:
    request = Generate("Again?", temperature=0.7)
    rows = [ModelCall(tick=0, batch_id=1, kind="generate", fingerprint=request.fingerprint(),
                      request="{}", answer=json.dumps(result_to_json(GenerateResult(text))))
            for text in ("first", "second")]
    replay = ReplayModel(rows)
    assert [r.text for r in replay.generate([request, request])] == ["first", "second"]
    with pytest.raises(ModelError, match=r"logged 2 time.*all were used"):
        replay.generate([request])


def test_replay_miss_names_the_request() -> None:
    replay = ReplayModel([])
    request = Choose("Unheard of?", ("yes", "no"), tag="decide")
    short = request.fingerprint()[:16]
    expected = rf"choose request tag='decide' fingerprint={short}.*never logged"
    with pytest.raises(ModelError, match=expected):
        replay.choose([request])


# --- retrying ------------------------------------------------------------------------------


def test_retry_gives_up_after_the_bounded_tries_with_a_clear_message() -> None:
    flaky = FlakyModel(failures=100)
    slept: list[float] = []
    model = RetryingModel(flaky, tries=4, base_delay_s=0.5, sleep=slept.append)
    with pytest.raises(ModelError, match=r"endpoint http://127\.0\.0\.1:9/v1 unreachable after "
                                         r"4 tries: connection refused \(attempt 4\)"):
        model.generate([Generate("hi")])
    assert flaky.attempts == 4
    assert slept == [0.5, 1.0, 2.0]


def test_retry_succeeds_once_the_failure_passes() -> None:
    flaky = FlakyModel(failures=2)
    model = RetryingModel(flaky, tries=4, sleep=lambda seconds: None)
    assert model.rate([Rate("x")]) == FakeModel().rate([Rate("x")])
    assert (flaky.attempts, model.retries) == (3, 2)


def test_retry_does_not_repeat_a_permanent_error() -> None:
    flaky = FlakyModel(failures=1, error=ModelError)
    model = RetryingModel(flaky, tries=4, sleep=lambda seconds: None)
    with pytest.raises(ModelError, match="attempt 1"):
        model.embed([Embed(("x",))])
    assert flaky.attempts == 1


def test_backoff_is_capped() -> None:
    model = RetryingModel(FakeModel(), tries=10, base_delay_s=1.0, max_delay_s=5.0)
    assert [model.delay_before(n) for n in range(1, 7)] == [0.0, 1.0, 2.0, 4.0, 5.0, 5.0]


# --- the factory ---------------------------------------------------------------------------


def test_factory_gives_the_fake_only_by_name_behind_a_cache() -> None:
    model = load_model("fake")
    assert isinstance(model, CachingModel) and isinstance(model.inner, FakeModel)
    assert isinstance(load_model("fake", cache=False), FakeModel)


def test_factory_wraps_an_endpoint_in_retries() -> None:
    model = load_model("default", endpoint="http://127.0.0.1:9/", endpoint_model="qwen")
    assert isinstance(model, CachingModel) and isinstance(model.inner, RetryingModel)
    assert (model.info.backend, model.info.name) == ("openai-http", "qwen")
    assert model.info.source == "http://127.0.0.1:9/v1"
    model.close()


@pytest.mark.parametrize("spec", ["not a model!", "generative-town-tests/no-such-model"])
def test_factory_refuses_what_it_cannot_load(spec: str) -> None:
    with pytest.raises(ModelError, match=rf"could not load '{spec}': not a directory and not in "
                                         "the local hub cache"):
        load_model(spec)


@pytest.mark.model
def test_factory_loads_the_embedded_default_model() -> None:
    from sim.models.embedded import prepare_embedded
    from sim.models.transformers_backend import TransformersModel

    model = load_model("default", device="cpu")
    assert isinstance(model, CachingModel) and isinstance(model.inner, TransformersModel)
    assert model.info.source == str(prepare_embedded(progress=False))
    (rated,) = model.rate([Rate("How poignant is a house fire, from 1 to 10?")])
    assert 1 <= rated.value <= 10
    model.close()


def test_a_routed_model_sends_the_routed_tags_to_the_larger_model() -> None:
    small = FakeModel(respond=lambda r: GenerateResult("small") if r.kind == "generate" else None)
    large = FakeModel(respond=lambda r: GenerateResult("large") if r.kind == "generate" else None)
    routed = RoutedModel(small, large)
    requests = [Generate("plan", tag="day_plan"), Generate("state", tag="object_state"),
                Generate("say", tag="utterance"), Generate("more", tag="decompose")]
    assert [a.text for a in routed.generate(requests)] == ["large", "small", "large", "small"]
    assert small.batch_sizes["generate"] == [2] and large.batch_sizes["generate"] == [2]
    routed.rate([Rate("a fire", tag="importance")])
    routed.embed([Embed(("a fire",), tag="")])
    assert "rate" not in large.calls and "embed" not in large.calls
    assert small.calls["rate"] == 1 and small.calls["embed"] == 1
    assert "day_plan" in routed.info.name and "utterance" in routed.info.name


def test_a_routed_run_is_resumed_and_interviewed_with_both_models() -> None:
    info = RoutedModel(FakeModel(), FakeModel()).info
    stored = StoredRun(location="run.sqlite", scenario=load_scenario("tiny"), seed=0,
                       model_info={"name": info.name, "backend": info.backend,
                                   "source": info.source}, last_tick=10, status="stopped")
    assert recorded_model(stored) == ("routed", None, None)
