"""The serving side's handle on the indexed catalog: which generation is live and its vector stores.

On-disk layout under `settings.data_dir / "vectors"`:

    CURRENT                    one line: the live generation ("20250301T101500Z-3f9a0c1d")
    <generation>/
        manifest.json          `IndexManifest`: encoders per space, counts, catalog checksum, revision
        text/  image/          one saved vector store per embedding space (engine.vectors)
        checkpoint/            embeddings of a build in progress (gone once the build completes)

A full build (`indexer.build`) fills a NEW generation directory, writes its manifest and replaces
`CURRENT` last, so a build killed at any point leaves the serving generation untouched. Incremental
updates (`indexer.updates`) edit the live generation's stores in place and rewrite its manifest with a
higher `revision`; every writer holds `writer_lock` so two processes never lose each other's update.

`Catalog` is what the gateway holds: it loads the live manifest and stores, refuses to serve an index
built with another encoder than the one served (`IndexMismatch`), notices new generations or revisions
(`reload_if_changed`) and applies the gateway's upserts and deletes through the `CatalogWriter` it is
given (the indexer's `IndexUpdater`, which implements the protocol defined here).

A generation's manifest also names the lexical generation built with its vectors (`lexical`), so the
one `CURRENT` switch commits both; readers open that lexical generation, not whichever the lexical
index's own pointer names (see `indexer.build`).

Over 300 lines because it is the whole contract of a generation on disk (manifest, pointer, writer
lock, loading) and the serving handle on it; the undo log of updates is `engine.catalog_undo`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from engine.config import Settings
from engine.errors import ConfigError, IndexMismatch, NotFound
from engine.inference.base import EncoderInfo, InferenceBackend
from engine.lexical.base import LexicalIndex
from engine.records import Product
from engine.schema_checks import DEFAULT_LIMITS, Limits
from engine.storage import GenerationPointer, file_lock, write_atomic
from engine.vectors.base import VectorStore, VectorStoreIO, check_encoder
from engine.vectors.factory import FactoryVectorIO

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
SPACES = ("text", "image")


@dataclass(frozen=True)
class IndexManifest:
    """What a generation holds: `count` products (lexical == text vectors), calibrated match thresholds."""

    generation: str
    encoders: dict[str, EncoderInfo]
    count: int
    catalog_checksum: str
    created_at: str
    space_counts: dict[str, int] = field(default_factory=dict)
    updated_at: str = ""
    revision: int = 0
    source: str = ""
    semantic_threshold: float | None = None  # engine.vectors.calibration; None: built before it was stored
    near_threshold: float | None = None
    # The lexical generation built with these vectors (embedded folder or OpenSearch physical index):
    # readers open exactly this one, so CURRENT switches both as one; "" before it was recorded.
    lexical: str = ""
    # The `query_encoder` version whose product side embedded the text vectors (1: the configured
    # model; 0: not recorded, built before this was stored). With `encoders["text"]` it names the
    # encoder/vector pair the one CURRENT switch moves (`engine.inference.towers`).
    text_tower: int = 0
    # How the lexical generation was written (`SearchFields.analysis`: searchable fields, identifier
    # attributes, language); "" before it was recorded. A build under other settings re-analyses.
    analysis: str = ""
    # The power of ten of the catalog's price buckets (`engine.lexical.facets.price_scale`), set at build.
    price_scale: int = 0
    # The catalog's price bucket edges (`engine.lexical.facets.price_edges_of`), set at build; () before
    # they were kept, when `price_scale` gives them.
    price_edges: tuple[float, ...] = ()

    def to_json(self) -> str:
        payload: dict[str, Any] = {"format": MANIFEST_FORMAT, **asdict(self)}
        return json.dumps(payload, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "manifest") -> IndexManifest:
        try:
            payload = json.loads(text)
            if payload.get("format") != MANIFEST_FORMAT:
                raise IndexMismatch(f"{where}: unsupported manifest format {payload.get('format')!r}")
            encoders = {space: EncoderInfo(**info) for space, info in payload["encoders"].items()}
            return cls(
                generation=payload["generation"],
                encoders=encoders,
                count=int(payload["count"]),
                catalog_checksum=payload["catalog_checksum"],
                created_at=payload["created_at"],
                space_counts={k: int(v) for k, v in payload.get("space_counts", {}).items()},
                updated_at=payload.get("updated_at", ""),
                revision=int(payload.get("revision", 0)),
                source=payload.get("source", ""),
                semantic_threshold=_optional_float(payload.get("semantic_threshold")),
                near_threshold=_optional_float(payload.get("near_threshold")),
                lexical=str(payload.get("lexical") or ""),
                text_tower=int(payload.get("text_tower") or 0),
                analysis=str(payload.get("analysis") or ""),
                price_scale=int(payload.get("price_scale") or 0),
                price_edges=tuple(float(edge) for edge in payload.get("price_edges") or ()),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexMismatch(f"{where}: unreadable index manifest ({exc})") from None


def _optional_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def catalog_root(settings: Settings) -> Path:
    return settings.path("vectors")


def read_current(root: Path) -> str | None:
    """The live generation's name, or None before the first complete build."""
    return GenerationPointer(root, CURRENT).read()


def read_manifest(root: Path, generation: str) -> IndexManifest:
    path = root / generation / MANIFEST
    try:
        return IndexManifest.from_json(path.read_text(encoding="utf-8"), where=str(path))
    except FileNotFoundError:
        raise IndexMismatch(f"{root / CURRENT} names {generation!r}, which has no {MANIFEST}") from None


def live_text_tower(root: Path) -> int:
    """The query-encoder version that embedded the live text vectors (1, the configured model, when
    not recorded or before the first build)."""
    current = read_current(root)
    return max(read_manifest(root, current).text_tower, 1) if current else 1


def write_manifest(root: Path, manifest: IndexManifest) -> None:
    write_atomic(root / manifest.generation / MANIFEST, manifest.to_json())


def switch_current(root: Path, generation: str) -> None:
    """The commit point of a full build; call only after the generation's manifest is written."""
    GenerationPointer(root, CURRENT).switch(generation)


def manifest_stamp(root: Path) -> tuple[str, int, int] | None:
    """Cheap change detector: (generation, manifest inode, mtime). Every manifest write is a rename, so
    the inode changes even when two writes land within the clock's resolution."""
    generation = read_current(root)
    if generation is None:
        return None
    try:
        stat = (root / generation / MANIFEST).stat()
    except FileNotFoundError:
        return None
    return generation, stat.st_ino, stat.st_mtime_ns


def built_stamp(root: Path) -> tuple[str, int, int]:
    """`manifest_stamp` of an index that has been built; `NotFound` saying to build one otherwise."""
    stamp = manifest_stamp(root)
    if stamp is None:
        raise NotFound(f"no index has been built under {root} yet: run `indexer build CATALOG`")
    return stamp


WRITER_LOCK = ".writer.lock"


@contextmanager
def writer_lock(root: Path, *, wait: bool = True) -> Iterator[None]:
    """Exclusive, cross-process lock for anything that changes the live generation (released on exit
    or when the holder dies, so a killed writer never wedges the next one). With `wait=False` a lock
    held elsewhere raises `BlockingIOError` at once."""
    with file_lock(root / WRITER_LOCK, wait=wait):
        yield


@dataclass(frozen=True)
class LiveIndex:
    """One loaded generation: its manifest, its stores and the stamp they were loaded at."""

    root: Path
    manifest: IndexManifest
    stores: dict[str, VectorStore]
    stamp: tuple[str, int, int] | None

    def with_manifest(self, manifest: IndexManifest) -> LiveIndex:
        return replace(self, manifest=manifest, stamp=manifest_stamp(self.root))


Served = Mapping[str, EncoderInfo] | Callable[["IndexManifest"], Mapping[str, EncoderInfo]]
"""The encoders served per space, or a function of the generation's manifest that says them (the text
encoder served for a generation depends on which query-encoder versions are loaded: `served_encoders`)."""


def open_live(root: Path, io: VectorStoreIO, served: Served | None = None) -> LiveIndex:
    """Load the live generation and every vector store it holds.

    `served` maps a space to the encoder served for it now; a space built with another encoder is
    refused (`IndexMismatch`). A space with no served encoder (no CLIP weights here) is still loaded so
    updates keep it consistent, but nothing can query it. `served=None` checks nothing (inspection).
    """
    stamp = built_stamp(root)
    manifest = read_manifest(root, stamp[0])
    if callable(served):
        served = served(manifest)
    stores: dict[str, VectorStore] = {}
    for space, built in manifest.encoders.items():
        if served is not None and space in served:
            check_encoder(
                built,
                served[space],
                f"the {space} index of generation {manifest.generation}",
                "rebuild it with `indexer build --force`",
            )
        stores[space] = io.load(root / manifest.generation / space, built)
    if "text" not in stores:
        raise IndexMismatch(f"generation {manifest.generation} has no text vectors")
    return LiveIndex(root, manifest, stores, stamp)


def served_encoders(
    inference: InferenceBackend, manifest: IndexManifest | None = None
) -> dict[str, EncoderInfo]:
    """The encoders served per space; with `manifest`, the text encoder paired with that generation.

    Where query-encoder versions exist (Triton), the generation's text space is served when a loaded
    version answers in it; a generation that names its both-towers version (`text_tower`) gets that
    version loaded beside the others first, so the gateway brings up the query tower with the vectors.
    Otherwise the configured encoder is what is served, and a generation of another space is refused.
    """
    served = {"text": inference.text_encoder().info()}
    pairing = getattr(inference, "query_version_for", None)
    if manifest is not None and callable(pairing) and "text" in manifest.encoders:
        built = manifest.encoders["text"]
        if pairing(built) is None and manifest.text_tower > 1:
            inference.add_query_encoder_version(manifest.text_tower)  # type: ignore[attr-defined]
        if pairing(built) is not None:
            served["text"] = built
    clip = inference.clip_encoder()
    if clip is not None:
        served["image"] = clip.info()
    return served


def paired_served(inference: InferenceBackend) -> Callable[[IndexManifest], dict[str, EncoderInfo]]:
    """`served_encoders` as a function of the generation being opened (for `open_live`)."""
    return lambda manifest: served_encoders(inference, manifest)


@dataclass(frozen=True)
class WriteContext:
    """What a catalog writer works on: the catalog's directory, its backends and vector-store IO."""

    root: Path
    lexical: LexicalIndex
    inference: InferenceBackend
    io: VectorStoreIO
    max_tokens: int
    limits: Limits = DEFAULT_LIMITS  # how a patch's fields read: the shop's currency and category lists


class CatalogWriter(Protocol):
    """Applies upserts and deletes to the live generation (`indexer.updates.IndexUpdater`).

    The write path embeds products and reads their images, which is the ingest pipeline's business, so
    the catalog only defines what it needs of a writer and is handed one (`Catalog(writer=...)`).
    """

    def upsert(self, products: Sequence[Product], live: LiveIndex | None = None) -> LiveIndex: ...

    def patch(
        self, patches: Mapping[str, Mapping[str, Any]], live: LiveIndex | None = None
    ) -> tuple[list[Product], LiveIndex]: ...

    def delete(self, ids: Sequence[str], live: LiveIndex | None = None) -> tuple[int, LiveIndex]: ...


WriterFactory = Callable[[WriteContext], CatalogWriter]


class Catalog:
    """The gateway's handle on the live index generation (thread-safe; one per process)."""

    def __init__(
        self,
        settings: Settings,
        inference: InferenceBackend,
        lexical: LexicalIndex,
        io: VectorStoreIO | None = None,
        writer: WriterFactory | None = None,
    ) -> None:
        """`writer` builds the write path for `upsert`/`delete`; without one the catalog is read-only."""
        self.settings = settings
        self.root = catalog_root(settings)
        self._inference = inference
        self._lexical = lexical
        self._io = io or FactoryVectorIO(settings)
        self._writer = writer
        self._lock = threading.RLock()
        self._live: LiveIndex | None = None
        self._loaded_over: LiveIndex | None = None  # what was served when `changed` loaded

    def load(self) -> IndexManifest:
        """Load the live generation (`NotFound` before the first build, `IndexMismatch` on an encoder
        mismatch)."""
        with self._lock:
            self._live = open_live(self.root, self._io, paired_served(self._inference))
            return self._live.manifest

    def changed(self, force: bool = False) -> LiveIndex | None:
        """The live generation loaded afresh when a build switched generations or an update rewrote
        the manifest since the one served was loaded, else None. Nothing is served from it until
        `install`, so a caller can swap it in together with everything else that depends on it (the
        lexical generation it names, the product cache). A failed load propagates; the previous
        generation keeps serving. `force`: load even when the manifest did not move (its stores
        were pointed back by a roll-back)."""
        base = self._live
        if not force and base is not None and manifest_stamp(self.root) == base.stamp:
            return None
        live = open_live(self.root, self._io, paired_served(self._inference))
        self._loaded_over = base
        return live

    def install(self, live: LiveIndex) -> bool:
        """Serve `live` (from `changed`) from now on; False (nothing changed) when this process wrote
        through the catalog since `live` was loaded: `live` would undo that write, and the next
        `changed` loads afresh."""
        with self._lock:
            if self._live is not self._loaded_over:
                return False
            self._live = live
            return True

    def reload_if_changed(self) -> bool:
        """`changed` and `install` in one step; True if a new generation or revision was loaded."""
        live = self.changed()
        return live is not None and self.install(live)

    @property
    def manifest(self) -> IndexManifest:
        return self._require().manifest

    @property
    def io(self) -> VectorStoreIO:
        """How this catalog opens its vector stores (a roll-back of a dead writer's update opens the
        in-place ones with it)."""
        return self._io

    def vector_store(self, space: str) -> VectorStore | None:
        """The loaded store for "text" or "image"; None for a space that is not served."""
        return self._require().stores.get(space)

    def upsert(self, products: Sequence[Product]) -> IndexManifest:
        """Insert or replace products in lexical and every vector store; visible on return."""
        with self._lock:
            self._live = self._updater().upsert(products, self._live)
            return self._live.manifest

    def patch(self, patches: Mapping[str, Mapping[str, Any]]) -> list[Product]:
        """Change only the given fields of existing products (see `indexer.partial`); returns them as
        stored."""
        with self._lock:
            products, self._live = self._updater().patch(patches, self._live)
            return products

    def delete(self, ids: Sequence[str]) -> int:
        """Remove products everywhere; returns how many existed."""
        with self._lock:
            removed, self._live = self._updater().delete(ids, self._live)
            return removed

    def _updater(self) -> CatalogWriter:
        if self._writer is None:
            raise ConfigError("this catalog was opened read-only: it has no writer for upserts and deletes")
        limits = Limits.for_shop(self.settings.currency, self.settings.category_lists)  # as the API's upserts
        context = WriteContext(
            self.root, self._lexical, self._inference, self._io, self.settings.text_max_tokens, limits
        )
        return self._writer(context)

    def _require(self) -> LiveIndex:
        if self._live is None:
            self.load()
        assert self._live is not None
        return self._live
