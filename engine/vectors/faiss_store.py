"""FAISS implementation of `VectorStore`: string product ids over int64 FAISS labels.

Vectors are re-normalised on the way in, so inner product is cosine even for a careless caller. The
index layout (flat, HNSW, IVF-PQ) lives in `engine.vectors.faiss_indexes` / `faiss_ivfpq`; this class
adds what they share: the id map, locking, filtered search that always fills the page, and saving.

Filtered search (`allowed_ids`): a small eligible set (<= `EXACT_LIMIT`) is scored exactly from
reconstructed vectors, which is both faster and exact; a larger one is searched through a FAISS
IDSelector. If the approximate search still comes back short (an HNSW graph or IVF lists cut off by the
filter), it is retried with more effort (efSearch / nprobe) and finally answered exactly, so the result
holds min(k, eligible) hits. `exclude` is handled the same way by over-fetching.

Thread safety: searches share a readers-writer lock; add, remove and compaction take it exclusively.

Just over 300 lines because it is one class: the id map, locking, filtered search, range search and
saving share its state; the index layouts are already in their own modules.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import IndexMismatch, InvalidInput
from engine.inference.base import EncoderInfo
from engine.records import ScoredId
from engine.vectors import persist
from engine.vectors.base import VectorManifest, query_row
from engine.vectors.faiss_indexes import FlatIndex, HnswIndex, IndexParams, import_faiss
from engine.vectors.faiss_ivfpq import IvfPqIndex
from engine.vectors.idmap import IdMap
from engine.vectors.range_copy import RangeCopies, RangeCopy
from engine.vectors.rwlock import RWLock

INDEX_TYPES = ("flat", "hnsw", "ivfpq")
EXACT_LIMIT = 4096
_IDMAP_FILE = "ids.arrow"
_EXACT_CHUNK = 65536
_EFFORTS = (1, 4, 16)


class FaissVectorStore:
    """One embedding space's vectors. See the module docstring for the search contract."""

    def __init__(
        self,
        dim: int,
        index_type: str = "flat",
        *,
        space: str = "text",
        params: IndexParams | None = None,
        use_gpu: bool = False,
    ) -> None:
        if index_type not in INDEX_TYPES:
            raise InvalidInput(f"unknown vector index type {index_type!r}; expected one of {INDEX_TYPES}")
        if dim < 1:
            raise InvalidInput(f"vector dimension must be positive, got {dim}")
        self.dim, self.space, self.index_type = dim, space, index_type
        self.params = params or IndexParams()
        self.use_gpu = use_gpu
        self._faiss = import_faiss()
        self._idmap = IdMap()
        self._lock = RWLock()
        self._index: Any = self._new_index()
        # What range searches read: made by the first one, kept across writes (engine.vectors.range_copy).
        self._copies = RangeCopies(self._lock, self._faiss, self._snapshot)

    def _new_index(self) -> Any:
        if self.index_type == "flat":
            return FlatIndex(self._faiss, self.dim, self.params, self.use_gpu)
        if self.index_type == "hnsw":
            return HnswIndex(self._faiss, self.dim, self.params)
        return IvfPqIndex(self._faiss, self.dim, self.params, self.use_gpu)

    # --- mutations ---------------------------------------------------------------------------------

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        batch_ids, batch = self._check_batch(ids, vectors)
        if not batch_ids:
            return
        with self._lock.write():
            labels, replaced = self._idmap.assign(batch_ids)
            self._index.remove(replaced)
            self._index.add(labels, batch)
            self._compact_if_needed()
            self._copy_after_write(batch_ids, batch_ids, batch)

    def remove(self, ids: Sequence[str]) -> int:
        with self._lock.write():
            labels = self._idmap.drop(dict.fromkeys(ids))
            self._index.remove(labels)
            self._compact_if_needed()
            self._copy_after_write(ids)
            return int(labels.size)

    def _copy_after_write(
        self, removed: Sequence[str], added_ids: Sequence[str] = (), added: np.ndarray | None = None
    ) -> None:
        """Keep the range searches' copy across a write where it can say exactly what changed (flat and
        HNSW store the rows as given; IVF-PQ's copy is reconstructed, so it is made again)."""
        self._copies.after_write(removed, added_ids, added, recordable=self.index_type != "ivfpq")

    @property
    def _matrix(self) -> RangeCopy | None:
        """The range searches' current copy (None before the first range search)."""
        return self._copies.copy

    def _compact_if_needed(self) -> None:
        if self._index.needs_compaction():
            self._index, old_to_new = self._index.rebuilt()
            self._idmap.relabel(old_to_new, next_label=len(old_to_new))

    def _check_batch(self, ids: Sequence[str], vectors: np.ndarray) -> tuple[list[str], np.ndarray]:
        array = np.asarray(vectors, dtype=np.float32)
        if array.ndim != 2 or array.shape[1] != self.dim or array.shape[0] != len(ids):
            raise InvalidInput(
                f"expected vectors of shape ({len(ids)}, {self.dim}), got {tuple(array.shape)}"
            )
        if not np.isfinite(array).all():
            raise InvalidInput("vectors contain NaN or infinite values")
        last = {product_id: row for row, product_id in enumerate(ids)}  # a repeated id: last one wins
        batch = np.ascontiguousarray(array[list(last.values())], dtype=np.float32)
        self._faiss.normalize_L2(batch)
        return list(last), batch

    # --- reads -------------------------------------------------------------------------------------

    def search(
        self, query: np.ndarray, k: int, allowed_ids: set[str] | None = None, exclude: Sequence[str] = ()
    ) -> list[ScoredId]:
        if k <= 0:
            return []
        q = self._unit(query)
        with self._lock.read():
            excluded = self._idmap.labels_for(exclude)
            if allowed_ids is None:
                want = min(k, len(self._idmap) - excluded.size)
                return self._approximate(q, want, None, excluded) if want > 0 else []
            selected = self._idmap.labels_for(allowed_ids)
            if excluded.size:
                selected = np.setdiff1d(selected, excluded, assume_unique=True)
            want = min(k, selected.size)
            if want == 0:
                return []
            if selected.size <= EXACT_LIMIT:
                return self._exact(q, selected, want)
            return self._approximate(q, want, selected, excluded[:0])

    def _approximate(
        self, q: np.ndarray, want: int, selected: np.ndarray | None, excluded: np.ndarray
    ) -> list[ScoredId]:
        skip = set(excluded.tolist())
        fetch = want + len(skip)
        hits: list[ScoredId] = []
        for effort in _EFFORTS:
            distances, labels = self._index.search(q, fetch, selected, effort)
            hits = self._to_hits(distances[0], labels[0], skip)
            if len(hits) >= want:
                return hits[:want]
        candidates = selected if selected is not None else self._idmap.labels()
        if skip:
            candidates = np.setdiff1d(candidates, excluded)
        return self._exact(q, candidates, want)

    def _to_hits(self, distances: np.ndarray, labels: np.ndarray, skip: set[int]) -> list[ScoredId]:
        hits = []
        for score, label in zip(distances.tolist(), labels.tolist(), strict=True):
            if label < 0 or label in skip:
                continue
            product_id = self._idmap.product_id(label)
            if product_id is not None:
                hits.append(ScoredId(product_id, float(score)))
        return hits

    def _exact(self, q: np.ndarray, labels: np.ndarray, want: int) -> list[ScoredId]:
        """Exact top-`want` among `labels`, scored in chunks from reconstructed vectors."""
        best: list[tuple[float, int]] = []
        for start in range(0, labels.size, _EXACT_CHUNK):
            chunk = np.ascontiguousarray(labels[start : start + _EXACT_CHUNK], dtype=np.int64)
            scores = self._index.reconstruct(chunk) @ q[0]
            top = np.argpartition(-scores, min(want, scores.size) - 1)[:want]
            best = heapq.nlargest(want, best + [(float(scores[i]), int(chunk[i])) for i in top])
        return self._to_hits(
            np.array([s for s, _ in best]), np.array([label for _, label in best], dtype=np.int64), set()
        )

    def prepare_range_search(self) -> None:
        """Make the range searches' copy now (its int8 part on a thread of its own) instead of at the
        first range search, which would otherwise wait for the flat copy (74-216 ms on homedepot) and
        be followed by plain scans until the int8 part is built; and the copy's id index, which the
        first write would otherwise make while it holds the exclusive lock."""
        with self._lock.read():
            self._copies.current().index_ids()

    def range_search_state(self) -> str:
        """What range searches read now: `none` (no copy yet: the first range search makes it),
        `building` (plain scans answer until the int8 part is built) or `ready`."""
        copy = self._copies.copy
        if copy is None:
            return "none"
        return "ready" if copy.scanner.settled else "building"

    def within_scores(self, query: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray]:
        """Every stored product whose inner product with `query` is above `min_score` (a range search,
        exact over all vectors; the search pipeline's semantic match set), as two arrays in row order:
        product ids (object) and float32 scores. Arrays, not hits: a broad query has thousands of
        members, and the match set splits and keys them without an object per member.

        An approximate index (HNSW, IVF-PQ) cannot answer "all above a score", so the first call copies
        the vectors into a `RangeScanner` and keeps it, across small writes too (`RangeCopy`): a flat
        FAISS range search at first, then, once its int8 copy is built in the background, an int8
        pre-filter with a proven error bound and FAISS's exact scores for the rows that may pass: the
        same answer, a quarter of the bytes read."""
        q = self._unit(query)
        with self._lock.read():
            return self._copies.current().within(q, min_score)

    def nearest_and_within(
        self, query: np.ndarray, k: int, min_score: float
    ) -> tuple[list[ScoredId], tuple[np.ndarray, np.ndarray]] | None:
        """(the exact top `k` of the whole store, `within_scores(query, min_score)`) from one pass over
        the int8 copy (`RangeScanner.nearest_and_within`), for a search that needs both: its dense
        candidates and its semantic match set. None until that copy is built, or when the range holds
        most products: then `search` and `within_scores` answer apart."""
        q = self._unit(query)
        with self._lock.read():
            found = self._copies.current().nearest_and_within(q, k, min_score) if k > 0 else None
        if found is None:
            return None
        top_ids, top_scores, ids, scores = found
        top = [ScoredId(pid, s) for pid, s in zip(top_ids.tolist(), top_scores.tolist(), strict=True)]
        return top, (ids, scores)

    def _unit(self, query: np.ndarray) -> np.ndarray:
        """`query` as a contiguous (1, dim) float32 row of length 1, in a copy: normalising the caller's
        array in place would change its last bits at every call (the same query then scored differently
        by two searches)."""
        q = np.array(query_row(query, self.dim), dtype=np.float32, order="C")
        self._faiss.normalize_L2(q)
        return q

    def _snapshot(self) -> tuple[np.ndarray, np.ndarray]:
        """Every stored product id and its row, in label order (for the range copy; under the lock)."""
        labels = self._idmap.labels()
        matrix = np.empty((labels.size, self.dim), dtype=np.float32)
        for start in range(0, labels.size, _EXACT_CHUNK):
            chunk = np.ascontiguousarray(labels[start : start + _EXACT_CHUNK])
            matrix[start : start + chunk.size] = self._index.reconstruct(chunk)
        ids = np.array([self._idmap.product_id(label) for label in labels.tolist()], dtype=object)
        return ids, matrix

    def get_vector(self, product_id: str) -> np.ndarray | None:
        with self._lock.read():
            label = self._idmap.label(product_id)
            if label is None:
                return None
            return self._index.reconstruct(np.array([label], dtype=np.int64))[0].copy()

    def get_vectors(self, product_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of many ids in one reconstruction (absent ids are left out)."""
        ids, matrix = self.vector_matrix(product_ids)
        return dict(zip(ids, matrix, strict=True))

    def vector_matrix(self, product_ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The stored ids among `product_ids`, in their order, and their vectors as the rows of one
        float32 matrix: the search pipeline scores about a hundred lexical-only candidates per query
        this way, without a row per id in a dict and a stack back into a matrix."""
        with self._lock.read():
            labels = self._idmap.labels_in_order(product_ids)
            ids = [pid for pid, label in zip(product_ids, labels, strict=True) if label is not None]
            if not ids:
                return [], np.zeros((0, self.dim), dtype=np.float32)
            found = np.fromiter(
                (label for label in labels if label is not None), dtype=np.int64, count=len(ids)
            )
            matrix = np.array(self._index.reconstruct(found), dtype=np.float32)
        return ids, matrix

    def contains(self, product_id: str) -> bool:
        with self._lock.read():
            return product_id in self._idmap

    def count(self) -> int:
        with self._lock.read():
            return len(self._idmap)

    def ids(self) -> list[str]:
        with self._lock.read():
            return self._idmap.ids()

    # --- persistence -------------------------------------------------------------------------------

    def manifest_for(self, encoder: EncoderInfo, catalog_checksum: str = "") -> VectorManifest:
        """A manifest describing this store as built with `encoder` (count and type filled at save)."""
        return VectorManifest(
            space=self.space,
            model_name=encoder.name,
            model_version=encoder.version,
            dim=encoder.dim,
            count=0,
            index_type=self.index_type,
            catalog_checksum=catalog_checksum,
        )

    def save(self, directory: Path, manifest: VectorManifest) -> None:
        """Save crash-safely (see `engine.vectors.persist`); count, type and time come from the store."""
        if manifest.dim != self.dim:
            raise IndexMismatch(f"manifest says dim {manifest.dim}, the store holds dim {self.dim}")
        with self._lock.read():
            final = replace(
                manifest,
                count=len(self._idmap),
                index_type=self.index_type,
                created_at=manifest.created_at or dt.datetime.now(dt.timezone.utc).isoformat(),
            )

            def write_files(target: Path) -> None:
                self._index.write(target)
                self._idmap.save(target / _IDMAP_FILE)

            persist.write_generation(Path(directory), write_files, final, asdict(self.params))

    @classmethod
    def load(cls, directory: Path, *, use_gpu: bool = False) -> tuple[FaissVectorStore, VectorManifest]:
        """Load the live generation of `directory`; NotFound if none, IndexMismatch if inconsistent."""
        generation = persist.current_generation(Path(directory))
        manifest, raw_params = persist.read_manifest(generation)
        if manifest.index_type not in INDEX_TYPES:
            raise IndexMismatch(f"{generation}: unknown index type {manifest.index_type!r}")
        params = IndexParams(**raw_params)
        store = cls(manifest.dim, manifest.index_type, space=manifest.space, params=params, use_gpu=use_gpu)
        store._idmap = IdMap.load(generation / _IDMAP_FILE)
        faiss, index_file = store._faiss, str(generation / "index.faiss")
        if manifest.index_type == "flat":
            store._index = FlatIndex(faiss, manifest.dim, params, use_gpu, faiss.read_index(index_file))
        elif manifest.index_type == "hnsw":
            store._index = HnswIndex(
                faiss, manifest.dim, params, faiss.read_index(index_file), live=store._idmap.labels()
            )
        else:
            store._index = IvfPqIndex.read(faiss, generation, manifest.dim, params, use_gpu)
        store._check_loaded(generation, manifest)
        return store, manifest

    def _check_loaded(self, generation: Path, manifest: VectorManifest) -> None:
        index, held = self._index.index, self._index.size()
        consistent = held == len(self._idmap) == manifest.count
        if index is not None and index.d != manifest.dim:
            consistent = False
        if isinstance(self._index, HnswIndex) and self._idmap.next_label != index.ntotal:
            consistent = False  # HNSW labels are row numbers
        if not consistent:
            raise IndexMismatch(
                f"{generation}: index ({held} vectors, dim {manifest.dim}), id map ({len(self._idmap)}) "
                f"and manifest ({manifest.count}) disagree"
            )
