"""The semantic side of a match set: FAISS range search and the threshold calibration."""

from __future__ import annotations

import numpy as np
import pytest

from engine.pipeline.matchset import calibrate_threshold
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
