"""FaissVectorStore behaviour for every index type: add, search, remove, replace, filters, threads."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from engine.errors import InvalidInput, MissingDependency
from engine.vectors import faiss_store
from engine.vectors.base import VectorStore
from engine.vectors.faiss_indexes import IndexParams, import_faiss
from engine.vectors.faiss_store import FaissVectorStore
from tests.unit.test_vectors_data import DIM, IVFPQ_COUNT, clustered, exact_top, ids_for

SIZES = {"flat": 2000, "hnsw": 2000, "ivfpq": IVFPQ_COUNT}


def build(
    kind: str, n: int | None = None, **params: object
) -> tuple[FaissVectorStore, np.ndarray, list[str]]:
    n = n or SIZES[kind]
    vectors, ids = clustered(n), ids_for(n)
    store = FaissVectorStore(DIM, kind, params=IndexParams(expected_count=n, **params))  # type: ignore[arg-type]
    store.add(ids, vectors)
    return store, vectors, ids


@pytest.fixture(scope="module", params=["flat", "hnsw", "ivfpq"])
def built(request: pytest.FixtureRequest) -> tuple[FaissVectorStore, np.ndarray, list[str]]:
    """One store per type, shared by the read-only tests of this module."""
    return build(request.param, nprobe=64)


def test_store_implements_the_protocol(built) -> None:
    assert isinstance(built[0], VectorStore)


def test_search_finds_the_vector_itself_first(built) -> None:
    store, vectors, ids = built
    assert store.count() == len(ids)
    for row in (0, 17, 1234):
        hits = store.search(vectors[row], 10)
        assert len(hits) == 10
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        if store.index_type == "ivfpq":  # compressed codes: close, not exact
            assert ids[row] in [h.product_id for h in hits]
        else:
            assert hits[0].product_id == ids[row]
            assert hits[0].score == pytest.approx(1.0, abs=1e-4)


def test_search_agrees_with_brute_force(built) -> None:
    store, vectors, ids = built
    lossy = store.index_type == "ivfpq"  # PQ reorders near neighbours: look deeper, expect most of them
    depth, floor = (100, 0.8) if lossy else (10, {"flat": 1.0, "hnsw": 0.9}[store.index_type])
    recalls = []
    for row in range(0, 500, 50):
        truth = set(exact_top(vectors, ids, vectors[row], 10))
        recalls.append(len(truth & {h.product_id for h in store.search(vectors[row], depth)}) / 10)
    assert np.mean(recalls) >= floor


@pytest.mark.parametrize("exact_limit", [faiss_store.EXACT_LIMIT, 0], ids=["exact-path", "selector-path"])
def test_filtered_search_fills_the_page_with_a_tiny_eligible_set(built, monkeypatch, exact_limit) -> None:
    store, vectors, ids = built
    monkeypatch.setattr(faiss_store, "EXACT_LIMIT", exact_limit)
    allowed = set(ids[::200])  # 0.5% of the index
    assert len(allowed) >= 10
    query = vectors[3]
    hits = store.search(query, 10, allowed_ids=allowed)
    assert len(hits) == 10
    assert {h.product_id for h in hits} <= allowed
    if store.index_type != "ivfpq":
        assert [h.product_id for h in hits] == exact_top(vectors, ids, query, 10, allowed)


@pytest.mark.parametrize("exact_limit", [faiss_store.EXACT_LIMIT, 0], ids=["exact-path", "selector-path"])
def test_filtered_search_returns_all_eligible_when_fewer_than_k(built, monkeypatch, exact_limit) -> None:
    store, vectors, ids = built
    monkeypatch.setattr(faiss_store, "EXACT_LIMIT", exact_limit)
    allowed = {ids[5], ids[900], ids[1999], "no-such-product"}
    hits = store.search(vectors[0], 10, allowed_ids=allowed)
    assert {h.product_id for h in hits} == {ids[5], ids[900], ids[1999]}
    assert store.search(vectors[0], 10, allowed_ids={"no-such-product"}) == []
    assert store.search(vectors[0], 10, allowed_ids=set()) == []


def test_exclude_removes_ids_and_still_returns_k(built) -> None:
    store, vectors, ids = built
    first = [h.product_id for h in store.search(vectors[7], 10)]
    hits = store.search(vectors[7], 10, exclude=first[:6])
    assert len(hits) == 10
    assert not {h.product_id for h in hits} & set(first[:6])
    allowed = set(ids[:300])
    filtered = store.search(vectors[7], 10, allowed_ids=allowed, exclude=[ids[7]])
    assert len(filtered) == 10 and ids[7] not in {h.product_id for h in filtered}


def test_get_vector_contains_and_ids(built) -> None:
    store, vectors, ids = built
    vector = store.get_vector(ids[42])
    assert vector is not None and vector.shape == (DIM,)
    closeness = float(vector @ vectors[42]) / float(np.linalg.norm(vector))
    assert closeness > (0.9 if store.index_type == "ivfpq" else 0.9999)
    assert store.get_vector("missing") is None
    assert store.contains(ids[0]) and not store.contains("missing")
    assert sorted(store.ids()) == sorted(ids)


def test_many_vectors_come_back_in_the_order_asked_without_unknown_ids(built) -> None:
    store, _, ids = built
    asked = [ids[7], "missing", ids[3], ids[7]]
    found, matrix = store.vector_matrix(asked)
    assert found == [ids[7], ids[3], ids[7]] and matrix.shape == (3, DIM) and matrix.dtype == np.float32
    for pid, row in zip(found, matrix, strict=True):
        assert np.array_equal(row, store.get_vector(pid))
    assert set(store.get_vectors(asked)) == {ids[7], ids[3]}
    assert store.vector_matrix(["missing"])[1].shape == (0, DIM) and store.get_vectors([]) == {}


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivfpq"])
def test_remove_and_replace(kind: str) -> None:
    store, vectors, ids = build(kind, nprobe=64)
    assert store.remove([ids[0], ids[1], "missing", ids[0]]) == 2
    assert store.count() == len(ids) - 2
    assert not store.contains(ids[0]) and store.get_vector(ids[0]) is None
    found = {h.product_id for h in store.search(vectors[0], 50)}
    assert ids[0] not in found and ids[1] not in found

    replacement = vectors[511] + 0.05 * clustered(1, seed=99)[0]  # in distribution: PQ was trained on it
    replacement /= np.linalg.norm(replacement)
    store.add([ids[10]], replacement[None, :])
    assert store.count() == len(ids) - 2
    got = store.get_vector(ids[10])
    assert got is not None and float(got @ replacement) / float(np.linalg.norm(got)) > 0.9
    top = [h.product_id for h in store.search(replacement, 50 if kind == "ivfpq" else 5)]
    assert ids[10] in top
    assert top.count(ids[10]) == 1  # the old vector is gone, not a second copy


def test_hnsw_tombstones_are_hidden_and_compacted() -> None:
    store, vectors, ids = build("hnsw", compact_fraction=0.25)
    store.remove(ids[:200])  # 10%: tombstones stay
    assert store._index.dead == 200
    hits = store.search(vectors[0], 20)
    assert len(hits) == 20 and not {h.product_id for h in hits} & set(ids[:200])
    store.remove(ids[200:600])  # 30%: rebuilt without tombstones
    assert store._index.dead == 0 and store._index.index.ntotal == len(ids) - 600
    assert store.search(vectors[700], 1)[0].product_id == ids[700]
    store.add(["new"], vectors[:1])
    assert store.search(vectors[0], 1)[0].product_id == "new"


def test_ivfpq_keeps_vectors_raw_until_it_can_train() -> None:
    vectors, ids = clustered(IVFPQ_COUNT), ids_for(IVFPQ_COUNT)
    store = FaissVectorStore(DIM, "ivfpq", params=IndexParams(expected_count=IVFPQ_COUNT))
    store.add(ids[:100], vectors[:100])
    assert not store._index.trained
    assert store.search(vectors[5], 1)[0].product_id == ids[5]  # exact while untrained
    store.remove(ids[:10])
    store.add(ids[100:], vectors[100:])
    assert store._index.trained and store.count() == IVFPQ_COUNT - 10
    assert not store.contains(ids[3])


def test_bad_input_is_rejected_and_duplicates_keep_the_last() -> None:
    store = FaissVectorStore(DIM, "flat")
    vectors = clustered(3)
    with pytest.raises(InvalidInput):
        store.add(["a", "b"], vectors)
    with pytest.raises(InvalidInput):
        store.add(["a"], np.full((1, DIM), np.nan, dtype=np.float32))
    with pytest.raises(InvalidInput):
        store.search(np.zeros(DIM + 1, dtype=np.float32), 3)
    with pytest.raises(InvalidInput):
        FaissVectorStore(DIM, "annoy")
    store.add(["a", "b", "a"], vectors * 3)  # not normalised: the store normalises
    assert store.count() == 2
    assert store.search(vectors[2], 1)[0].product_id == "a"
    assert store.search(vectors[2], 1)[0].score == pytest.approx(1.0, abs=1e-5)
    assert store.search(vectors[2], 0) == []


def test_missing_faiss_names_the_package(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "faiss", None)
    with pytest.raises(MissingDependency, match="faiss-cpu"):
        import_faiss()


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_searches_run_while_another_thread_mutates(kind: str) -> None:
    store, vectors, ids = build(kind, n=1500, compact_fraction=0.1)
    extra, extra_ids = clustered(600, seed=5), ids_for(600, start=10_000)
    errors: list[BaseException] = []
    short: list[int] = []
    done = threading.Event()

    def search() -> None:
        try:
            while not done.is_set():
                for row in range(0, 1500, 97):
                    hits = store.search(vectors[row], 10, exclude=[ids[row]])
                    if len(hits) != 10 or ids[row] in {h.product_id for h in hits}:
                        short.append(row)
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=search) for _ in range(3)]
    for thread in readers:
        thread.start()
    for start in range(0, 600, 50):
        store.add(extra_ids[start : start + 50], extra[start : start + 50])
        store.remove(ids[start : start + 50])
    done.set()
    for thread in readers:
        thread.join(timeout=60)
    assert not errors and not short
    assert store.count() == 1500


def test_get_vectors_returns_the_stored_rows_of_known_ids(built) -> None:
    store, _, ids = built
    wanted = [ids[3], "missing", ids[99]]
    got = store.get_vectors(wanted)
    assert list(got) == [ids[3], ids[99]]
    for pid in got:
        np.testing.assert_allclose(got[pid], store.get_vector(pid), rtol=1e-6)
    assert store.get_vectors([]) == {}
