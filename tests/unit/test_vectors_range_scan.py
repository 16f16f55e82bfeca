"""The int8 pre-filtered range search gives exactly FAISS's flat range search: same rows, same bits."""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest

from engine.vectors import range_scan
from engine.vectors.faiss_indexes import import_faiss
from engine.vectors.faiss_store import FaissVectorStore
from engine.vectors.range_scan import MIN_ROWS, RangeScanner

faiss = import_faiss()


def clustered_rows(n: int, dim: int, seed: int, clusters: int = 40) -> np.ndarray:
    """Unit rows around a few centres, so thresholds between 0.2 and 0.9 give sets of every size."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim))
    rows = centres[rng.integers(0, clusters, n)] + rng.standard_normal((n, dim)) * rng.uniform(0.3, 1.5)
    rows = rows.astype(np.float32)
    faiss.normalize_L2(rows)
    return rows


def reference(rows: np.ndarray, q: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    flat = faiss.IndexFlatIP(rows.shape[1])
    flat.add(rows)
    _, scores, labels = flat.range_search(q, threshold)
    return labels, scores


def assert_same(got: tuple[np.ndarray, np.ndarray], wanted: tuple[np.ndarray, np.ndarray]) -> None:
    assert np.array_equal(got[0], wanted[0])
    assert np.array_equal(got[1].view(np.int32), wanted[1].view(np.int32))  # bit for bit


@pytest.fixture(scope="module")
def catalog() -> tuple[np.ndarray, RangeScanner, np.ndarray]:
    rows = clustered_rows(12_000, 96, seed=1)
    rng = np.random.default_rng(2)
    near_rows = rows[rng.integers(0, len(rows), 20)] + rng.standard_normal((20, 96)).astype(np.float32) * 0.1
    queries = np.concatenate([near_rows, clustered_rows(20, 96, seed=3), rows[:5]]).astype(np.float32)
    faiss.normalize_L2(queries)
    return rows, RangeScanner(faiss, rows), queries


def test_same_rows_and_scores_as_the_flat_range_search(catalog) -> None:
    rows, scanner, queries = catalog
    assert scanner.quantised  # the int8 path is what is tested here
    flat = faiss.IndexFlatIP(rows.shape[1])
    flat.add(rows)
    sizes = []
    for q in queries:
        for threshold in (0.2, 0.35, 0.5, 0.7, 0.9, 0.999):
            wanted = reference(rows, q[None], threshold)
            assert_same(scanner.within(q[None], threshold), wanted)
            sizes.append(wanted[0].size)
    assert min(sizes) == 0 and max(sizes) > 1000  # empty, small and large sets were all compared


def test_a_row_scoring_exactly_the_threshold_is_left_out_as_faiss_does(catalog) -> None:
    rows, scanner, queries = catalog
    q = queries[:1]
    all_labels, all_scores = reference(rows, q, -2.0)
    for score in np.sort(all_scores)[-50:]:  # thresholds equal to real float32 scores
        wanted = reference(rows, q, float(score))
        assert all_labels[all_scores == score][0] not in set(wanted[0].tolist())
        assert_same(scanner.within(q, float(score)), wanted)


def test_the_prefilter_rescores_few_rows_for_a_selective_threshold(catalog) -> None:
    rows, scanner, queries = catalog
    q = queries[0]
    wanted = reference(rows, q[None], 0.5)[0]
    candidates = scanner._int8.candidates(q, 0.5)  # type: ignore[union-attr]
    assert candidates is not None and set(wanted.tolist()) <= set(candidates.tolist())
    assert candidates.size < len(rows) / 10


def exact_top(scanner: RangeScanner, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Every row scored with the rescoring kernel, the k highest (equal scores by row)."""
    scores = scanner._rescore(q, np.arange(scanner.rows, dtype=np.int64))
    top = np.lexsort((np.arange(scanner.rows), -scores))[:k]
    return top, scores[top]


def test_one_pass_gives_the_exact_top_k_and_the_range(catalog) -> None:
    """The top k from the int8 bounds are the k best of all rows (none pruned wrongly), with or without
    k rows inside the range, and the range is `within`'s answer bit for bit."""
    rows, scanner, queries = catalog
    ways = set()
    for q in queries:
        for threshold, k in ((0.35, 200), (0.5, 50), (0.9, 200), (0.999, 10)):
            found = scanner.nearest_and_within(q[None], k, threshold)
            assert found is not None
            top_rows, top_scores, in_rows, in_scores = found
            wanted_rows, wanted_scores = exact_top(scanner, q[None], k)
            assert np.array_equal(top_rows, wanted_rows)
            assert np.array_equal(top_scores.view(np.int32), wanted_scores.view(np.int32))
            assert_same((in_rows, in_scores), reference(rows, q[None], threshold))
            ways.add(in_rows.size >= k)
    assert ways == {True, False}  # both the broad query's shortcut and the lower-bound pruning ran
    # the scores are true inner products, not the int8 estimates
    q = queries[0]
    top_rows, top_scores, _, _ = scanner.nearest_and_within(q[None], 20, 0.5)  # type: ignore[misc]
    assert np.allclose(top_scores, rows[top_rows] @ q, atol=1e-5)


def test_equal_scores_at_the_kth_place_are_taken_by_row() -> None:
    """Copies of one product (equal scores) straddling the k-th place: the top k keep the lowest rows,
    whether the range holds k rows (its members are cut to the k best) or not (lower-bound pruning)."""
    rows = clustered_rows(MIN_ROWS + 1000, 32, seed=4)
    copies = np.random.default_rng(6).choice(len(rows), 12, replace=False)
    rows[copies] = rows[copies[0]]
    scanner = RangeScanner(faiss, rows)
    q = rows[copies[0]][None]
    for threshold in (0.3, 0.9999):
        for k in (1, 5, 11):
            top_rows, _, _, _ = scanner.nearest_and_within(q, k, threshold)  # type: ignore[misc]
            assert np.array_equal(top_rows, exact_top(scanner, q, k)[0])
            assert np.array_equal(top_rows, np.sort(copies)[:k])


def test_one_pass_leaves_masked_rows_out_of_the_top_k_and_the_range(catalog) -> None:
    rows, scanner, queries = catalog
    masked = np.zeros(len(rows), dtype=bool)
    masked[np.random.default_rng(5).choice(len(rows), 3000, replace=False)] = True
    for q in queries[:10]:
        wanted_rows, wanted_scores = reference(rows, q[None], 0.4)
        keep = ~masked[wanted_rows]
        for k in (5, 300):
            found = scanner.nearest_and_within(q[None], k, 0.4, masked=masked)
            assert found is not None
            top_rows, _, in_rows, in_scores = found
            scores = scanner._rescore(q[None], np.arange(len(rows), dtype=np.int64))
            scores[masked] = -np.inf
            assert np.array_equal(top_rows, np.lexsort((np.arange(len(rows)), -scores))[:k])
            assert_same((in_rows, in_scores), (wanted_rows[keep], wanted_scores[keep]))


def test_one_pass_declines_without_the_int8_copy_or_for_most_rows(catalog) -> None:
    rows, scanner, queries = catalog
    assert scanner.nearest_and_within(queries[:1], 10, -1.0) is None  # the range is most rows
    assert scanner.nearest_and_within(np.zeros((1, rows.shape[1]), np.float32), 10, 0.5) is None
    assert RangeScanner(faiss, rows[:500]).nearest_and_within(queries[:1], 10, 0.5) is None  # no copy


def test_awkward_rows_and_queries_stay_exact() -> None:
    rng = np.random.default_rng(4)
    rows = rng.standard_normal((MIN_ROWS + 100, 48)).astype(np.float32)
    rows[:50] = 0.0  # zero rows
    rows[50:100, 0] = 1000.0  # one dominant component: coarse codes, large errors
    rows[100:200] *= 50.0  # not normalised
    scanner = RangeScanner(faiss, rows)
    assert scanner.quantised
    spike = np.zeros((1, 48), dtype=np.float32)
    spike[0, 0] = 1.0
    for q in (rows[60:61] / 1000, rows[150:151], spike, rng.standard_normal((1, 48)).astype(np.float32)):
        q = np.ascontiguousarray(q, dtype=np.float32)
        for threshold in (-5.0, 0.0, 0.3, 2.0, 100.0):  # -5 and 0: most rows, a plain scan answers
            assert_same(scanner.within(q, threshold), reference(rows, q, threshold))
    zero = np.zeros((1, 48), dtype=np.float32)
    assert_same(scanner.within(zero, -0.5), reference(rows, zero, -0.5))


def test_small_catalogs_and_missing_onnxruntime_scan_plainly(monkeypatch) -> None:
    rows = clustered_rows(500, 32, seed=5)
    small = RangeScanner(faiss, rows)
    assert not small.quantised
    assert_same(small.within(rows[:1], 0.5), reference(rows, rows[:1], 0.5))
    empty = RangeScanner(faiss, np.zeros((0, 32), dtype=np.float32))
    assert empty.within(rows[:1], 0.0)[0].size == 0
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails
    rows = clustered_rows(MIN_ROWS, 32, seed=6)
    plain = RangeScanner(faiss, rows)
    assert not plain.quantised
    assert_same(plain.within(rows[:1], 0.5), reference(rows, rows[:1], 0.5))


def test_a_kernel_that_is_not_exact_here_is_not_used(monkeypatch) -> None:
    real = range_scan._Int8Scores._products

    def off_by_one(self: range_scan._Int8Scores, shifted: np.ndarray) -> np.ndarray:
        return real(self, shifted) + 1

    monkeypatch.setattr(range_scan._Int8Scores, "_products", off_by_one)
    rows = clustered_rows(MIN_ROWS, 32, seed=7)
    scanner = RangeScanner(faiss, rows)
    assert not scanner.quantised
    assert_same(scanner.within(rows[:1], 0.4), reference(rows, rows[:1], 0.4))


def hits(store: FaissVectorStore, q: np.ndarray, threshold: float) -> list[tuple[str, float]]:
    """The store's range search as (id, score) pairs, in its order."""
    ids, scores = store.within_scores(q, threshold)
    return list(zip(ids.tolist(), scores.tolist(), strict=True))


@pytest.mark.parametrize("index_type", ["flat", "hnsw"])
def test_the_store_names_the_same_products_as_a_flat_range_search(index_type: str) -> None:
    rows = clustered_rows(MIN_ROWS + 500, 64, seed=8)
    ids = [f"p{i}" for i in range(len(rows))]
    store = FaissVectorStore(64, index_type)
    store.add(ids, rows)
    store.remove(["p3", "p10"])  # labels no longer match row numbers
    kept = [i for i in range(len(rows)) if ids[i] not in {"p3", "p10"}]
    stored = np.stack([store.get_vector(ids[i]) for i in kept])  # as the store normalised them
    q = (rows[10] * 0.7 + rows[11] * 0.3).reshape(1, -1)
    unit = q.copy()
    faiss.normalize_L2(unit)
    first = hits(store, q, 0.3)  # builds the copy; its int8 part follows in the background
    deadline = time.monotonic() + 60
    while not store._matrix.scanner.quantised and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.05)
    assert store._matrix.scanner.quantised  # type: ignore[union-attr]
    assert hits(store, q, 0.3) == first
    for threshold in (0.3, 0.6):
        got = dict(hits(store, q, threshold))
        labels, scores = reference(stored, unit, threshold)
        assert got == {ids[kept[label]]: float(s) for label, s in zip(labels, scores, strict=True)}
        assert len(got) > 0
    store.remove(["p11"])  # a small write keeps the copy (`RangeCopy`) and masks the row
    assert "p11" not in dict(hits(store, q, 0.3)) and store._matrix is not None
    old = store._matrix.scanner
    store.add(["p0"], np.zeros((1, 64), dtype=np.float32) + 1)  # an index of IVF-PQ would drop it
    assert store._matrix is not None and store._matrix.scanner is old


def test_the_store_answers_top_k_and_range_in_one_pass_once_its_int8_copy_is_built() -> None:
    rows = clustered_rows(MIN_ROWS + 500, 64, seed=9)
    ids = [f"p{i}" for i in range(len(rows))]
    store = FaissVectorStore(64, "hnsw")
    store.add(ids, rows)
    store.remove(["p5"])  # labels no longer match row numbers
    q = (rows[20] * 0.6 + rows[21] * 0.4).reshape(1, -1)
    # The first call makes the copy, whose int8 part is built in the background: it declines unless
    # that build (milliseconds here) already finished, and then answers as below.
    first = store.nearest_and_within(q, 30, 0.4)
    deadline = time.monotonic() + 60
    while not store._matrix.scanner.quantised and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.05)
    found = store.nearest_and_within(q, 30, 0.4)
    assert found is not None
    top, (in_ids, in_scores) = found
    assert hits(store, q, 0.4) == list(zip(in_ids.tolist(), in_scores.tolist(), strict=True))
    unit = q / np.linalg.norm(q)
    live = [i for i in range(len(rows)) if ids[i] != "p5"]
    exact = np.array([float(store.get_vector(ids[i]) @ unit[0]) for i in live])
    best = [ids[live[i]] for i in np.argsort(-exact, kind="stable")[:30]]
    assert [h.product_id for h in top] == best and "p5" not in best
    assert [h.score for h in top] == sorted((h.score for h in top), reverse=True)
    assert first is None or first[0] == top


def test_rescoring_in_blocks_gives_the_same_bits(catalog, monkeypatch) -> None:
    rows, scanner, queries = catalog
    monkeypatch.setattr(range_scan, "_CHUNK", 100)  # a set of thousands is rescored in many blocks
    for q in queries[:10]:
        assert_same(scanner.within(q[None], 0.2), reference(rows, q[None], 0.2))
