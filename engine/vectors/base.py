"""The vector store protocol: product-id-keyed nearest-neighbour search in one embedding space.

The engine keeps one store per space ("text" for the BERT encoder, "image" for CLIP). The FAISS
implementation lives in `engine.vectors.faiss_store`; `engine.vectors.factory` picks the index type
(exact, HNSW, IVF-PQ) from settings and catalog size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from engine.errors import IndexMismatch, InvalidInput
from engine.inference.base import EncoderInfo
from engine.records import ScoredId


@dataclass(frozen=True)
class VectorManifest:
    """What a saved vector index holds; written beside the index file and checked on load."""

    space: str
    model_name: str
    model_version: str
    dim: int
    count: int
    index_type: str
    catalog_checksum: str = ""
    created_at: str = ""

    @property
    def encoder(self) -> EncoderInfo:
        """The encoder the vectors were computed with."""
        return EncoderInfo(self.model_name, self.model_version, self.dim)


@runtime_checkable
class VectorStore(Protocol):
    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Insert or replace vectors (shape (n, dim), L2-normalised float32) for these product ids."""
        ...

    def remove(self, ids: Sequence[str]) -> int:
        """Remove ids; returns how many were present."""
        ...

    def search(
        self, query: np.ndarray, k: int, allowed_ids: set[str] | None = None, exclude: Sequence[str] = ()
    ) -> list[ScoredId]:
        """Top-k by inner product (cosine on normalised vectors).

        With `allowed_ids`, only those ids are eligible and the result holds min(k, eligible) hits:
        never silently fewer when enough eligible vectors exist.
        """
        ...

    def get_vector(self, product_id: str) -> np.ndarray | None: ...

    def get_vectors(self, product_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of `product_ids` (absent ids are left out), in one round trip where the
        backend allows it."""
        ...

    def contains(self, product_id: str) -> bool: ...

    def count(self) -> int: ...

    def ids(self) -> list[str]: ...

    def save(self, directory: Path, manifest: VectorManifest) -> None:
        """Write index + id map + manifest to `directory` atomically (temp names, then rename)."""
        ...


def query_row(query: np.ndarray, dim: int) -> np.ndarray:
    """A search query as one float32 row of the store's dimension (InvalidInput otherwise); every
    `VectorStore.search` starts here."""
    row = np.asarray(query, dtype=np.float32).reshape(1, -1)
    if row.shape[1] != dim:
        raise InvalidInput(f"query has dimension {row.shape[1]}, the index has {dim}")
    return row


class VectorStoreIO(Protocol):
    """How the catalog and the indexer create and load vector stores (`engine.vectors.factory.
    FactoryVectorIO` in production: FAISS files or OpenSearch k-NN indexes)."""

    def create(self, space: str, dim: int, expected_count: int) -> VectorStore: ...

    def load(self, directory: Path, expect: EncoderInfo) -> VectorStore: ...


def check_encoder(built: EncoderInfo, served: EncoderInfo, what: str, fix: str = "rebuild the index") -> None:
    """`IndexMismatch` unless `what` (an index) was built with the encoder now served (name, version,
    dim): vectors from another model are not comparable with its queries."""
    if built != served:
        raise IndexMismatch(
            f"{what} was built with {built.name} v{built.version} ({built.dim}-d) but {served.name} "
            f"v{served.version} ({served.dim}-d) is served: {fix}"
        )
