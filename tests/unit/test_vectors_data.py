"""Shared data for the vector store tests (no tests here): clustered unit vectors."""

from __future__ import annotations

import numpy as np

DIM = 32
IVFPQ_COUNT = 10_500  # just above the IVF-PQ training threshold for this size (39 * 256)


def clustered(n: int, dim: int = DIM, seed: int = 0, clusters: int = 25) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim))
    vectors = centres[np.arange(n) % clusters] + 0.35 * rng.standard_normal((n, dim))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


def ids_for(n: int, start: int = 0) -> list[str]:
    return [f"p{i:06d}" for i in range(start, start + n)]


def exact_top(vectors: np.ndarray, ids: list[str], query: np.ndarray, k: int, allowed=None) -> list[str]:
    scores = vectors @ query
    order = np.argsort(-scores, kind="stable")
    ranked = [ids[i] for i in order if allowed is None or ids[i] in allowed]
    return ranked[:k]
