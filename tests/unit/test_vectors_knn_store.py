"""The k-NN store's client-side contract, against a recording fake client (no server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine.errors import InvalidInput, NotFound
from engine.vectors.opensearch_knn import OpenSearchKnnVectorStore, read_knn_manifest


class FakeIndices:
    def __init__(self) -> None:
        self.created: list[tuple[str, dict[str, Any]]] = []

    def create(self, index: str, body: dict[str, Any]) -> None:
        self.created.append((index, body))

    def exists_alias(self, name: str) -> bool:
        return False


class FakeClient:
    def __init__(self, hits: list[list[dict[str, Any]]], count: int = 100) -> None:
        self.indices = FakeIndices()
        self.bodies: list[dict[str, Any]] = []
        self._hits = hits
        self._count = count

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append(body)
        return {"hits": {"hits": self._hits.pop(0)}}

    def count(self, index: str, body: dict[str, Any] | None = None) -> dict[str, int]:
        return {"count": self._count}


def hit(pid: str, inner_product: float) -> dict[str, Any]:
    return {"_id": pid, "_score": 1 + inner_product}


def test_create_names_a_physical_index_under_the_alias() -> None:
    client = FakeClient([])
    store = OpenSearchKnnVectorStore.create(client, 4, alias="shop-vectors-text")
    ((index, body),) = client.indices.created
    assert index == store.index and index.startswith("shop-vectors-text-")
    assert body["mappings"]["properties"]["vector"]["dimension"] == 4
    with pytest.raises(InvalidInput):
        OpenSearchKnnVectorStore.create(client, 0, alias="x")
    with pytest.raises(NotFound):
        OpenSearchKnnVectorStore.open(client, "shop-vectors-text")


def test_a_short_filtered_page_is_answered_exactly() -> None:
    client = FakeClient([[hit("a", 0.9)], [hit("a", 0.9), hit("b", 0.5), hit("c", 0.1)]], count=3)
    store = OpenSearchKnnVectorStore(client, 2, "idx", alias="al")
    got = store.search(np.array([3.0, 4.0]), 5, allowed_ids={"a", "b", "c", "d"}, exclude=["d"])
    assert [(h.product_id, round(h.score, 6)) for h in got] == [("a", 0.9), ("b", 0.5), ("c", 0.1)]
    approximate, exact = client.bodies
    clause = approximate["query"]["knn"]["vector"]
    assert clause["vector"] == pytest.approx([0.6, 0.8])  # normalised before it is sent
    assert clause["filter"]["bool"]["filter"] == [{"terms": {"product_id": ["a", "b", "c"]}}]
    assert "script_score" in exact["query"]


def test_a_full_page_needs_no_second_query() -> None:
    client = FakeClient([[hit("a", 0.9), hit("b", 0.8)]])
    store = OpenSearchKnnVectorStore(client, 2, "idx", alias="al")
    assert [h.product_id for h in store.search(np.array([1.0, 0.0]), 2)] == ["a", "b"]
    assert len(client.bodies) == 1
    with pytest.raises(InvalidInput):
        store.search(np.array([1.0, 0.0, 0.0]), 2)
    with pytest.raises(InvalidInput):
        store.search(np.array([1.0, 0.0]), 10_001)


def test_missing_manifest_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        read_knn_manifest(tmp_path)
