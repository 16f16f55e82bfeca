"""Loading k-NN stores from a saved manifest, and the catalog picking them from settings (no server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.config import Settings
from engine.errors import IndexMismatch, NotFound
from engine.inference.base import EncoderInfo
from engine.vectors.factory import FactoryVectorIO
from engine.vectors.knn_io import KnnVectorIO, load_knn_store
from engine.vectors.opensearch_knn import OpenSearchKnnVectorStore

ENCODER = EncoderInfo("all-MiniLM-L6-v2", "1", 4)


class AliasIndices:
    """The alias calls `OpenSearchKnnVectorStore.open` makes, over a fixed alias -> index map."""

    def __init__(self, aliases: dict[str, str], dim: int = 4) -> None:
        self.aliases = aliases
        self.dim = dim
        self.created: list[str] = []

    def exists_alias(self, name: str) -> bool:
        return name in self.aliases

    def get_alias(self, name: str) -> dict[str, Any]:
        return {self.aliases[name]: {"aliases": {name: {}}}}

    def get_mapping(self, index: str) -> dict[str, Any]:
        return {index: {"mappings": {"properties": {"vector": {"dimension": self.dim}}}}}

    def create(self, index: str, body: dict[str, Any]) -> None:
        self.created.append(index)


class Client:
    def __init__(self, aliases: dict[str, str]) -> None:
        self.indices = AliasIndices(aliases)


def write_manifest(directory: Path, alias: str, model: str = "all-MiniLM-L6-v2", dim: int = 4) -> None:
    directory.mkdir(parents=True)
    manifest = {
        "space": "text",
        "model_name": model,
        "model_version": "1",
        "dim": dim,
        "count": 3,
        "index_type": "opensearch-knn",
        "backend": "opensearch-knn",
        "alias": alias,
        "index": f"{alias}-20250101000000000000",
    }
    (directory / "manifest.json").write_text(json.dumps(manifest))


def knn_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        vector_backend="opensearch-knn",
        opensearch_url="http://127.0.0.1:9",
        index_alias="shop",
        hnsw_ef_search=64,
    )


def test_load_attaches_to_the_index_the_saved_alias_serves(tmp_path: Path) -> None:
    write_manifest(tmp_path / "text", "shop-vectors-text")
    client = Client({"shop-vectors-text": "shop-vectors-text-20250101000000000000"})
    store = load_knn_store(knn_settings(tmp_path), tmp_path / "text", ENCODER, client)
    assert isinstance(store, OpenSearchKnnVectorStore)
    assert (store.index, store.alias, store.dim, store.space, store.ef_search) == (
        "shop-vectors-text-20250101000000000000",
        "shop-vectors-text",
        4,
        "text",
        64,
    )


def test_load_refuses_another_encoder_and_a_missing_alias(tmp_path: Path) -> None:
    write_manifest(tmp_path / "text", "shop-vectors-text", model="other-model")
    client = Client({"shop-vectors-text": "shop-vectors-text-1"})
    with pytest.raises(IndexMismatch, match="other-model"):
        load_knn_store(knn_settings(tmp_path), tmp_path / "text", ENCODER, client)
    write_manifest(tmp_path / "gone", "shop-vectors-gone")
    with pytest.raises(NotFound):
        load_knn_store(knn_settings(tmp_path), tmp_path / "gone", ENCODER, client)
    with pytest.raises(NotFound):
        load_knn_store(knn_settings(tmp_path), tmp_path / "nothing-saved", ENCODER, client)


def test_io_creates_under_the_settings_alias_with_one_client(tmp_path: Path) -> None:
    client = Client({})
    io = KnnVectorIO(knn_settings(tmp_path), client)
    text = io.create("text", 4, expected_count=10)
    image = io.create("image", 8, expected_count=10)
    assert text.alias == "shop-vectors-text" and image.alias == "shop-vectors-image"
    assert text.client is client and image.client is client
    assert client.indices.created == [text.index, image.index]


def test_the_catalog_picks_the_backend_from_settings(tmp_path: Path) -> None:
    knn = FactoryVectorIO(knn_settings(tmp_path))
    assert isinstance(knn._knn, KnnVectorIO)
    faiss = FactoryVectorIO(Settings(data_dir=tmp_path))
    assert faiss._knn is None
    store = faiss.create("text", 4, expected_count=10)
    assert not isinstance(store, OpenSearchKnnVectorStore) and store.count() == 0


class MgetClient:
    def __init__(self, docs: dict[str, list[float]]) -> None:
        self.docs = docs
        self.calls: list[list[str]] = []

    def mget(self, index: str, body: dict[str, Any], _source_includes: list[str]) -> dict[str, Any]:
        self.calls.append(body["ids"])
        return {
            "docs": [
                {"_id": i, "found": True, "_source": {"vector": self.docs[i]}}
                if i in self.docs
                else {"_id": i, "found": False}
                for i in body["ids"]
            ]
        }


def test_get_vectors_is_one_request_and_leaves_out_unknown_ids() -> None:
    client = MgetClient({"a": [1.0, 0.0], "b": [0.0, 1.0]})
    store = OpenSearchKnnVectorStore(client, 2, "idx", alias="al")
    got = store.get_vectors(["a", "missing", "b"])
    assert list(got) == ["a", "b"] and got["b"].tolist() == [0.0, 1.0]
    assert client.calls == [["a", "missing", "b"]]
    assert store.get_vectors([]) == {} and len(client.calls) == 1
