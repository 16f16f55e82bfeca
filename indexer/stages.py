"""The embedding stages of a full build, each resumable chunk by chunk through a `Checkpoint`.

`image_stage` runs first so that a product whose image cannot be read is known before anything is
written (`--strict` stops there); `text_stage` embeds every validated product; `write_stores` then fills
the new generation's vector stores from the saved chunks, leaving out products dropped on the way.
Chunks are re-read from disk when the stores are written, so memory stays bounded by one chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.inference.base import ClipEncoder, EncoderInfo, TextEncoder
from engine.vectors.base import VectorManifest, VectorStore, VectorStoreIO
from indexer.checkpoint import Checkpoint
from indexer.embedding import EmbedOptions, document_text, encode_images, encode_texts
from indexer.images import ImageError, ImageLoader
from indexer.loading import Entry

Progress = Callable[[int], None]


@dataclass
class StageResult:
    """Chunk names written per space, the ids each holds, and the images that failed (id -> reason)."""

    chunks: list[tuple[str, list[str]]] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    reused: int = 0


def chunked(entries: Sequence[Entry], size: int) -> Iterator[tuple[int, Sequence[Entry]]]:
    for number, start in enumerate(range(0, len(entries), size)):
        yield number, entries[start : start + size]


def count_reused(checkpoint: Checkpoint, entries: Sequence[Entry], size: int, with_images: bool) -> int:
    """Items the checkpoint already covers (the progress bar's starting point)."""
    total = 0
    for number, chunk in chunked(entries, size):
        ids = [e.product.id for e in chunk]
        if checkpoint.has(f"text-{number:06d}", ids):
            total += len(ids)
        image_ids = [e.product.id for e in chunk if e.product.image]
        if with_images and image_ids and checkpoint.has(f"image-{number:06d}", image_ids):
            total += len(image_ids)
    return total


def text_stage(
    encoder: TextEncoder,
    entries: Sequence[Entry],
    checkpoint: Checkpoint,
    size: int,
    max_tokens: int,
    options: EmbedOptions,
    progress: Progress,
) -> StageResult:
    result = StageResult()
    for number, chunk in chunked(entries, size):
        name, ids = f"text-{number:06d}", [e.product.id for e in chunk]
        result.chunks.append((name, ids))
        if checkpoint.has(name, ids):
            result.reused += len(ids)
            continue
        texts = [document_text(e.product, max_tokens) for e in chunk]
        checkpoint.put(name, ids, encode_texts(encoder, texts, options, progress))
    return result


def image_stage(
    encoder: ClipEncoder,
    entries: Sequence[Entry],
    checkpoint: Checkpoint,
    size: int,
    loader: ImageLoader,
    options: EmbedOptions,
    progress: Progress,
) -> StageResult:
    result = StageResult()
    for number, chunk in chunked(entries, size):
        with_image = [e for e in chunk if e.product.image]
        if not with_image:
            continue
        name, ids = f"image-{number:06d}", [e.product.id for e in with_image]
        if checkpoint.has(name, ids):
            extra = checkpoint.extra(name)
            result.reused += len(ids)
        else:
            loaded = loader.load_many([e.product.image or "" for e in with_image])
            good = [
                (e.product.id, data)
                for e, data in zip(with_image, loaded, strict=True)
                if isinstance(data, bytes)
            ]
            failed = {
                e.product.id: d.message
                for e, d in zip(with_image, loaded, strict=True)
                if isinstance(d, ImageError)
            }
            vectors = encode_images(encoder, [data for _, data in good], options)
            progress(len(ids))
            extra = {"ok": [pid for pid, _ in good], "failed": failed}
            checkpoint.put(name, ids, vectors, extra)
        result.chunks.append((name, list(extra["ok"])))
        result.failed.update(extra["failed"])
    return result


def write_stores(
    io: VectorStoreIO,
    checkpoint: Checkpoint,
    stages: dict[str, StageResult],
    encoders: dict[str, EncoderInfo],
    keep: set[str],
    generation_dir: Path,
    manifest_for: Callable[[str, VectorStore], VectorManifest],
    on_store: Callable[[str, VectorStore], None] | None = None,
) -> dict[str, int]:
    """Create one store per space from the checkpointed chunks (only ids in `keep`); returns counts.
    `on_store` sees each finished store while it is still in memory (the build calibrates on it)."""
    counts = {}
    for space, stage in stages.items():
        expected = sum(1 for _, ids in stage.chunks for pid in ids if pid in keep)
        store = io.create(space, encoders[space].dim, expected)
        for name, ids in stage.chunks:
            vectors = checkpoint.read(name)
            rows = [i for i, pid in enumerate(ids) if pid in keep]
            if rows:
                store.add([ids[i] for i in rows], np.ascontiguousarray(vectors[rows]))
        store.save(generation_dir / space, manifest_for(space, store))
        counts[space] = store.count()
        if on_store is not None:
            on_store(space, store)
    return counts
