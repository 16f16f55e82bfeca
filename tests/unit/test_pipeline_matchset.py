"""The semantic side of a match set: FAISS range search and the threshold calibration."""

from __future__ import annotations

import numpy as np
import pytest

from engine.lexical.embedded import EmbeddedLexical
from engine.pipeline.matchset import MatchSetStage
from engine.vectors.calibration import calibrate_store, calibrate_threshold
from engine.vectors.faiss_store import FaissVectorStore


def unit_rows(n: int, dim: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.mark.parametrize("index_type", ["flat", "hnsw"])
def test_range_search_returns_every_vector_above_the_threshold(index_type: str) -> None:
    vectors = unit_rows(500, 16, seed=1)
    store = FaissVectorStore(16, index_type)
    ids = [f"p{i}" for i in range(500)]
    store.add(ids, vectors)
    query = vectors[7]
    expected = {ids[i] for i in np.flatnonzero(vectors @ query >= 0.5)}
    assert {h.product_id for h in store.within(query, 0.5)} == expected and "p7" in expected
    store.remove(["p7"])  # writes drop the cached matrix
    assert {h.product_id for h in store.within(query, 0.5)} == expected - {"p7"}
    store.add(["new"], query.reshape(1, -1))
    assert "new" in {h.product_id for h in store.within(query, 0.99)}


def test_calibration_is_a_quantile_of_random_pair_similarity() -> None:
    vectors = unit_rows(3000, 32, seed=2)
    low, high = calibrate_threshold(vectors, 0.99), calibrate_threshold(vectors, 0.999)
    assert low < high < 1.0
    assert calibrate_threshold(vectors, 0.99) == low  # deterministic for a catalog
    sample = vectors[:2000] @ vectors[:2000].T
    share_above = np.mean(sample[np.triu_indices(2000, k=1)] >= low)
    assert 0.005 < share_above < 0.02
    assert calibrate_threshold(vectors[:1]) == 1.0  # one product: nothing is "near" by chance


def test_the_threshold_comes_from_the_setting_then_the_manifest_then_the_store(tmp_path) -> None:
    store = FaissVectorStore(32, "flat")
    store.add([f"p{i}" for i in range(300)], unit_rows(300, 32, seed=3))
    lexical = EmbeddedLexical(tmp_path)
    manifest: list[float | None] = [None]
    stage = MatchSetStage(lexical, lambda: store, None, lambda: manifest[0])
    assert stage.threshold() == calibrate_store(store)  # an index built before manifests carried one
    manifest[0] = 0.42
    assert stage.threshold() == 0.42
    assert MatchSetStage(lexical, lambda: store, 0.6, lambda: 0.42).threshold() == 0.6
    assert MatchSetStage(lexical, lambda: None).threshold() is None
