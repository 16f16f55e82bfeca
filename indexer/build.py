"""Full build: a catalog file becomes a new index generation, switched to atomically at the end.

Order of work, and why:

1. validate the whole file (`--strict`: any problem stops the run here, nothing written);
2. compare the catalog checksum and the served encoders with the live manifest: the same catalog under
   the same encoders is a no-op unless forced, so a nightly cron job can rebuild blindly (under other
   analysis settings only the lexical generation is written again, `indexer.reanalyse`);
3. pick the generation directory: an unfinished one started for the same build key is resumed;
4. embed images, then texts, checkpointing each chunk (`indexer.stages`);
5. write the vector stores into the new generation and stage a new lexical generation (a folder or an
   OpenSearch index nothing serves yet), write the generation's manifest naming that lexical
   generation, and replace `CURRENT`: the single commit point, for lexical and vectors together;
6. publish the lexical generation (its own pointer or alias, for readers of the lexical index alone)
   and delete the lexical generations nothing names any more, orphans of killed builds included.

Readers (the gateway, `indexer verify`) open the lexical generation the live manifest names, so a build
killed anywhere leaves them the old generation or the new one whole (step 6 of the next build deletes
its staged one); a re-run resumes from the checkpoint; one build runs at a time per data directory.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from tqdm import tqdm

from engine.catalog import (
    MANIFEST,
    IndexManifest,
    catalog_root,
    read_current,
    read_manifest,
    switch_current,
    write_manifest,
    writer_lock,
)
from engine.config import Settings
from engine.crashpoints import crash_point
from engine.errors import AisleError, IndexMismatch
from engine.inference.base import ClipEncoder, InferenceBackend, TextEncoder
from engine.lexical.base import LexicalIndex
from engine.lexical.facets import price_edges_of, price_scale
from engine.lexical.matching import SearchFields
from engine.product_schema import Limits
from engine.storage import file_lock
from engine.vectors.base import VectorManifest, VectorStore, VectorStoreIO
from engine.vectors.calibration import DEFAULT_QUANTILE, NEAR_QUANTILE, calibrate_store
from engine.vectors.factory import FactoryVectorIO
from indexer.checkpoint import Checkpoint, read_key
from indexer.checksum import CatalogChecksum
from indexer.embedding import DEFAULT_EMBED, EmbedOptions, product_encoder
from indexer.images import ImageLoader
from indexer.loading import Entry, load_catalog
from indexer.problems import MAX_BAD_SHARE, BadRecords, Problem, refuse_bad
from indexer.readers import FeedFormat
from indexer.reanalyse import reanalyse
from indexer.rounded import rounded_identifiers
from indexer.shop_reading import shop_feed, shop_limits
from indexer.stages import StageResult, count_reused, image_stage, text_stage, write_stores

_BAR = {"unit": "item", "desc": "embedding", "dynamic_ncols": True}


@dataclass(frozen=True)
class BuildOptions:
    strict: bool = False
    max_bad_share: float = MAX_BAD_SHARE  # more bad records than this: nothing is published
    force: bool = False
    chunk_size: int = 1_024
    embed: EmbedOptions = DEFAULT_EMBED
    image_timeout_s: float = 10.0
    # How records are read and the export's columns and encoding; None: the shop's (`indexer.shop_reading`).
    limits: Limits | None = None
    feed: FeedFormat | None = None
    progress: bool = True
    # The query-encoder version that embeds the texts (a both-towers version re-embeds the catalog in its
    # own space, blue/green); None keeps the live generation's, 1 is the configured text model.
    text_tower: int | None = None


@dataclass
class BuildReport:
    """What a build did. `unchanged`: the live generation already holds this catalog (nothing done)."""

    generation: str
    count: int
    problems: list[Problem] = field(default_factory=list)
    unchanged: bool = False
    reused: int = 0
    reanalysed: bool = False  # the same catalog written into a new lexical generation only
    space_counts: dict[str, int] = field(default_factory=dict)
    unpublished: int = 0  # records left out because the shop does not show them
    rounded: dict[str, tuple[int, str]] = field(default_factory=dict)  # `indexer.rounded`


class Builder:
    def __init__(
        self,
        settings: Settings,
        inference: InferenceBackend,
        lexical: LexicalIndex,
        io: VectorStoreIO | None = None,
    ) -> None:
        self.settings, self.root = settings, catalog_root(settings)
        self.inference, self.lexical = inference, lexical
        self.io = io or FactoryVectorIO(settings)

    def build(self, path: Path, options: BuildOptions | None = None) -> BuildReport:
        """Build `path` into a new generation; `BadRecords` in strict mode or when nothing is valid."""
        options = options or BuildOptions()
        limits, feed = options.limits or shop_limits(self.settings), options.feed or shop_feed(self.settings)
        loaded = load_catalog(path, limits, feed)
        fields = SearchFields.from_settings(self.settings)
        rounded = rounded_identifiers(loaded.products, fields.identifier_names())
        report = partial(BuildReport, unpublished=len(loaded.unpublished), rounded=rounded)
        refuse_bad(loaded.problems, len(loaded.entries), options.strict, options.max_bad_share)
        tower = self._text_tower(options)
        text_encoder, clip = product_encoder(self.inference, tower), self.inference.clip_encoder()
        if not any(e.product.image for e in loaded.entries):
            clip = None
        encoders = {"text": text_encoder.info(), **({"image": clip.info()} if clip is not None else {})}
        checksum = str(CatalogChecksum.of(loaded.products))
        analysis = fields.analysis()
        with self._build_lock():
            current = read_current(self.root)
            live = self._live_manifest(current)
            if not options.force and live and (live.catalog_checksum, live.encoders) == (checksum, encoders):
                same = live.analysis == analysis
                if not same:
                    reanalyse(self.root, self.lexical, live, loaded.products, analysis)
                return report(live.generation, live.count, loaded.problems, same, reanalysed=not same)
            key = {
                "checksum": checksum,
                "encoders": {s: asdict(i) for s, i in sorted(encoders.items())},
                "chunk_size": options.chunk_size,
                "count": len(loaded.entries),
            }
            generation = self._generation_for(key, current, checksum)
            checkpoint = Checkpoint.open(self.root / generation / "checkpoint", key)
            stages = self._embed(loaded.entries, text_encoder, clip, checkpoint, path.parent, options)
            failed = stages["image"].failed if "image" in stages else {}
            lines = {e.product.id: e.line for e in loaded.entries}
            problems = loaded.problems + [
                Problem(loaded.source, lines[pid], msg, pid) for pid, msg in sorted(failed.items())
            ]
            if options.strict and failed:
                raise BadRecords(problems)
            products = [e.product for e in loaded.entries if e.product.id not in failed]
            if not products:
                raise BadRecords(problems, "bad records and no valid product")
            final_checksum = str(CatalogChecksum.of(products))
            created = _now()

            def manifest_for(space: str, store: VectorStore) -> VectorManifest:
                info = encoders[space]
                kind = str(getattr(store, "index_type", self.settings.vector_index))
                return VectorManifest(
                    space, info.name, info.version, info.dim, store.count(), kind, final_checksum, created
                )

            keep = {p.id for p in products}
            directory = self.root / generation
            calibrated: dict[str, float | None] = {}
            families = {p.id: p.family for p in products if p.family is not None}  # one vector each

            def calibrate(space: str, store: VectorStore) -> None:
                if space == "text":
                    for name, quantile in (("semantic", DEFAULT_QUANTILE), ("near", NEAR_QUANTILE)):
                        calibrated[name] = calibrate_store(store, quantile, families)

            counts = write_stores(
                self.io, checkpoint, stages, encoders, keep, directory, manifest_for, calibrate
            )
            crash_point("build-after-vectors")
            manifest = IndexManifest(
                generation=generation,
                encoders=encoders,
                count=len(products),
                catalog_checksum=final_checksum,
                created_at=created,
                space_counts=counts,
                updated_at=created,
                source=str(path),
                semantic_threshold=calibrated.get("semantic"),
                near_threshold=calibrated.get("near"),
                text_tower=tower,
                analysis=analysis,
                price_scale=price_scale(p.price for p in products),
                price_edges=price_edges_of(p.price for p in products),
            )
            with writer_lock(self.root):
                lexical_name, _ = self.lexical.stage(products)
                crash_point("build-after-lexical")
                write_manifest(self.root, replace(manifest, lexical=lexical_name))
                switch_current(self.root, generation)  # the commit point: lexical and vectors at once
                crash_point("build-after-commit")
                # The previous lexical generation stays for gateways that have not switched yet.
                previous = {live.lexical} - {""} if live is not None else set()
                self.lexical.publish(lexical_name, keep=previous)
            checkpoint.remove()
            self._prune(keep={generation, current or ""})
            reused = sum(s.reused for s in stages.values())
            return report(generation, len(products), problems, reused=reused, space_counts=counts)

    def _text_tower(self, options: BuildOptions) -> int:
        """The version that embeds this build's texts (see `BuildOptions.text_tower`), loaded in the
        model server beside the serving ones when it is a both-towers version."""
        tower = options.text_tower
        if tower is None:
            live = self._live_manifest(read_current(self.root))
            tower = live.text_tower if live is not None else 1
        tower = max(tower, 1)
        load = getattr(self.inference, "add_query_encoder_version", None)
        if tower > 1 and callable(load):
            load(tower)
        return tower

    def _live_manifest(self, current: str | None) -> IndexManifest | None:
        """The serving manifest; None when there is none or it is unreadable (a build repairs that)."""
        if current is None:
            return None
        try:
            return read_manifest(self.root, current)
        except IndexMismatch:
            return None

    def _embed(
        self,
        entries: list[Entry],
        text_encoder: TextEncoder,
        clip: ClipEncoder | None,
        checkpoint: Checkpoint,
        base_dir: Path,
        options: BuildOptions,
    ) -> dict[str, StageResult]:
        size = options.chunk_size
        with_images = clip is not None
        total = len(entries) + (sum(1 for e in entries if e.product.image) if with_images else 0)
        reused = count_reused(checkpoint, entries, size, with_images)
        bar = tqdm(total=total, initial=reused, disable=not options.progress, **_BAR)
        stages: dict[str, StageResult] = {}
        try:
            if clip is not None:
                loader = ImageLoader(base_dir, timeout_s=options.image_timeout_s)
                try:
                    stages["image"] = image_stage(
                        clip, entries, checkpoint, size, loader, options.embed, bar.update
                    )
                finally:
                    loader.close()
            tokens = self.settings.text_max_tokens
            stages["text"] = text_stage(
                text_encoder, entries, checkpoint, size, tokens, options.embed, bar.update
            )
        finally:
            bar.close()
        return {"text": stages["text"], **({"image": stages["image"]} if "image" in stages else {})}

    def _generation_for(self, key: dict, current: str | None, checksum: str) -> str:
        """An unfinished generation started for the same key (resume), else a new name."""
        self.root.mkdir(parents=True, exist_ok=True)
        for directory in sorted(self.root.iterdir(), reverse=True):
            if (
                directory.is_dir()
                and directory.name != current
                and not directory.name.startswith(".")
                and not (directory / MANIFEST).exists()
                and read_key(directory / "checkpoint") == key
            ):
                return directory.name
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        base = f"{stamp}-{checksum.rpartition(':')[2][:8]}"
        name, n = base, 1
        while (self.root / name).exists():
            n += 1
            name = f"{base}.{n}"
        return name

    def _prune(self, keep: set[str]) -> None:
        """Keep the new generation and the one it replaced (rollback); drop the rest, unfinished too."""
        for directory in self.root.iterdir():
            if directory.is_dir() and not directory.name.startswith(".") and directory.name not in keep:
                shutil.rmtree(directory, ignore_errors=True)

    @contextmanager
    def _build_lock(self) -> Iterator[None]:
        busy = AisleError(f"another build is running on {self.root}")
        with file_lock(self.root / ".build.lock", wait=False, busy=lambda: busy):
            yield


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
