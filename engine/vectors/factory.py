"""Pick and build the vector store from settings and catalog size; load a saved one safely.

`AISLE_VECTOR_INDEX=auto` chooses by expected vector count (see docs/vectors.md for memory figures):

    count < 50,000            flat   exact; brute force is fast enough and needs no tuning
    50,000 .. 5,000,000       hnsw   graph search, float32 vectors kept (about 1.8 GB per million at 384-d)
    > 5,000,000               ivfpq  compressed codes (about 0.1 GB per million at 384-d)

`AISLE_VECTOR_DEVICE`: "auto" uses a GPU when FAISS sees one, "cpu" never does, "gpu" demands one.

`AISLE_VECTOR_BACKEND` picks where vectors live: FAISS files (default) or, with `opensearch-knn`, the
k-NN indexes of `engine.vectors.opensearch_knn`; `FactoryVectorIO` is that choice for the catalog and
the indexer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.config import ENV_PREFIX, Settings
from engine.errors import ConfigError
from engine.inference.base import EncoderInfo
from engine.vectors import persist
from engine.vectors.base import VectorManifest, VectorStore, VectorStoreIO, check_encoder
from engine.vectors.faiss_indexes import IndexParams, import_faiss
from engine.vectors.faiss_store import INDEX_TYPES, FaissVectorStore

FLAT_MAX = 50_000
HNSW_MAX = 5_000_000


def choose_index_type(n: int, setting: str = "auto") -> str:
    """The index type for about `n` vectors; an explicit setting wins over the size rule."""
    if setting in INDEX_TYPES:
        return setting
    if setting != "auto":
        choices = ", ".join(INDEX_TYPES)
        raise ConfigError(f"{ENV_PREFIX}VECTOR_INDEX: expected auto, {choices}; got {setting!r}")
    if n < FLAT_MAX:
        return "flat"
    if n <= HNSW_MAX:
        return "hnsw"
    return "ivfpq"


def resolve_gpu(setting: str, index_type: str = "flat") -> bool:
    """Whether to search on a GPU. HNSW stays on the CPU (FAISS has no GPU HNSW)."""
    if setting == "cpu":
        return False
    faiss: Any = import_faiss()
    gpus = faiss.get_num_gpus() if hasattr(faiss, "get_num_gpus") else 0
    if setting == "gpu" and gpus == 0:
        raise ConfigError(
            f"{ENV_PREFIX}VECTOR_DEVICE=gpu but FAISS sees no GPU: install faiss-gpu-cu12 "
            "(pip install 'aisle-search[gpu]') on a CUDA host, or set it to auto or cpu"
        )
    return gpus > 0 and index_type != "hnsw"


def params_from_settings(settings: Settings) -> IndexParams:
    """Index tunables from `AISLE_HNSW_*` / `AISLE_IVF_NPROBE`."""
    return IndexParams(
        hnsw_m=settings.hnsw_m,
        ef_construction=settings.hnsw_ef_construction,
        ef_search=settings.hnsw_ef_search,
        nprobe=settings.ivf_nprobe,
    )


def create_vector_store(
    settings: Settings, space: str, dim: int, expected_count: int, params: IndexParams | None = None
) -> FaissVectorStore:
    """An empty store for `space` sized for about `expected_count` vectors of `dim`."""
    index_type = choose_index_type(expected_count, settings.vector_index)
    base = params or params_from_settings(settings)
    tuned = IndexParams(**{**base.__dict__, "expected_count": max(expected_count, base.expected_count)})
    return FaissVectorStore(
        dim,
        index_type,
        space=space,
        params=tuned,
        use_gpu=resolve_gpu(settings.vector_device, index_type),
    )


def load_vector_store(
    directory: Path, expect: EncoderInfo | None = None, *, settings: Settings | None = None
) -> tuple[FaissVectorStore, VectorManifest]:
    """Load the index saved in `directory`.

    Raises NotFound when nothing was saved there and IndexMismatch when it was built with another
    encoder than `expect` (checked from the manifest before the index itself is read).
    """
    directory = Path(directory)
    manifest, _ = persist.read_manifest(persist.current_generation(directory))
    if expect is not None:
        check_encoder(manifest.encoder, expect, f"vector index {directory} ({manifest.space})")
    device = settings.vector_device if settings is not None else "auto"
    store, manifest = FaissVectorStore.load(directory, use_gpu=resolve_gpu(device, manifest.index_type))
    if expect is not None:  # a save may have switched generations in between
        check_encoder(manifest.encoder, expect, f"vector index {directory} ({manifest.space})")
    return store, manifest


class FactoryVectorIO:
    """`VectorStoreIO` from settings: FAISS files, or with `AISLE_VECTOR_BACKEND=opensearch-knn` the
    k-NN indexes of `engine.vectors.opensearch_knn`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._knn: VectorStoreIO | None = None
        if settings.vector_backend == "opensearch-knn":
            from engine.vectors.knn_io import KnnVectorIO

            self._knn = KnnVectorIO(settings)

    def create(self, space: str, dim: int, expected_count: int) -> VectorStore:
        if self._knn is not None:
            return self._knn.create(space, dim, expected_count)
        return create_vector_store(self.settings, space, dim, expected_count)

    def load(self, directory: Path, expect: EncoderInfo) -> VectorStore:
        if self._knn is not None:
            return self._knn.load(directory, expect)
        store, _ = load_vector_store(directory, expect, settings=self.settings)
        return store
