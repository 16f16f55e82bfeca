"""The three FAISS index layouts behind `FaissVectorStore`, one small class each.

Every class works on int64 labels handed out by the store's `IdMap` and keeps the authoritative index
on the CPU (mutations, reconstruction, saving). Where a GPU is in use, flat and IVF-PQ searches without
a selector run on a replica copied to the GPU on first use after a change (FAISS GPU indexes support
neither IDSelectors nor removal, so filtered searches stay on the CPU).

- `FlatIndex`: IndexIDMap2(IndexFlatIP), exact; its float32 storage doubles as the vector copy.
- `HnswIndex`: IndexHNSWFlat (inner product). HNSW cannot delete, so a removed or replaced row becomes
  a tombstone, hidden from searches by an IDSelectorBitmap of live rows; the store rebuilds the graph
  when tombstones pass `compact_fraction`. The label of a row is its position in the graph.
- `IvfPqIndex` (in `engine.vectors.faiss_ivfpq`): IVF-PQ with trained codebooks.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InvalidInput, MissingDependency

log = logging.getLogger(__name__)

INDEX_FILE = "index.faiss"
PENDING_VECTORS = "pending_vectors.npy"
PENDING_LABELS = "pending_labels.npy"
_PQ_BITS = 8
_POINTS_PER_CENTROID = 39  # FAISS warns below this many training points per k-means centroid


def import_faiss() -> Any:
    """Import faiss or say what to install."""
    try:
        import faiss
    except ImportError as exc:
        raise MissingDependency("faiss-cpu", "The FAISS vector store") from exc
    return faiss


@dataclass(frozen=True)
class IndexParams:
    """Tunables; saved in the manifest so a loaded index searches like the one that was saved."""

    hnsw_m: int = 32
    ef_construction: int = 200
    ef_search: int = 128
    nprobe: int = 32
    compact_fraction: float = 0.2
    expected_count: int = 0

    def __post_init__(self) -> None:
        for name in ("hnsw_m", "ef_construction", "ef_search", "nprobe"):
            if getattr(self, name) < 1:
                raise InvalidInput(f"vector index parameter {name} must be >= 1")
        if not 0.0 < self.compact_fraction <= 1.0:
            raise InvalidInput("vector index parameter compact_fraction must be in (0, 1]")


def ivfpq_shape(n: int, dim: int) -> tuple[int, int]:
    """(nlist, m) for about `n` vectors of `dim`.

    nlist: the power of two nearest below 4*sqrt(n), at most n/39 so k-means has enough points per
    list. m (bytes per code at 8 bits): dim/8 (8 dimensions per sub-quantizer: 48 at 384-d, 64 at 512-d),
    or the largest divisor of dim below that.
    """
    nlist = 1
    while nlist * 2 <= min(4 * math.sqrt(max(n, 1)), n / _POINTS_PER_CENTROID, 65536):
        nlist *= 2
    m = max(d for d in range(1, max(1, dim // 8) + 1) if dim % d == 0)
    return nlist, m


def ivfpq_training_size(n: int, dim: int) -> int:
    """How many vectors must be buffered before an IVF-PQ for about `n` vectors is trained."""
    nlist, _ = ivfpq_shape(n, dim)
    return _POINTS_PER_CENTROID * max(nlist, 2**_PQ_BITS)


class GpuReplica:
    """A lazily built GPU copy of a CPU index, dropped on every change."""

    def __init__(self, faiss: Any, enabled: bool) -> None:
        self._faiss = faiss
        self.enabled = enabled
        self._lock = threading.Lock()
        self._resources: Any = None
        self._replica: Any = None

    def invalidate(self) -> None:
        self._replica = None

    def get(self, cpu_index: Any) -> Any:
        if not self.enabled or cpu_index is None:
            return None
        with self._lock:
            if self._replica is None:
                try:
                    if self._resources is None:
                        self._resources = self._faiss.StandardGpuResources()
                    self._replica = self._faiss.index_cpu_to_gpu(self._resources, 0, cpu_index)
                except (RuntimeError, AttributeError) as exc:
                    log.warning("vector index stays on the CPU: GPU copy failed: %s", exc)
                    self.enabled = False
                    return None
            return self._replica


class FlatIndex:
    kind = "flat"

    def __init__(self, faiss: Any, dim: int, params: IndexParams, use_gpu: bool, index: Any = None):
        self.faiss, self.dim, self.params = faiss, dim, params
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.gpu = GpuReplica(faiss, use_gpu)

    def add(self, labels: np.ndarray, vectors: np.ndarray) -> None:
        self.index.add_with_ids(vectors, labels)
        self.gpu.invalidate()

    def remove(self, labels: np.ndarray) -> None:
        if labels.size:
            self.index.remove_ids(self.faiss.IDSelectorBatch(labels))
            self.gpu.invalidate()

    def search(
        self, query: np.ndarray, k: int, selected: np.ndarray | None, effort: int
    ) -> tuple[np.ndarray, np.ndarray]:
        if selected is None:
            replica = self.gpu.get(self.index) if k <= 2048 else None
            return (replica if replica is not None else self.index).search(query, k)
        params = self.faiss.SearchParameters(sel=self.faiss.IDSelectorBatch(selected))
        return self.index.search(query, k, params=params)

    def reconstruct(self, labels: np.ndarray) -> np.ndarray:
        return self.index.reconstruct_batch(labels)

    def size(self) -> int:
        return int(self.index.ntotal)

    def needs_compaction(self) -> bool:
        return False

    def write(self, directory: Path) -> None:
        self.faiss.write_index(self.index, str(directory / INDEX_FILE))


class HnswIndex:
    kind = "hnsw"

    def __init__(
        self, faiss: Any, dim: int, params: IndexParams, index: Any = None, live: np.ndarray | None = None
    ):
        self.faiss, self.dim, self.params = faiss, dim, params
        if index is None:
            index = faiss.IndexHNSWFlat(dim, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = params.ef_construction
        index.hnsw.efSearch = params.ef_search
        self.index = index
        self.alive = np.zeros(index.ntotal, dtype=bool)
        if live is not None:
            self.alive[live] = True
        self.dead = int(index.ntotal - self.alive.sum())
        self._bitmap: tuple[np.ndarray, Any] | None = None

    def add(self, labels: np.ndarray, vectors: np.ndarray) -> None:
        start = self.index.ntotal
        if labels.size and (labels[0] != start or labels[-1] != start + labels.size - 1):
            raise AssertionError("HNSW labels must continue the row numbering")
        self.index.add(vectors)
        self.alive = np.concatenate([self.alive, np.ones(labels.size, dtype=bool)])
        self._bitmap = None

    def remove(self, labels: np.ndarray) -> None:
        if labels.size:
            self.dead += int(self.alive[labels].sum())
            self.alive[labels] = False
            self._bitmap = None

    def _live_selector(self) -> Any:
        if self._bitmap is None:
            bits = np.packbits(self.alive, bitorder="little")
            self._bitmap = (bits, self.faiss.IDSelectorBitmap(self.alive.size, self.faiss.swig_ptr(bits)))
        return self._bitmap

    def search(
        self, query: np.ndarray, k: int, selected: np.ndarray | None, effort: int
    ) -> tuple[np.ndarray, np.ndarray]:
        params = self.faiss.SearchParametersHNSW()
        params.efSearch = max(self.params.ef_search, k) * effort
        keep_alive: Any = None
        if selected is not None:
            params.sel = self.faiss.IDSelectorBatch(selected)
        elif self.dead:
            keep_alive = self._live_selector()  # the bitmap must outlive the search
            params.sel = keep_alive[1]
        distances, labels = self.index.search(query, k, params=params)
        del keep_alive
        return distances, labels

    def reconstruct(self, labels: np.ndarray) -> np.ndarray:
        return self.index.reconstruct_batch(labels)

    def size(self) -> int:
        return int(self.index.ntotal) - self.dead

    def needs_compaction(self) -> bool:
        return self.dead > 0 and self.dead > self.params.compact_fraction * self.index.ntotal

    def rebuilt(self) -> tuple[HnswIndex, dict[int, int]]:
        """A fresh graph over the live rows, and the old-row -> new-row map for the id map."""
        rows = np.flatnonzero(self.alive).astype(np.int64)
        fresh = HnswIndex(self.faiss, self.dim, self.params)
        for start in range(0, rows.size, 65536):
            chunk = rows[start : start + 65536]
            fresh.add(np.arange(start, start + chunk.size, dtype=np.int64), self.reconstruct(chunk))
        return fresh, {int(old): new for new, old in enumerate(rows.tolist())}

    def write(self, directory: Path) -> None:
        self.faiss.write_index(self.index, str(directory / INDEX_FILE))
