"""CLIP loading and encoding with a tiny random CLIP (no download), and model-source resolution."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest

from engine.errors import ConfigError, InvalidInput
from engine.models.clip import ClipModel, find_clip_model, resolve_clip_model
from engine.models.sources import fingerprint, resolve_model_dir


def _jpeg(color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


def test_both_towers_give_unit_vectors_of_one_dimension(tiny_clip_dir: Path) -> None:
    model = ClipModel(tiny_clip_dir)
    images = model.encode_images([_jpeg((255, 0, 0)), _jpeg((0, 0, 255))])
    texts = model.encode_texts(["red", "a much longer description " * 20])
    assert images.shape == texts.shape == (2, model.dim)
    assert images.dtype == texts.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(np.vstack([images, texts]), axis=1), 1.0, atol=1e-5)
    assert not np.allclose(images[0], images[1])
    assert model.encode_texts([]).shape == (0, model.dim)


def test_undecodable_image_is_invalid_input(tiny_clip_dir: Path) -> None:
    with pytest.raises(InvalidInput, match="not a decodable image"):
        ClipModel(tiny_clip_dir).encode_images([b"GIF89a broken"])


def test_sentence_transformers_layout_is_found(tiny_clip_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(tiny_clip_dir, tmp_path / "st-clip" / "0_CLIPModel")
    model_dir, identity = resolve_clip_model(str(tmp_path / "st-clip"))
    assert model_dir == tmp_path / "st-clip" / "0_CLIPModel"
    assert identity.name == "st-clip" and identity.version == fingerprint(tiny_clip_dir)


def test_missing_explicit_path_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="AISLE_CLIP_MODEL"):
        resolve_clip_model(str(tmp_path / "nope"))
    with pytest.raises(ConfigError, match="AISLE_CLIP_MODEL"):
        find_clip_model(str(tmp_path / "nope"))


def test_uncached_hub_name_disables_clip_instead_of_failing() -> None:
    assert find_clip_model("aisle-tests/no-such-clip") is None
    assert find_clip_model("  ") is None
    with pytest.raises(ConfigError, match="neither a local directory"):
        resolve_model_dir("aisle-tests/no-such-model", "AISLE_TEXT_MODEL")


def test_fingerprint_changes_with_the_weights(tiny_clip_dir: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(tiny_clip_dir, tmp_path / "copy")
    assert fingerprint(copy) == fingerprint(tiny_clip_dir)
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert fingerprint(copy) != fingerprint(tiny_clip_dir)
