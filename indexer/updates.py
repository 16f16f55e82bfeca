"""Incremental updates: upsert and delete products in the live generation, consistently everywhere.

An update touches the lexical index, the text store and (when served) the image store, then rewrites the
generation's manifest with new counts, the adjusted catalog checksum and `revision + 1`; the gateway
notices the new manifest and reloads. Embeddings are computed before the writer lock is taken, so the
lock is held only for the writes. Inside it the live generation is re-read if another process changed it
since the caller loaded it, so concurrent writers never overwrite each other's update.

Both operations are idempotent: upserting the same product twice, or deleting an id that is gone, leaves
the same state (and the same checksum) as doing it once. A product whose image cannot be read is refused
(`BadRecords`), as a full build would skip it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from engine.catalog import (
    LiveIndex,
    WriteContext,
    manifest_stamp,
    open_live,
    served_encoders,
    write_manifest,
    writer_lock,
)
from engine.inference.base import InferenceBackend
from engine.lexical.base import LexicalIndex
from engine.records import Product
from engine.vectors.base import VectorManifest, VectorStoreIO
from indexer.checksum import CatalogChecksum
from indexer.embedding import DEFAULT_EMBED, EmbedOptions, document_text, encode_images, encode_texts
from indexer.images import ImageError, ImageLoader
from indexer.problems import BadRecords, Problem


class IndexUpdater:
    """Applies upserts and deletes to the generation under `root` (an `engine.catalog.CatalogWriter`).
    `inference` may be None for an updater that only deletes (no model server needed)."""

    def __init__(
        self,
        root: Path,
        lexical: LexicalIndex,
        inference: InferenceBackend | None,
        io: VectorStoreIO,
        *,
        allow_local_images: bool = True,
        image_base_dir: Path | None = None,
        max_tokens: int = 128,
        embed: EmbedOptions = DEFAULT_EMBED,
    ) -> None:
        self.root = root
        self.lexical = lexical
        self.inference = inference
        self.io = io
        self.image_base_dir = (image_base_dir or Path.cwd()) if allow_local_images else None
        self.max_tokens = max_tokens
        self.embed = embed

    def upsert(self, products: Sequence[Product], live: LiveIndex | None = None) -> LiveIndex:
        """Insert or replace `products` everywhere; returns the live index after the write."""
        products = list({p.id: p for p in products}.values())  # last one wins within one call
        if not products:
            return live or self._open()
        inference = self._inference()
        text = encode_texts(
            inference.text_encoder(), [document_text(p, self.max_tokens) for p in products], self.embed
        )
        images = self._image_vectors(products)
        with writer_lock(self.root):
            live = self._fresh(live)
            ids = [p.id for p in products]
            old = self.lexical.get(ids)
            checksum = CatalogChecksum.parse(live.manifest.catalog_checksum)
            for product in old.values():
                checksum.remove(product)
            for product in products:
                checksum.add(product)
            live.stores["text"].add(ids, text)
            image_store = live.stores.get("image")
            if image_store is not None:
                image_store.remove(ids)
                if images is not None and images[0]:
                    image_store.add(images[0], images[1])
            self._save_stores(live, str(checksum))
            self.lexical.upsert(products)
            return self._commit(live, checksum)

    def delete(self, ids: Sequence[str], live: LiveIndex | None = None) -> tuple[int, LiveIndex]:
        """Remove `ids` everywhere; returns (how many existed, the live index after the write)."""
        ids = list(dict.fromkeys(ids))
        with writer_lock(self.root):
            live = self._fresh(live)
            old = self.lexical.get(ids)
            checksum = CatalogChecksum.parse(live.manifest.catalog_checksum)
            for product in old.values():
                checksum.remove(product)
            removed_vectors = live.stores["text"].remove(ids)
            if "image" in live.stores:
                live.stores["image"].remove(ids)
            if not old and not removed_vectors:
                return 0, live
            self._save_stores(live, str(checksum))
            removed = self.lexical.delete(ids)
            return max(removed, removed_vectors), self._commit(live, checksum)

    def _image_vectors(self, products: Sequence[Product]) -> tuple[list[str], np.ndarray] | None:
        clip = self._inference().clip_encoder()
        with_image = [p for p in products if p.image]
        if clip is None or not with_image:
            return None
        loader = ImageLoader(self.image_base_dir)
        try:
            loaded = loader.load_many([p.image or "" for p in with_image])
        finally:
            loader.close()
        problems = [
            Problem("upsert", n, data.message, p.id)
            for n, (p, data) in enumerate(zip(with_image, loaded, strict=True), start=1)
            if isinstance(data, ImageError)
        ]
        if problems:
            raise BadRecords(problems)
        good = [data for data in loaded if isinstance(data, bytes)]
        return [p.id for p in with_image], encode_images(clip, good, self.embed)

    def _inference(self) -> InferenceBackend:
        if self.inference is None:
            raise ValueError("upserts need an inference backend to embed the products")
        return self.inference

    def _open(self) -> LiveIndex:
        served = served_encoders(self.inference) if self.inference is not None else None
        return open_live(self.root, self.io, served)

    def _fresh(self, live: LiveIndex | None) -> LiveIndex:
        """The caller's live index if it is still current on disk, else a reload."""
        if live is not None and live.stamp == manifest_stamp(self.root):
            return live
        return self._open()

    def _save_stores(self, live: LiveIndex, checksum: str) -> None:
        now = _now()
        for space, store in live.stores.items():
            info = live.manifest.encoders[space]
            kind = str(getattr(store, "index_type", "unknown"))
            manifest = VectorManifest(
                space, info.name, info.version, info.dim, store.count(), kind, checksum, now
            )
            store.save(live.root / live.manifest.generation / space, manifest)

    def _commit(self, live: LiveIndex, checksum: CatalogChecksum) -> LiveIndex:
        counts = {space: store.count() for space, store in live.stores.items()}
        manifest = replace(
            live.manifest,
            count=counts["text"],
            catalog_checksum=str(checksum),
            space_counts={**live.manifest.space_counts, **counts},
            updated_at=_now(),
            revision=live.manifest.revision + 1,
        )
        write_manifest(self.root, manifest)
        return live.with_manifest(manifest)


def serving_updater(context: WriteContext) -> IndexUpdater:
    """The writer a serving catalog (`engine.catalog.Catalog(writer=serving_updater)`) applies the
    gateway's upserts and deletes with: images only from URLs, never from the server's own files."""
    return IndexUpdater(
        context.root,
        context.lexical,
        context.inference,
        context.io,
        allow_local_images=False,
        max_tokens=context.max_tokens,
    )


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
