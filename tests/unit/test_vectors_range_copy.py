"""A store's range-search copy kept across writes answers as a copy made after them would."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine.vectors import range_copy
from engine.vectors.faiss_indexes import import_faiss
from engine.vectors.faiss_store import FaissVectorStore
from engine.vectors.range_scan import MIN_ROWS

faiss = import_faiss()


def unit_rows(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((30, dim))
    rows = (centres[rng.integers(0, 30, n)] + rng.standard_normal((n, dim))).astype(np.float32)
    faiss.normalize_L2(rows)
    return rows


def quantised(store: FaissVectorStore) -> FaissVectorStore:
    store.within_scores(np.ones(store.dim, dtype=np.float32), 0.9)  # makes the copy
    deadline = time.monotonic() + 60
    while not store._matrix.scanner.quantised and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.02)
    assert store._matrix.scanner.quantised  # type: ignore[union-attr]
    return store


def fresh(contents: dict[str, np.ndarray], dim: int) -> FaissVectorStore:
    store = FaissVectorStore(dim, "flat")
    store.add(list(contents), np.stack(list(contents.values())))
    return quantised(store)


def test_writes_kept_beside_the_copy_answer_as_a_new_copy() -> None:
    dim, n = 96, MIN_ROWS + 300
    rows = unit_rows(n, dim, seed=1)
    ids = [f"p{i}" for i in range(n)]
    store = FaissVectorStore(dim, "hnsw")
    store.add(ids, rows)
    quantised(store)
    copy = store._matrix
    contents = dict(zip(ids, rows, strict=True))
    rng = np.random.default_rng(2)
    new = unit_rows(60, dim, seed=3)
    store.add([f"n{i}" for i in range(40)], new[:40])  # added
    contents.update({f"n{i}": new[i] for i in range(40)})
    store.add(["p5", "p6", "n3"], new[40:43])  # replaced: a row of the copy, and an added one
    contents.update({"p5": new[40], "p6": new[41], "n3": new[42]})
    gone = ["p7", "p8", "n4", "n5"]
    store.remove(gone)  # removed: rows of the copy and added ones
    for pid in gone:
        del contents[pid]
    assert store._matrix is copy  # nothing was copied again
    reference = fresh(contents, dim)
    queries = np.concatenate([new[:10], rows[rng.integers(0, n, 10)]])
    for q in queries:
        for threshold in (0.3, 0.6):
            got, want = store.within_scores(q, threshold), reference.within_scores(q, threshold)
            assert dict(zip(*[a.tolist() for a in got], strict=True)) == dict(
                zip(*[a.tolist() for a in want], strict=True)
            )
            found, wanted = (
                store.nearest_and_within(q, 25, threshold),
                reference.nearest_and_within(q, 25, threshold),
            )
            assert found is not None and wanted is not None
            assert [(h.product_id, h.score) for h in found[0]] == [(h.product_id, h.score) for h in wanted[0]]
    assert {"p7", "p8", "n4", "n5"}.isdisjoint(store.within_scores(new[4], -1.0)[0].tolist())


def test_many_writes_drop_the_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(range_copy, "MAX_ADDED", 3)
    rows = unit_rows(MIN_ROWS, 16, seed=4)
    store = FaissVectorStore(16, "flat")
    store.add([f"p{i}" for i in range(len(rows))], rows)
    quantised(store)
    old = store._matrix
    store.add(["a", "b", "c"], unit_rows(3, 16, seed=5))
    assert store._matrix is old
    store.add(["d"], unit_rows(1, 16, seed=6))  # a fourth added product: the copy goes
    assert store._matrix is None and old.scanner._closed  # type: ignore[union-attr]
    assert "d" in store.within_scores(unit_rows(1, 16, seed=6)[0], 0.99)[0].tolist()
