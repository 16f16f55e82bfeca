"""Picking the inference backend from settings, and its errors."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from engine.config import load_settings
from engine.errors import BackendUnavailable, ConfigError
from engine.inference.base import RankerModel
from engine.inference.factory import create_inference
from engine.inference.inprocess import InProcessInference
from engine.inference.triton import TritonInference
from engine.models.make_prior_ranker import make_prior
from engine.ports import free_port


@pytest.mark.parametrize("url", ["local", "inprocess"])
def test_missing_text_model_names_the_variable(tmp_path: Path, url: str) -> None:
    settings = load_settings(data_dir=tmp_path, triton_url=url, text_model=str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="AISLE_TEXT_MODEL"):
        create_inference(settings)
    assert not (tmp_path / "triton.pid").exists()


@pytest.mark.parametrize("url", ["local", "inprocess"])
def test_missing_clip_path_names_the_variable(tmp_path: Path, url: str) -> None:
    settings = load_settings(data_dir=tmp_path, triton_url=url, clip_model=str(tmp_path / "clip"))
    with pytest.raises(ConfigError, match="AISLE_CLIP_MODEL"):
        create_inference(settings)


def test_remote_url_connects_lazily_and_fails_fast_when_down(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, triton_url=f"127.0.0.1:{free_port()}", triton_timeout_s=2)
    backend = create_inference(settings)
    assert isinstance(backend, TritonInference) and backend.server is None
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match=r"^triton: "):
        backend.ranker().score(np.zeros((1, 18), dtype=np.float32))
    with pytest.raises(BackendUnavailable):
        backend.load_ranker_version(2)
    assert time.monotonic() - started < 2
    backend.close()


def test_inprocess_serves_the_pinned_or_newest_ranker(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, triton_url="inprocess", clip_model="")
    backend = create_inference(settings)
    assert isinstance(backend, InProcessInference)
    rows = np.random.default_rng(0).random((5, 18), dtype=np.float32)
    ranker = backend.ranker()
    assert isinstance(ranker, RankerModel)
    assert ranker.version() == 1
    np.testing.assert_allclose(ranker.score(rows), rows[:, 6], atol=1e-6)
    runtime = tmp_path / "model_repository" / "ranker"
    make_prior(runtime / "1")
    make_prior(runtime / "2", version=2)
    backend.load_ranker_version(2)
    assert ranker.version() == 2
    assert backend.clip_encoder() is None
    assert backend.ranker_dir() == runtime
