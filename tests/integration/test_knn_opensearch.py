"""The OpenSearch k-NN vector store against a real node with the k-NN plugin.

The node comes from scripts/opensearch.sh at a server version for which Maven Central carries the
plugin (AISLE_TEST_KNN_OPENSEARCH_VERSION, default below); scripts/opensearch_plugins.sh installs the
plugin into that distribution. Answers are held to exact FAISS (flat) on the same vectors.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from opensearchpy import OpenSearch

from engine.config import Settings
from engine.errors import IndexMismatch, InvalidInput, NotFound
from engine.inference.base import EncoderInfo
from engine.ports import free_port
from engine.vectors.base import VectorManifest, VectorStore
from engine.vectors.factory import FactoryVectorIO
from engine.vectors.faiss_store import FaissVectorStore
from engine.vectors.knn_mapping import KnnParams
from engine.vectors.opensearch_knn import OpenSearchKnnVectorStore, read_knn_manifest
from tests.fixtures.opensearch import OpenSearchNode

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
KNN_VERSION = os.environ.get("AISLE_TEST_KNN_OPENSEARCH_VERSION", "2.19.6")
DIM, N = 32, 2000


def _has_knn(url: str) -> bool:
    client = OpenSearch(hosts=[url], timeout=10)
    return any(p["component"] == "opensearch-knn" for p in client.cat.plugins(format="json"))


@pytest.fixture(scope="module")
def knn_url() -> Iterator[str]:
    """A node with the k-NN plugin: AISLE_TEST_KNN_URL, or one started (and stopped) here."""
    if os.environ.get("AISLE_TEST_KNN_URL"):
        yield os.environ["AISLE_TEST_KNN_URL"].rstrip("/")
        return
    data_dir = Path(tempfile.mkdtemp(prefix="aisle-knn-"))
    node = OpenSearchNode(free_port(), data_dir)
    node.env["AISLE_OPENSEARCH_VERSION"] = KNN_VERSION
    node.env["AISLE_OPENSEARCH_PLUGINS"] = "knn"
    try:
        node.start()  # fetches the distribution on first use
        if not _has_knn(node.url):  # opensearch.sh did not install it: do it now, then restart
            node.stop()
            cache = Path(os.environ.get("AISLE_CACHE", ROOT / ".cache"))
            home = cache / "opensearch" / f"opensearch-{KNN_VERSION}"
            done = subprocess.run(
                ["bash", str(ROOT / "scripts" / "opensearch_plugins.sh"), str(home), "knn"],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if done.returncode != 0:
                pytest.fail(f"installing the k-NN plugin failed:\n{done.stderr[-3000:]}")
            node.start()
        assert _has_knn(node.url), "the node runs without the k-NN plugin"
        yield node.url
    finally:
        node.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def client(knn_url: str) -> OpenSearch:
    return OpenSearch(hosts=[knn_url], timeout=30)


@pytest.fixture(scope="module")
def vectors() -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(7)
    data = rng.standard_normal((N, DIM)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    return [f"p{i:05d}" for i in range(N)], data


@pytest.fixture(scope="module")
def stores(
    client: OpenSearch, vectors: tuple[list[str], np.ndarray]
) -> tuple[OpenSearchKnnVectorStore, FaissVectorStore]:
    ids, data = vectors
    knn = OpenSearchKnnVectorStore.create(
        client, DIM, alias="test-vectors-text", params=KnnParams(m=16, ef_search=100)
    )
    exact = FaissVectorStore(DIM, "flat")
    knn.add(ids, data)
    exact.add(ids, data)
    return knn, exact


def test_implements_the_protocol_and_counts(
    stores: tuple[OpenSearchKnnVectorStore, FaissVectorStore],
) -> None:
    knn, exact = stores
    assert isinstance(knn, VectorStore)
    assert knn.count() == N
    assert knn.ids() == sorted(exact.ids())
    assert knn.contains("p00001") and not knn.contains("nope")
    np.testing.assert_allclose(knn.get_vector("p00001"), exact.get_vector("p00001"), atol=1e-6)
    assert knn.get_vector("nope") is None
    batch = knn.get_vectors(["p00002", "nope", "p00001"])
    assert list(batch) == ["p00002", "p00001"]
    np.testing.assert_allclose(batch["p00002"], exact.get_vector("p00002"), atol=1e-6)
    with pytest.raises(InvalidInput):
        knn.add(["x"], np.zeros((1, DIM + 1), dtype=np.float32))


def test_recall_against_exact_faiss(
    stores: tuple[OpenSearchKnnVectorStore, FaissVectorStore], vectors: tuple[list[str], np.ndarray]
) -> None:
    knn, exact = stores
    queries = np.random.default_rng(11).standard_normal((40, DIM)).astype(np.float32)
    found = total = 0
    for q in queries:
        got, truth = knn.search(q, 10), exact.search(q, 10)
        assert len(got) == 10
        found += len({h.product_id for h in got} & {h.product_id for h in truth})
        total += 10
        scores = {h.product_id: h.score for h in truth}
        for hit in got:  # scores are cosines, like the FAISS store's
            if hit.product_id in scores:
                assert hit.score == pytest.approx(scores[hit.product_id], abs=1e-4)
    assert found / total >= 0.95


def test_filtered_search_fills_the_page(
    stores: tuple[OpenSearchKnnVectorStore, FaissVectorStore], vectors: tuple[list[str], np.ndarray]
) -> None:
    knn, exact = stores
    ids, data = vectors
    q = data[3] + 0.1
    allowed = set(ids[::97])  # 21 scattered ids: far from the unfiltered neighbours
    got = knn.search(q, 15, allowed_ids=allowed)
    assert len(got) == 15 and {h.product_id for h in got} <= allowed
    assert [h.product_id for h in got] == [h.product_id for h in exact.search(q, 15, allowed_ids=allowed)]
    few = knn.search(q, 50, allowed_ids={ids[0], ids[1], "missing"})
    assert {h.product_id for h in few} == {ids[0], ids[1]}
    excluded = [h.product_id for h in knn.search(q, 5)]
    after = knn.search(q, 5, exclude=excluded)
    assert len(after) == 5 and not set(excluded) & {h.product_id for h in after}
    assert knn.search(q, 5, allowed_ids=set()) == []


def test_add_remove_and_publish(client: OpenSearch, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    data = rng.standard_normal((30, 8)).astype(np.float32)
    store = OpenSearchKnnVectorStore.create(client, 8, alias="test-vectors-image", space="image")
    store.add([f"a{i}" for i in range(30)], data)
    assert store.remove(["a0", "a1", "never"]) == 2
    assert store.count() == 28 and not store.contains("a0")
    assert store.search(data[0], 1)[0].product_id != "a0"
    store.add(["a2"], data[5:6])  # replace: the id now points at another vector
    assert store.search(data[5], 2)[0].score == pytest.approx(1.0, abs=1e-5)
    manifest = VectorManifest("image", "tiny-clip", "1", 8, 0, "")
    store.save(tmp_path / "image", manifest)
    saved, alias = read_knn_manifest(tmp_path / "image")
    assert (saved.count, saved.dim, saved.index_type, alias) == (
        28,
        8,
        "opensearch-knn",
        "test-vectors-image",
    )

    rebuilt = OpenSearchKnnVectorStore.create(client, 8, alias="test-vectors-image", space="image")
    rebuilt.add(["b0"], data[:1])
    rebuilt.save(tmp_path / "image", manifest)
    opened = OpenSearchKnnVectorStore.open(client, "test-vectors-image", space="image")
    assert (opened.index, opened.dim, opened.ids()) == (rebuilt.index, 8, ["b0"])
    assert not client.indices.exists(index=store.index)  # the old physical index is gone
    with pytest.raises(NotFound):
        OpenSearchKnnVectorStore.open(client, "no-such-alias")


def test_the_catalog_builds_and_loads_knn_stores_from_settings(
    knn_url: str, vectors: tuple[list[str], np.ndarray], tmp_path: Path
) -> None:
    """`AISLE_VECTOR_BACKEND=opensearch-knn` end to end through the catalog's store IO: what the
    indexer writes, a gateway loads, and a filtered search on it still fills the page."""
    ids, data = vectors
    settings = Settings(
        data_dir=tmp_path, opensearch_url=knn_url, vector_backend="opensearch-knn", index_alias="cat"
    )
    encoder = EncoderInfo("all-MiniLM-L6-v2", "1", DIM)
    built = FactoryVectorIO(settings).create("text", DIM, expected_count=N)
    assert isinstance(built, OpenSearchKnnVectorStore) and built.alias == "cat-vectors-text"
    built.add(ids, data)
    built.save(tmp_path / "text", VectorManifest("text", encoder.name, encoder.version, DIM, 0, ""))

    served = FactoryVectorIO(settings).load(tmp_path / "text", encoder)
    assert isinstance(served, OpenSearchKnnVectorStore)
    assert (served.index, served.count()) == (built.index, N)
    allowed = set(ids[1::50])  # 40 scattered ids
    page = served.search(data[0], 20, allowed_ids=allowed)
    exact = FaissVectorStore(DIM, "flat")
    exact.add(ids, data)
    assert [h.product_id for h in page] == [h.product_id for h in exact.search(data[0], 20, allowed)]
    with pytest.raises(IndexMismatch):
        FactoryVectorIO(settings).load(tmp_path / "text", EncoderInfo("other", "1", DIM))


def test_an_interrupted_update_is_put_back_in_place(
    client: OpenSearch, vectors: tuple[list[str], np.ndarray], tmp_path: Path
) -> None:
    """The undo log of a killed `indexer upsert`/`delete` restores a k-NN index written in place: the
    replaced vectors come back, the added ones go (`engine.catalog_undo.StoreContents`)."""
    from engine.catalog_undo import StoreContents

    ids, data = vectors
    store = OpenSearchKnnVectorStore.create(client, DIM, alias="test-undo-text")
    store.add(ids[:20], data[:20])
    touched = [ids[0], ids[1], "added-by-the-update"]
    contents = StoreContents.of(store, touched)
    store.add([ids[0], "added-by-the-update"], data[[30, 31]])  # what the killed update wrote
    store.remove([ids[1]])
    contents.restore(store)
    assert store.count() == 20 and not store.contains("added-by-the-update")
    np.testing.assert_allclose(store.get_vector(ids[0]), data[0], atol=1e-6)
    np.testing.assert_allclose(store.get_vector(ids[1]), data[1], atol=1e-6)
