"""Turning `--model SPEC` / `--endpoint URL` into a ready LanguageModel.

`default` and `quality` are the embedded models shipped as Python packages, and `routed`
is both, the rare requests that shape a day on `quality` (`sim.models.routing`); a directory or
a hub id is any transformers causal LM; `fake` is the deterministic test model, used only
when asked for by name: a model that cannot be loaded is an error, never a silent fake.
The backends that need torch are imported only when chosen.
"""

from __future__ import annotations

from pathlib import Path

from sim.models.base import LanguageModel, ModelError
from sim.models.cache import CachingModel
from sim.models.fake import FakeModel
from sim.models.http import OpenAICompatibleModel
from sim.models.retry import RetryingModel

EMBEDDED = ("default", "quality")
ROUTED = "routed"
# What a causal LM needs from a hub repo: configs, safetensors weights, tokenizer files.
HUB_FILES = ["*.json", "*.safetensors", "*.model", "*.txt", "*.jinja", "*.tiktoken"]


def load_model(spec: str = "default", endpoint: str | None = None,
               endpoint_model: str | None = None, device: str = "auto",
               cache: bool = True) -> LanguageModel:
    """The model `spec` names (or the server at `endpoint`), behind a cache unless `cache=False`."""
    model = _load(spec, endpoint, endpoint_model, device)
    return CachingModel(model) if cache else model


def _load(spec: str, endpoint: str | None, endpoint_model: str | None,
          device: str) -> LanguageModel:
    if endpoint is not None:
        return RetryingModel(OpenAICompatibleModel(endpoint, endpoint_model))
    if spec == "fake":
        return FakeModel()
    if spec in EMBEDDED:
        from sim.models.embedded import prepare_embedded
        return _transformers(prepare_embedded(spec), device)
    if spec == ROUTED:
        from sim.models.embedded import prepare_embedded
        from sim.models.routing import RoutedModel
        larger = prepare_embedded("quality")  # not installed: ModelError before any loading
        return RoutedModel(_transformers(prepare_embedded("default"), device),
                           _transformers(larger, device))
    if Path(spec).is_dir():
        return _transformers(Path(spec), device)
    return _transformers(_hub_snapshot(spec), device)


def _transformers(model_dir: Path, device: str) -> LanguageModel:
    from sim.models.transformers_backend import TransformersModel
    return TransformersModel(model_dir, device=device)


def _hub_snapshot(repo_id: str) -> Path:
    """The local directory of a hub model: from the cache, or downloaded when there is a network."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError

    try:
        return Path(snapshot_download(repo_id, allow_patterns=HUB_FILES))
    except (OSError, ValueError, HfHubHTTPError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelError(
            f"could not load {repo_id!r}: not a directory and not in the local hub cache "
            f"(and it could not be downloaded: {reason}); use --model default, a model "
            "directory, or --endpoint URL") from exc
