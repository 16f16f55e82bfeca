"""Index type choice, device resolution and store creation from settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import load_settings
from engine.errors import ConfigError
from engine.vectors.factory import FLAT_MAX, HNSW_MAX, choose_index_type, create_vector_store, resolve_gpu
from engine.vectors.faiss_indexes import import_faiss, ivfpq_shape, ivfpq_training_size


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "flat"), (FLAT_MAX - 1, "flat"), (FLAT_MAX, "hnsw"), (HNSW_MAX, "hnsw"), (HNSW_MAX + 1, "ivfpq")],
)
def test_auto_thresholds(n: int, expected: str) -> None:
    assert (FLAT_MAX, HNSW_MAX) == (50_000, 5_000_000)
    assert choose_index_type(n, "auto") == expected


def test_an_explicit_setting_wins_and_a_bad_one_names_the_variable() -> None:
    assert choose_index_type(10, "ivfpq") == "ivfpq"
    assert choose_index_type(10_000_000, "flat") == "flat"
    with pytest.raises(ConfigError, match="AISLE_VECTOR_INDEX"):
        choose_index_type(10, "annoy")


def test_create_vector_store_follows_settings(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, vector_index="auto", vector_device="cpu")
    store = create_vector_store(settings, "image", 16, expected_count=60_000)
    assert (store.index_type, store.space, store.dim, store.use_gpu) == ("hnsw", "image", 16, False)
    assert store.params.expected_count == 60_000
    pinned = create_vector_store(load_settings(data_dir=tmp_path, vector_index="ivfpq"), "text", 16, 10)
    assert pinned.index_type == "ivfpq"


def test_gpu_demanded_without_a_gpu_is_a_config_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(import_faiss(), "get_num_gpus", lambda: 0)
    settings = load_settings(data_dir=tmp_path, vector_device="gpu")
    with pytest.raises(ConfigError, match="AISLE_VECTOR_DEVICE"):
        create_vector_store(settings, "text", 8, 100)
    assert resolve_gpu("auto") is False


def test_gpu_is_used_for_flat_and_ivf_only_when_present(monkeypatch) -> None:
    monkeypatch.setattr(import_faiss(), "get_num_gpus", lambda: 1)
    assert resolve_gpu("auto", "flat") and resolve_gpu("gpu", "ivfpq")
    assert not resolve_gpu("auto", "hnsw")
    assert not resolve_gpu("cpu", "flat")


@pytest.mark.parametrize(
    ("n", "dim", "nlist", "m"),
    [
        (0, 384, 1, 48),
        (10_000, 384, 256, 48),
        (1_000_000, 512, 2048, 64),
        (50_000_000, 384, 16384, 48),
        (100_000, 100, 1024, 10),
    ],
)
def test_ivfpq_shape(n: int, dim: int, nlist: int, m: int) -> None:
    assert ivfpq_shape(n, dim) == (nlist, m)
    assert ivfpq_training_size(n, dim) >= 39 * nlist
