"""Creating and loading OpenSearch k-NN vector stores from settings (`AISLE_VECTOR_BACKEND=opensearch-knn`).

`KnnVectorIO` is the `VectorStoreIO` that `engine.vectors.factory.FactoryVectorIO` picks for that
backend: one client shared by every store it creates or loads (the indexer, the gateway's catalog and
its reloads). The store itself is `engine.vectors.opensearch_knn`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.vectors import knn_mapping as km
from engine.vectors.base import check_encoder
from engine.vectors.opensearch_knn import OpenSearchKnnVectorStore, read_knn_manifest


def create_knn_store(settings: Any, space: str, dim: int, client: Any = None) -> OpenSearchKnnVectorStore:
    """A new store for `space` from settings (`index_alias`, `knn_*`, `opensearch_*`)."""
    client = client if client is not None else _client(settings)
    params = km.KnnParams(
        engine=settings.knn_engine,
        m=settings.hnsw_m,
        ef_construction=settings.hnsw_ef_construction,
        ef_search=settings.hnsw_ef_search,
        encoder=settings.knn_encoder,
        shards=settings.opensearch_shards,
        replicas=settings.opensearch_replicas,
    )
    alias = f"{settings.index_alias}-vectors-{space}"
    return OpenSearchKnnVectorStore.create(client, dim, alias=alias, space=space, params=params)


def load_knn_store(
    settings: Any, directory: Path, expect: Any = None, client: Any = None
) -> OpenSearchKnnVectorStore:
    """The store whose manifest `save` wrote into `directory`, attached to the index its alias serves.

    `expect` (an `EncoderInfo`) is checked against the manifest first: an index built by another
    encoder is `IndexMismatch`, as with FAISS files. NotFound when no manifest or no alias exists.
    """
    manifest, alias = read_knn_manifest(directory)
    if expect is not None:
        check_encoder(manifest.encoder, expect, f"vectors index {alias} ({manifest.space})")
    client = client if client is not None else _client(settings)
    return OpenSearchKnnVectorStore.open(
        client, alias, space=manifest.space, ef_search=settings.hnsw_ef_search
    )


class KnnVectorIO:
    """`engine.catalog.VectorStoreIO` for `AISLE_VECTOR_BACKEND=opensearch-knn`: one client shared by
    every store it creates or loads (the indexer, the gateway's catalog and its reloads)."""

    def __init__(self, settings: Any, client: Any = None) -> None:
        self.settings = settings
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = _client(self.settings)
        return self._client

    def create(self, space: str, dim: int, expected_count: int) -> OpenSearchKnnVectorStore:
        return create_knn_store(self.settings, space, dim, self.client)

    def load(self, directory: Path, expect: Any) -> OpenSearchKnnVectorStore:
        return load_knn_store(self.settings, directory, expect, self.client)


def _client(settings: Any) -> Any:
    from engine.lexical.opensearch import make_client

    return make_client(settings)
