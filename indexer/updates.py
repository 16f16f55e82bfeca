"""Incremental updates: upsert and delete products in the live generation, consistently everywhere.

An update touches the lexical index, the text store and (when served) the image store, then rewrites the
generation's manifest with new counts, the adjusted catalog checksum and `revision + 1`; the gateway
notices the new manifest and reloads. Embeddings are computed before the writer lock is taken, so the
lock is held only for the writes. Inside it the live generation is re-read if another process changed it
since the caller loaded it, so concurrent writers never overwrite each other's update.

Only what changed is embedded again: a product whose embedded text (`document_text`) and image are those
already stored keeps its vectors, so a price, stock or attribute change (`patch`, or an upsert that
resends the same text) writes the lexical record and the manifest only.

An update that dies before its manifest is written is rolled back through the undo log it wrote
first (`engine.catalog_undo`): by the next writer, or by the gateway before it loads the generation.

Both operations are idempotent: upserting the same product twice, or deleting an id that is gone, leaves
the same state (and the same checksum) as doing it once. A product whose image cannot be read is refused
(`BadRecords`), as a full build would skip it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from engine import catalog_undo as undo
from engine.catalog import (
    LiveIndex,
    WriteContext,
    live_text_tower,
    manifest_stamp,
    open_live,
    paired_served,
    write_manifest,
    writer_lock,
)
from engine.crashpoints import crash_point
from engine.errors import InvalidInput, NotFound
from engine.inference.base import InferenceBackend
from engine.lexical.base import LexicalIndex
from engine.product_schema import DEFAULT_LIMITS, Limits
from engine.records import Product
from engine.vectors.base import VectorManifest, VectorStoreIO
from indexer.checksum import CatalogChecksum
from indexer.embedding import (
    DEFAULT_EMBED,
    EmbedOptions,
    document_text,
    encode_images,
    encode_texts,
    product_encoder,
)
from indexer.images import ImageError, ImageLoader
from indexer.partial import apply_patch
from indexer.problems import BadRecords, Problem


@dataclass(frozen=True)
class _Vectors:
    """What one write embeds: text vectors for `text_ids`, and the image side for `image_ids` (whose old
    image vectors are dropped; `images` holds those that have a readable picture)."""

    text_ids: list[str]
    text: np.ndarray
    image_ids: list[str]
    images: tuple[list[str], np.ndarray] | None


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
        limits: Limits = DEFAULT_LIMITS,  # how a patch's fields read: the shop's files' (`upsert --partial`)
    ) -> None:
        self.root, self.limits = root, limits
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
        return self._write([p.id for p in products], lambda _: products, live)[1]

    def patch(
        self, patches: Mapping[str, Mapping[str, Any]], live: LiveIndex | None = None
    ) -> tuple[list[Product], LiveIndex]:
        """Change only the given fields of existing products (`indexer.partial`); returns the products
        as stored and the live index. `NotFound` names unknown ids; `InvalidInput` a bad field; then
        nothing is written."""
        ids = list(patches)

        def merge(current: Mapping[str, Product]) -> list[Product]:
            missing = [pid for pid in ids if pid not in current]
            if missing:
                raise NotFound(f"no product with id {', '.join(repr(m) for m in missing[:10])}")
            merged = []
            for pid in ids:
                try:
                    merged.append(apply_patch(current[pid], patches[pid], self.limits))
                except InvalidInput as exc:
                    raise InvalidInput(f"product {pid!r}: {exc.message}") from None
            return merged

        if not ids:
            return [], live or self._open()
        return self._write(ids, merge, live)

    def _write(
        self,
        ids: list[str],
        build: Callable[[Mapping[str, Product]], list[Product]],
        live: LiveIndex | None,
    ) -> tuple[list[Product], LiveIndex]:
        """Write `build(current records of ids)` everywhere, embedding only what changed.

        Embeddings are computed before the lock against the records as read then; if another writer
        changed those records meanwhile, the products are rebuilt and re-embedded inside the lock.
        """
        before = self.lexical.get(ids)
        products = build(before)
        tower = max(live.manifest.text_tower, 1) if live else live_text_tower(self.root)  # checked below
        vectors = self._embed(products, before, tower)
        with writer_lock(self.root):
            live = self._ready(live)
            old = self.lexical.get(ids)
            if old != before or max(live.manifest.text_tower, 1) != tower:  # a re-embedding switched in
                products = build(old)
                vectors = self._embed(products, old, live.manifest.text_tower)
            checksum = CatalogChecksum.parse(live.manifest.catalog_checksum)
            for product in old.values():
                checksum.remove(product)
            for product in products:
                checksum.add(product)
            undo.begin(self.root, live.manifest, old, [p.id for p in products], live.stores)
            if vectors.text_ids:
                live.stores["text"].add(vectors.text_ids, vectors.text)
            image_store = live.stores.get("image")
            if image_store is not None and vectors.image_ids:
                image_store.remove(vectors.image_ids)
                if vectors.images is not None and vectors.images[0]:
                    image_store.add(vectors.images[0], vectors.images[1])
            if vectors.text_ids or vectors.image_ids:  # a price or stock change leaves the stores as saved
                self._save_stores(live, str(checksum))
            crash_point("update-after-vectors")
            self.lexical.upsert(products)
            crash_point("update-after-lexical")
            return products, self._commit(live, checksum)

    def _embed(self, products: Sequence[Product], old: Mapping[str, Product], tower: int = 0) -> _Vectors:
        """Vectors for the products whose text or image differs from `old` (new ones: all), texts by the
        live generation's product tower `tower`."""

        def changed(product: Product, field: Callable[[Product], object]) -> bool:
            previous = old.get(product.id)
            return previous is None or field(previous) != field(product)

        def text_of(product: Product) -> str:
            return document_text(product, self.max_tokens)

        texts = [p for p in products if changed(p, text_of)]
        pictures = [p for p in products if changed(p, lambda p: p.image)]
        text = np.zeros((0, 0), dtype=np.float32)
        if texts:
            text = encode_texts(
                product_encoder(self._inference(), tower), [text_of(p) for p in texts], self.embed
            )
        images = self._image_vectors(pictures) if pictures else None
        return _Vectors([p.id for p in texts], text, [p.id for p in pictures], images)

    def delete(self, ids: Sequence[str], live: LiveIndex | None = None) -> tuple[int, LiveIndex]:
        """Remove `ids` everywhere; returns (how many existed, the live index after the write)."""
        ids = list(dict.fromkeys(ids))
        with writer_lock(self.root):
            live = self._ready(live)
            old = self.lexical.get(ids)
            checksum = CatalogChecksum.parse(live.manifest.catalog_checksum)
            for product in old.values():
                checksum.remove(product)
            held = [pid for pid in ids if live.stores["text"].contains(pid)]
            if not old and not held:
                return 0, live
            undo.begin(self.root, live.manifest, old, [], live.stores, vector_ids=ids)
            removed_vectors = live.stores["text"].remove(ids)
            if "image" in live.stores:
                live.stores["image"].remove(ids)
            self._save_stores(live, str(checksum))
            crash_point("update-after-vectors")
            removed = self.lexical.delete(ids)
            crash_point("update-after-lexical")
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
        served = paired_served(self.inference) if self.inference is not None else None
        return open_live(self.root, self.io, served)

    def _ready(self, live: LiveIndex | None) -> LiveIndex:
        """Under the writer lock: the live index (reloaded if another writer moved it, or after rolling
        back the update of a writer that died), with the lexical index on the generation the manifest
        names and another process's writes visible."""
        live = self._fresh(live)
        self.lexical.use(live.manifest.lexical or None)
        if undo.roll_back(self.root, live.manifest, self.lexical, self.io):
            live = self._open()
        self.lexical.refresh()  # another process's write under this lock must be seen here
        return live

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
        undo.finish(self.root, manifest.generation)
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
        limits=context.limits,
    )


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
