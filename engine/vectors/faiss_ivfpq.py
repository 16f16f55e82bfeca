"""IVF-PQ layout of `FaissVectorStore`: compressed codes for catalogs of millions of vectors.

The index comes from `index_factory("IVF{nlist},PQ{m}x8")` with inner product, shaped by
`ivfpq_shape` from the expected catalog size and the dimension, and a hashtable direct map so any
label can be removed or reconstructed (approximately: PQ is lossy).

IVF-PQ needs training data. Vectors added before `ivfpq_training_size` of them have arrived stay raw in
a pending buffer, searched exactly (so a small catalog behaves like a flat index); the first add that
reaches the threshold trains the coarse quantizer and the codebooks on a sample of the buffer and
moves everything into the index. An untrained store saves its buffer as two .npy files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from engine.vectors.faiss_indexes import (
    INDEX_FILE,
    PENDING_LABELS,
    PENDING_VECTORS,
    GpuReplica,
    IndexParams,
    ivfpq_shape,
    ivfpq_training_size,
)

_MAX_TRAINING_POINTS = 256 * 1024


class IvfPqIndex:
    kind = "ivfpq"

    def __init__(
        self,
        faiss: Any,
        dim: int,
        params: IndexParams,
        use_gpu: bool,
        index: Any = None,
        pending: tuple[np.ndarray, np.ndarray] | None = None,
    ):
        self.faiss, self.dim, self.params = faiss, dim, params
        self.index = index
        self.gpu = GpuReplica(faiss, use_gpu)
        labels, vectors = pending if pending is not None else (np.empty(0, np.int64), None)
        self._pending_labels = labels
        self._pending = vectors if vectors is not None else np.empty((0, dim), np.float32)

    @property
    def trained(self) -> bool:
        return self.index is not None

    @property
    def nlist(self) -> int:
        return int(self.faiss.extract_index_ivf(self.index).nlist) if self.trained else 0

    def add(self, labels: np.ndarray, vectors: np.ndarray) -> None:
        self.gpu.invalidate()
        if self.trained:
            self.index.add_with_ids(vectors, labels)
            return
        self._pending_labels = np.concatenate([self._pending_labels, labels])
        self._pending = np.concatenate([self._pending, vectors])
        if self._pending_labels.size >= ivfpq_training_size(self.params.expected_count, self.dim):
            self._train()

    def _train(self) -> None:
        count = self._pending_labels.size
        nlist, m = ivfpq_shape(max(self.params.expected_count, count), self.dim)
        index = self.faiss.index_factory(self.dim, f"IVF{nlist},PQ{m}x8", self.faiss.METRIC_INNER_PRODUCT)
        ivf = self.faiss.extract_index_ivf(index)
        ivf.set_direct_map_type(self.faiss.DirectMap.Hashtable)
        sample = self._pending
        if count > _MAX_TRAINING_POINTS:
            rows = np.random.default_rng(0).choice(count, _MAX_TRAINING_POINTS, replace=False)
            sample = self._pending[np.sort(rows)]
        index.train(sample)
        index.add_with_ids(self._pending, self._pending_labels)
        self.index = index
        self._pending_labels = np.empty(0, np.int64)
        self._pending = np.empty((0, self.dim), np.float32)

    def remove(self, labels: np.ndarray) -> None:
        if not labels.size:
            return
        self.gpu.invalidate()
        if self.trained:
            labels = np.ascontiguousarray(labels, dtype=np.int64)
            self.index.remove_ids(self.faiss.IDSelectorArray(labels.size, self.faiss.swig_ptr(labels)))
        else:
            keep = ~np.isin(self._pending_labels, labels)
            self._pending_labels = self._pending_labels[keep]
            self._pending = self._pending[keep]

    def search(
        self, query: np.ndarray, k: int, selected: np.ndarray | None, effort: int
    ) -> tuple[np.ndarray, np.ndarray]:
        if not self.trained:
            return self._search_pending(query, k, selected)
        params = self.faiss.SearchParametersIVF()
        params.nprobe = min(self.params.nprobe * effort, self.nlist)
        if selected is not None:
            params.sel = self.faiss.IDSelectorBatch(selected)
        elif k <= 2048:
            replica = self.gpu.get(self.index)
            if replica is not None:
                return replica.search(query, k, params=params)
        return self.index.search(query, k, params=params)

    def _search_pending(
        self, query: np.ndarray, k: int, selected: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        labels, vectors = self._pending_labels, self._pending
        if selected is not None:
            mask = np.isin(labels, selected)
            labels, vectors = labels[mask], vectors[mask]
        scores = vectors @ query[0]
        top = np.argsort(-scores, kind="stable")[:k]
        distances = np.full((1, k), -np.inf, dtype=np.float32)
        found = np.full((1, k), -1, dtype=np.int64)
        distances[0, : top.size] = scores[top]
        found[0, : top.size] = labels[top]
        return distances, found

    def reconstruct(self, labels: np.ndarray) -> np.ndarray:
        if self.trained:
            return self.index.reconstruct_batch(np.ascontiguousarray(labels, dtype=np.int64))
        position = {int(label): row for row, label in enumerate(self._pending_labels.tolist())}
        return self._pending[[position[int(label)] for label in labels]]

    def size(self) -> int:
        return int(self._pending_labels.size) + (int(self.index.ntotal) if self.trained else 0)

    def needs_compaction(self) -> bool:
        return False

    def write(self, directory: Path) -> None:
        if self.trained:
            self.faiss.write_index(self.index, str(directory / INDEX_FILE))
        else:
            np.save(directory / PENDING_VECTORS, self._pending, allow_pickle=False)
            np.save(directory / PENDING_LABELS, self._pending_labels, allow_pickle=False)

    @classmethod
    def read(cls, faiss: Any, directory: Path, dim: int, params: IndexParams, use_gpu: bool) -> IvfPqIndex:
        if (directory / INDEX_FILE).is_file():
            return cls(faiss, dim, params, use_gpu, index=faiss.read_index(str(directory / INDEX_FILE)))
        pending = (
            np.load(directory / PENDING_LABELS, allow_pickle=False),
            np.load(directory / PENDING_VECTORS, allow_pickle=False),
        )
        return cls(faiss, dim, params, use_gpu, pending=pending)
