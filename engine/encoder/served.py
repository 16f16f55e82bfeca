"""The product vectors that serve, read from the live generation (what a query tower is scored against).

Training a query tower needs the catalog's product vectors in the serving space. Re-embedding the
catalog for that costs as much as an index build (about 25 minutes for 54,667 homedepot titles on two
cores); the live generation already holds exactly the vectors the candidate will serve against.
"""

from __future__ import annotations

import numpy as np

from engine.catalog import catalog_root, read_current, read_manifest
from engine.config import Settings
from engine.encoder.evaluate import ProductVectors
from engine.errors import IndexMismatch, NotFound


def live_text_vectors(settings: Settings, ids: list[str] | None = None) -> tuple[str, ProductVectors]:
    """(encoder version that embedded them, the live text vectors): of `ids` in that order, or of every
    product. `NotFound` before the first build or for an id without a vector; FAISS stores only (the
    k-NN backend keeps its vectors in OpenSearch: `IndexMismatch`)."""
    from engine.vectors.factory import load_vector_store

    if settings.vector_backend != "faiss":
        raise IndexMismatch(f"reading served vectors needs the faiss backend, not {settings.vector_backend}")
    root = catalog_root(settings)
    current = read_current(root)
    if current is None:
        raise NotFound(f"no built index under {settings.data_dir}: run `indexer build` first")
    version = read_manifest(root, current).encoders["text"].version
    store, _ = load_vector_store(root / current / "text")
    wanted = list(store.ids()) if ids is None else ids
    rows = store.get_vectors(wanted)
    missing = [pid for pid in wanted if pid not in rows]
    if missing:
        raise NotFound(f"{len(missing)} products have no served vector (first: {missing[0]})")
    vectors = np.stack([rows[pid] for pid in wanted]).astype(np.float32) if wanted else np.zeros((0, 0))
    return version, ProductVectors(tuple(wanted), vectors)
