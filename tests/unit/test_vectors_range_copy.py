"""A store's range-search copy kept across writes answers as a copy made after them would."""

from __future__ import annotations

import threading
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


def same_answers(store: FaissVectorStore, reference: FaissVectorStore, queries: np.ndarray) -> None:
    for q in queries:
        for threshold in (0.3, 0.6):
            got, want = store.within_scores(q, threshold), reference.within_scores(q, threshold)
            assert dict(zip(*[a.tolist() for a in got], strict=True)) == dict(
                zip(*[a.tolist() for a in want], strict=True)
            )


def test_past_the_limits_a_new_copy_is_made_in_the_background(monkeypatch: pytest.MonkeyPatch) -> None:
    """The old copy keeps answering (exactly) while the new one is made; writes made meanwhile are
    recorded on the new one before it takes over."""
    monkeypatch.setattr(range_copy, "MAX_ADDED", 3)
    made, release = threading.Event(), threading.Event()
    real = range_copy.RangeScanner

    def held(*args: object, **kwargs: object) -> range_copy.RangeScanner:
        if threading.current_thread().name == "range-copy":  # the refresh, past its snapshot:
            made.set()  # held until the test's writes are in
            assert release.wait(30)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    dim = 16
    rows = unit_rows(MIN_ROWS, dim, seed=4)
    contents = {f"p{i}": row for i, row in enumerate(rows)}
    store = FaissVectorStore(dim, "flat")
    store.add(list(contents), rows)
    quantised(store)
    old = store._matrix
    monkeypatch.setattr(range_copy, "RangeScanner", held)
    new = unit_rows(8, dim, seed=5)
    store.add(["a", "b", "c", "d"], new[:4])  # a fourth added product: past the limit
    contents.update(zip("abcd", new[:4], strict=True))
    refresh = store._copies.refreshing
    assert refresh is not None and made.wait(30)
    assert store._matrix is old  # still answering meanwhile, writes and all
    same_answers(store, fresh(dict(contents), dim), np.concatenate([new[:4], rows[:4]]))
    store.add(["e", "p1"], new[4:6])  # made while the new copy is being made
    store.remove(["a", "p2"])
    contents.update({"e": new[4], "p1": new[5]})
    del contents["a"], contents["p2"]
    release.set()
    refresh.join(30)
    assert store._copies.refreshing is None and store._matrix is not old and old.scanner._closed  # type: ignore[union-attr]
    assert store._matrix is not None and store._matrix.added_ids == ["e", "p1"]  # the writes since
    assert store._matrix.index_ids()["p3"] == store._matrix.ids.tolist().index("p3")
    same_answers(store, fresh(contents, dim), np.concatenate([new[:6], rows[:6]]))


def test_a_write_larger_than_the_copy_drops_it_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(range_copy, "MAX_ADDED", 3)
    rows = unit_rows(MIN_ROWS, 16, seed=4)
    store = FaissVectorStore(16, "flat")
    store.add([f"p{i}" for i in range(len(rows))], rows)
    quantised(store)
    old = store._matrix
    store.remove([f"p{i}" for i in range(MIN_ROWS // 2 + 1)])  # more than half of it masked
    assert store._matrix is None and old.scanner._closed  # type: ignore[union-attr]
    assert store._copies.refreshing is None  # the next search makes the copy; nothing else does
    assert "p0" not in store.within_scores(rows[0], 0.99)[0].tolist()
    assert f"p{MIN_ROWS - 1}" in store.within_scores(rows[-1], 0.99)[0].tolist()


def test_the_copy_can_be_made_before_the_first_search() -> None:
    rows = unit_rows(MIN_ROWS, 16, seed=7)
    store = FaissVectorStore(16, "hnsw")
    store.add([f"p{i}" for i in range(len(rows))], rows)
    assert store.range_search_state() == "none"
    store.prepare_range_search()
    copy = store._matrix
    assert copy is not None and store.range_search_state() in ("building", "ready")
    assert copy._row_of is not None  # the id index too, off the first write's exclusive lock
    deadline = time.monotonic() + 60
    while store.range_search_state() != "ready" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert store.range_search_state() == "ready" and copy.scanner.quantised
    assert "p3" in store.within_scores(rows[3], 0.99)[0].tolist() and store._matrix is copy
    small = FaissVectorStore(16, "flat")  # too few rows for an int8 part: ready once copied
    small.add(["a", "b"], rows[:2])
    small.prepare_range_search()
    assert small.range_search_state() == "ready"
