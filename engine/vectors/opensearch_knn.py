"""`VectorStore` on the OpenSearch k-NN plugin: product vectors served by the search cluster itself.

When: the catalog's vectors outgrow one machine's memory, or several gateways must see one index that
the indexer updates in place (FAISS files are per machine). Index layout, engines and scores are in
`engine.vectors.knn_mapping`.

Lifecycle: a store made with `create` writes into a new physical index `<alias>-<UTC timestamp>`;
`save` publishes it by moving the alias in one `_aliases` call, deletes the indexes the alias left and
writes the manifest (count, dims, encoder, index names) into the given directory. `open` attaches to
what an alias serves now, for incremental adds and removes.

Filtered search: `allowed_ids` and `exclude` become the `filter` inside the k-NN query (efficient
filtering), never a post-filter, so the page is full whenever enough vectors are eligible. If a query
still comes back short of min(k, eligible) it is answered again exactly with the plugin's `knn_score`
script over the eligible ids. Id sets above `MAX_TERMS` are searched in parts and merged.

Writes are bulk requests; the index is refreshed lazily before the next read, so a search sees every
earlier `add`/`remove` of this store without a refresh per write.
"""

from __future__ import annotations

import heapq
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import BackendUnavailable, InvalidInput, NotFound
from engine.lexical.opensearch import backend_errors
from engine.records import ScoredId
from engine.storage import write_atomic
from engine.vectors import knn_mapping as km
from engine.vectors.base import VectorManifest, query_row

MANIFEST = "manifest.json"


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


class OpenSearchKnnVectorStore:
    """One embedding space's vectors in a k-NN index. See the module docstring for the contract."""

    def __init__(
        self,
        client: Any,
        dim: int,
        index: str,
        *,
        alias: str,
        space: str = "text",
        chunk_size: int = 500,
        ef_search: int = km.KnnParams().ef_search,
    ) -> None:
        self.client, self.dim, self.index, self.alias = client, dim, index, alias
        self.space = space
        self.ef_search = ef_search
        self.chunk_size = chunk_size
        self._dirty = False
        self._lock = threading.Lock()

    @classmethod
    def create(
        cls, client: Any, dim: int, *, alias: str, space: str = "text", params: km.KnnParams | None = None
    ) -> OpenSearchKnnVectorStore:
        """An empty store in a new physical index (the alias moves to it on `save`)."""
        if dim < 1:
            raise InvalidInput(f"vector dimension must be positive, got {dim}")
        params = params or km.KnnParams()
        index = f"{alias}-{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}"
        with backend_errors(f"create vectors index {index}"):
            client.indices.create(index=index, body=km.index_body(dim, params))
        return cls(client, dim, index, alias=alias, space=space, ef_search=params.ef_search)

    @classmethod
    def open(
        cls, client: Any, alias: str, *, space: str = "text", ef_search: int = km.KnnParams().ef_search
    ) -> OpenSearchKnnVectorStore:
        """Attach to the physical index `alias` points at; NotFound when there is none."""
        with backend_errors(f"resolve alias {alias}"):
            if not client.indices.exists_alias(name=alias):
                raise NotFound(f"no vectors index behind alias {alias}")
            (index,) = client.indices.get_alias(name=alias).keys()
            mapping = client.indices.get_mapping(index=index)[index]["mappings"]
        dim = int(mapping["properties"][km.VECTOR_FIELD]["dimension"])
        return cls(client, dim, index, alias=alias, space=space, ef_search=ef_search)

    # --- writes -------------------------------------------------------------------------------------

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        array = np.asarray(vectors, dtype=np.float32)
        if array.ndim != 2 or array.shape != (len(ids), self.dim):
            raise InvalidInput(f"expected vectors of shape ({len(ids)}, {self.dim}), got {array.shape}")
        if not np.isfinite(array).all():
            raise InvalidInput("vectors contain NaN or infinite values")
        last = {product_id: row for row, product_id in enumerate(ids)}  # a repeated id: last one wins
        batch = _normalise(array[list(last.values())])
        actions = (
            {"_op_type": "index", "_index": self.index, "_id": pid, km.ID_FIELD: pid, km.VECTOR_FIELD: row}
            for pid, row in zip(last, batch.tolist(), strict=True)
        )
        self._bulk(actions)

    def remove(self, ids: Sequence[str]) -> int:
        actions = ({"_op_type": "delete", "_index": self.index, "_id": pid} for pid in dict.fromkeys(ids))
        return sum(1 for item in self._bulk(actions) if item.get("result") == "deleted")

    def _bulk(self, actions: Iterator[dict[str, Any]]) -> list[dict[str, Any]]:
        from opensearchpy import helpers

        results = []
        with backend_errors(f"bulk write to {self.index}"):
            for ok, item in helpers.streaming_bulk(
                self.client, actions, chunk_size=self.chunk_size, raise_on_error=False, max_retries=3
            ):
                (detail,) = item.values()
                if not ok and detail.get("status") != 404:
                    raise BackendUnavailable("opensearch", f"bulk write to {self.index} failed: {detail}")
                results.append(detail)
        with self._lock:
            self._dirty = True
        return results

    def _refresh_if_dirty(self) -> None:
        with self._lock:
            if self._dirty:
                with backend_errors(f"refresh {self.index}"):
                    self.client.indices.refresh(index=self.index)
                self._dirty = False

    # --- reads --------------------------------------------------------------------------------------

    def search(
        self, query: np.ndarray, k: int, allowed_ids: set[str] | None = None, exclude: Sequence[str] = ()
    ) -> list[ScoredId]:
        q = query_row(query, self.dim)
        if k <= 0:
            return []
        if k > km.MAX_K:
            raise InvalidInput(f"k={k} is above the k-NN limit of {km.MAX_K}")
        vector = _normalise(q)[0].tolist()
        skip = sorted(set(exclude))
        self._refresh_if_dirty()
        if allowed_ids is None:
            return self._search_part(vector, k, None, skip)
        eligible = sorted(set(allowed_ids).difference(skip))
        parts = [eligible[i : i + km.MAX_TERMS] for i in range(0, len(eligible), km.MAX_TERMS)]
        hits = [hit for part in parts for hit in self._search_part(vector, k, part, [])]
        return heapq.nlargest(k, hits, key=lambda h: h.score)

    def _search_part(
        self, vector: list[float], k: int, allowed: list[str] | None, skip: list[str]
    ) -> list[ScoredId]:
        filter_ = km.id_filter(allowed, skip)
        hits = self._hits(km.knn_search(vector, k, filter_, self.ef_search))[:k]
        if len(hits) < k and len(hits) < self._count(filter_):
            hits = self._hits(km.exact_search(vector, k, filter_))
        return hits

    def _hits(self, body: dict[str, Any]) -> list[ScoredId]:
        with backend_errors(f"search {self.index}"):
            response = self.client.search(index=self.index, body=body)
        return [ScoredId(h["_id"], km.to_inner_product(float(h["_score"]))) for h in response["hits"]["hits"]]

    def _count(self, filter_: dict[str, Any] | None) -> int:
        body = {"query": filter_} if filter_ else None
        with backend_errors(f"count {self.index}"):
            return int(self.client.count(index=self.index, body=body)["count"])

    def get_vector(self, product_id: str) -> np.ndarray | None:
        with backend_errors(f"get from {self.index}"):
            found = self.client.get(
                index=self.index, id=product_id, _source_includes=[km.VECTOR_FIELD], ignore=404
            )
        if not found.get("found"):
            return None
        return np.asarray(found["_source"][km.VECTOR_FIELD], dtype=np.float32)

    def get_vectors(self, product_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """One multi-get for many ids (absent ids are left out)."""
        if not product_ids:
            return {}
        with backend_errors(f"mget from {self.index}"):
            found = self.client.mget(
                index=self.index, body={"ids": list(product_ids)}, _source_includes=[km.VECTOR_FIELD]
            )
        return {
            doc["_id"]: np.asarray(doc["_source"][km.VECTOR_FIELD], dtype=np.float32)
            for doc in found["docs"]
            if doc.get("found") and km.VECTOR_FIELD in doc.get("_source", {})
        }

    def contains(self, product_id: str) -> bool:
        with backend_errors(f"get from {self.index}"):
            return bool(self.client.exists(index=self.index, id=product_id))

    def count(self) -> int:
        self._refresh_if_dirty()
        return self._count(None)

    def ids(self) -> list[str]:
        """Every product id, in id order (search_after pages over the keyword field)."""
        self._refresh_if_dirty()
        out: list[str] = []
        body: dict[str, Any] = {"size": km.MAX_K, "_source": False, "sort": [{km.ID_FIELD: "asc"}]}
        while True:
            with backend_errors(f"list ids of {self.index}"):
                hits = self.client.search(index=self.index, body=body)["hits"]["hits"]
            out.extend(h["_id"] for h in hits)
            if len(hits) < km.MAX_K:
                return out
            body["search_after"] = hits[-1]["sort"]

    # --- publishing ---------------------------------------------------------------------------------

    def save(self, directory: Path, manifest: VectorManifest) -> None:
        """Publish this index under the alias and write the manifest to `directory` (atomically)."""
        self._refresh_if_dirty()
        with backend_errors(f"publish {self.index} as {self.alias}"):
            self.client.indices.flush(index=self.index)
            indices = self.client.indices
            old = (
                list(indices.get_alias(name=self.alias).keys())
                if indices.exists_alias(name=self.alias)
                else []
            )
            actions = [{"remove": {"index": i, "alias": self.alias}} for i in old if i != self.index]
            actions.append({"add": {"index": self.index, "alias": self.alias}})
            indices.update_aliases(body={"actions": actions})
            for stale in (i for i in old if i != self.index):
                indices.delete(index=stale, ignore=404)
        final = replace(manifest, count=self.count(), dim=self.dim, index_type="opensearch-knn")
        payload = {**asdict(final), "backend": "opensearch-knn", "alias": self.alias, "index": self.index}
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(directory / MANIFEST, json.dumps(payload, indent=2, sort_keys=True))


def read_knn_manifest(directory: Path) -> tuple[VectorManifest, str]:
    """(manifest, alias) written by `save`; NotFound when the directory holds none."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise NotFound(f"no vectors manifest in {directory}")
    data = json.loads(path.read_text(encoding="utf-8"))
    names = VectorManifest.__dataclass_fields__
    return VectorManifest(**{k: v for k, v in data.items() if k in names}), str(data["alias"])
