"""Stage: query -> embeddings (BERT text space, and the CLIP space for image/multimodal search).

Inputs: query text and/or image bytes. Outputs: L2-normalised float32 vectors. Text embeddings are kept
in an LRU cache because shoppers repeat queries a lot (head queries dominate traffic) and an encoder call
is the most expensive step of a search. Image embeddings are not cached (uploads rarely repeat).
Text entries are keyed by the query-tower version that computed them when the encoder reports one
(`tower_version`, `encode_versioned`: Triton), so a rolled-out or rolled-back tower is never answered
with a vector of another version from the cache.
Encoder failures propagate as `BackendUnavailable`: without a query vector there is no dense side, and
the gateway answers 503 rather than silently serving a different kind of result.
"""

from __future__ import annotations

import numpy as np

from engine.inference.base import ClipEncoder, TextEncoder
from engine.pipeline.cache import LRUCache


class QueryEmbedder:
    def __init__(self, text: TextEncoder, clip: ClipEncoder | None, cache_size: int = 4096) -> None:
        self.text = text
        self.clip = clip
        self._cache: LRUCache[np.ndarray] = LRUCache(cache_size)

    def _cached(self, space: str, query: str, encode: object) -> np.ndarray:
        key = (space, query)
        vector = self._cache.get(key)
        if vector is None:
            vector = np.asarray(encode([query]), dtype=np.float32)[0]  # type: ignore[operator]
            vector.setflags(write=False)
            self._cache.put(key, vector)
        return vector

    def embed_text(self, query: str) -> np.ndarray:
        """The query in the BERT product-text space, from the cache of the serving tower version."""
        current = getattr(self.text, "tower_version", None)
        version = current() if callable(current) else None
        vector = self._cache.get(("text", version, query))
        if vector is None:
            versioned = getattr(self.text, "encode_versioned", None)
            if callable(versioned):
                vectors, version = versioned([query])
            else:
                vectors = self.text.encode([query])
            vector = np.asarray(vectors, dtype=np.float32)[0]
            vector.setflags(write=False)
            self._cache.put(("text", version, query), vector)
        return vector

    def embed_clip_text(self, query: str) -> np.ndarray | None:
        """The query in the CLIP space (text tower), for text -> image retrieval; None without CLIP."""
        if self.clip is None:
            return None
        return self._cached("clip", query, self.clip.encode_texts)

    def embed_image(self, image: bytes) -> np.ndarray | None:
        """An uploaded image in the CLIP space; None without CLIP."""
        if self.clip is None:
            return None
        return np.asarray(self.clip.encode_images([image]), dtype=np.float32)[0]

    @property
    def cache(self) -> LRUCache[np.ndarray]:
        return self._cache
