"""The engine's serving services, assembled by the engine itself.

`EngineServices` is everything that answers searches, recommendations and product reads: the lexical
index, the model server, the catalog, the event log, click statistics, the search pipeline, the
recommender and the impression writer. `EngineServices.assemble` wires them over backends already built
(fakes in tests); `open_backends(settings)` builds the real backends from settings, one factory per
swappable part; `open_services(settings)` does both. The gateway (`api.deps`), the ranker CLI (feature
rows for offline training) and the tests all get their pipeline from here, so they search exactly alike.

A request reads inside `serving()`: it holds one catalog generation, and a switch to a new one (the
vectors, the lexical generation the manifest names, the product cache's epoch, what readiness reports)
happens as one step between requests, never during one.

Over 300 lines because the assembly, the generation switch and the backends' factory belong together:
they are the one place that decides what a request reads.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from engine import catalog_undo as undo
from engine.catalog import Catalog, WriterFactory
from engine.config import Settings
from engine.errors import AisleError
from engine.events.base import EventLog
from engine.events.impressions import ImpressionWriter
from engine.inference.base import InferenceBackend, TextEncoder
from engine.inference.towers import PairedTextEncoder
from engine.lexical.base import LexicalIndex
from engine.lexical.facets import PRICE_EDGES, price_edges
from engine.merch.store import RuleStore, rules_path
from engine.models.tower_fusion import serving_fusion
from engine.models.tower_thresholds import serving_thresholds
from engine.personalize import Recommender
from engine.pipeline.embed import QueryEmbedder
from engine.pipeline.encoder_trial import EncoderTrial, TrialTextEncoder, TrialView, outside_runs
from engine.pipeline.fusion import FusionConfig
from engine.pipeline.search import SearchPipeline
from engine.pipeline.trialstate import TrialWatcher, trial_path
from engine.pipeline.types import PipelineConfig
from engine.ranking.examination import ExaminationWatcher, examination_path
from engine.ranking.stats import ClickStats
from engine.ranking.stats_feed import StatsFeed
from engine.records import Product
from engine.triton.repository import QUERY_ENCODER
from engine.vectors.base import VectorStore
from engine.vectors.rwlock import RWLock

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self needs Python 3.11

log = logging.getLogger(__name__)

# How long a generation switch may spend filling the new product-cache epoch (it starts no batch of
# reads after this; answers wait meanwhile).
PREFILL_BUDGET_S = 0.5


class ServingCatalog(Protocol):
    """What serving needs of `engine.catalog.Catalog`."""

    def load(self) -> Any: ...

    def changed(self, force: bool = False) -> Any:
        """The live generation loaded aside when it moved (or `force`), else None."""
        ...

    def install(self, live: Any) -> bool:
        """Serve `live` from now on; False when it was not installed (a write of this process came
        in between)."""
        ...

    @property
    def manifest(self) -> Any: ...

    def vector_store(self, space: str) -> VectorStore | None: ...

    def upsert(self, products: list[Product]) -> Any: ...

    def patch(self, patches: Mapping[str, Mapping[str, Any]]) -> list[Product]: ...

    def delete(self, ids: list[str]) -> int: ...


@dataclass
class EngineServices:
    settings: Settings
    lexical: LexicalIndex
    inference: InferenceBackend
    catalog: ServingCatalog
    events: EventLog
    stats: ClickStats
    stats_feed: StatsFeed
    pipeline: SearchPipeline
    recommender: Recommender
    impressions: ImpressionWriter
    catalog_error: str | None = None
    reload_interval_s: float = 1.0
    _checked_at: float = field(default=0.0, repr=False)
    _reload_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _generation_lock: RWLock = field(default_factory=RWLock, repr=False)
    _reading: threading.local = field(default_factory=threading.local, repr=False)

    @classmethod
    def assemble(
        cls,
        settings: Settings,
        lexical: LexicalIndex,
        inference: InferenceBackend,
        catalog: ServingCatalog,
        events: EventLog,
        config: PipelineConfig | None = None,
        *,
        observe: Callable[[str, float], None] | None = None,
        **extra: Any,
    ) -> Self:
        """Wire the pipeline, recommender and writers over already-built backends.

        `observe(stage, seconds)` receives the pipeline's stage timings (the gateway's metrics);
        `extra` are the further fields of a subclass.
        """
        stats = ClickStats(
            max_pairs=settings.click_stats_max_pairs,
            examination=ExaminationWatcher(examination_path(settings.data_dir)),
        )
        feed = StatsFeed(events, stats, checkpoint=settings.path("stats", "click-stats.json"))
        feed.restore()  # from the last window closed, when its checkpoint matches this log
        feed.catch_up()  # the rest of the log before the first search
        feed.start()
        catalog_error = None
        try:
            root, io = getattr(catalog, "root", None), getattr(catalog, "io", None)
            if root is not None and io is not None:
                undo.recover(root, lexical, io)  # never serve what a writer killed mid-update left
            lexical.use(getattr(catalog.load(), "lexical", "") or None)
        except AisleError as exc:  # served as not-ready until an index appears
            catalog_error = exc.message
            log.warning("no usable index yet: %s", exc.message)

        def store(space: str) -> VectorStore | None:
            try:
                return catalog.vector_store(space)
            except AisleError:
                return None

        carried = serving_thresholds(
            Path(settings.data_dir) / "model_repository" / QUERY_ENCODER,
            inference,
            lambda: catalog.manifest.encoders["text"],
        )

        def stored_threshold(name: str) -> Callable[[], float | None]:
            def value() -> float | None:
                tower = carried() if carried is not None else None
                if tower and name in tower:  # a query tower's own (engine.models.tower_thresholds)
                    return tower[name]
                try:
                    stored = getattr(catalog.manifest, name, None)
                except AisleError:  # no index yet
                    return None
                return float(stored) if stored is not None else None

            return value

        recommender = Recommender(events, stats, lexical, lambda: store("text"), inference.ranker)
        tuned = serving_fusion(
            Path(settings.data_dir) / "model_repository" / QUERY_ENCODER,
            inference,
            lambda: catalog.manifest.encoders["text"],
        )
        config = config or PipelineConfig(
            fusion=FusionConfig(tuned=tuned),
            max_query_chars=settings.max_query_chars,
            exploration_rate=settings.exploration_rate,
            exploration_start=settings.exploration_start,
            semantic_threshold=settings.semantic_match_threshold,
            near_threshold=settings.near_match_threshold,
            near_match=settings.near_match,
            near_match_below=settings.near_match_below,
            near_candidates=settings.near_candidates,
            distinct=settings.distinct_families,
            language=settings.catalog_language,
        )
        encoder_trial = TrialWatcher(trial_path(settings.data_dir, "encoder"))
        queries = query_text_encoder(inference, catalog, encoder_trial)
        pipeline = SearchPipeline(
            lexical=lexical,
            embedder=QueryEmbedder(queries, inference.clip_encoder(), config.embed_cache_size),
            ranker=inference.ranker,
            text_store=lambda: store("text"),
            image_store=lambda: store("image"),
            stats=stats,
            profile=recommender.profile,
            config=config,
            observe=observe,
            trial=outside_runs(TrialWatcher(trial_path(settings.data_dir))),
            # Query-tower trials need versions to name (Triton); in process there is one tower.
            encoder_trial=EncoderTrial(encoder_trial) if isinstance(queries, TrialTextEncoder) else None,
            rules=RuleStore(rules_path(settings)).current,
            calibrated_threshold=stored_threshold("semantic_threshold"),
            calibrated_near=stored_threshold("near_threshold"),
            price_edges=lambda: catalog_price_edges(catalog),
        )
        return cls(
            settings=settings,
            lexical=lexical,
            inference=inference,
            catalog=catalog,
            events=events,
            stats=stats,
            stats_feed=feed,
            pipeline=pipeline,
            recommender=recommender,
            impressions=ImpressionWriter(events),
            catalog_error=catalog_error,
            **extra,
        )

    def products(self, ids: Sequence[str]) -> dict[str, Product]:
        """The stored products for `ids` (missing ids are left out), through the pipeline's cache."""
        return self.pipeline.products.get(ids)

    def upsert_products(self, products: list[Product]) -> None:
        """Insert or replace products in the catalog; searches and recommendations see them at once."""
        before = self._generation()
        self.catalog.upsert(products)
        self._written([p.id for p in products], before)

    def patch_products(self, patches: Mapping[str, Mapping[str, Any]]) -> list[Product]:
        """Change only the given fields of existing products (`NotFound`, `InvalidInput` otherwise)."""
        before = self._generation()
        products = self.catalog.patch(patches)
        self._written(list(patches), before)  # the product cache forgets them
        return products

    def delete_products(self, ids: list[str]) -> int:
        """Remove products from the catalog; how many existed."""
        before = self._generation()
        removed = self.catalog.delete(ids)
        if removed:
            self._written(ids, before)
        return removed

    def _generation(self) -> str | None:
        try:
            return getattr(self.catalog.manifest, "generation", None)
        except AisleError:
            return None

    def _written(self, ids: list[str], before: str | None) -> None:
        """After this process's own write: forget the written ids, or the whole product cache when the
        write landed on a generation a rebuild switched to meanwhile (the writer reloads it first)."""
        self.pipeline.catalog_changed(ids if self._generation() == before else None)
        self.recommender.invalidate()

    def warm_products(self, attempts: int = 4, pause_s: float = 2.0) -> threading.Thread:
        """Make the text vectors' range-search copy and fill the product cache in the background (see
        `FaissVectorStore.prepare_range_search`, `ProductLookup.warm`), trying the cache again a few
        times: the cache is what shows product details while the lexical index is down. Both would
        otherwise be made by the first searches after a start or a catalog switch, on their time."""

        def run() -> None:
            try:
                self.pipeline.dense.prepare_range_search()
            except Exception as exc:  # the first search makes it instead
                log.warning("could not prepare the range search: %s", exc)
            for attempt in range(1, attempts + 1):
                try:
                    count = self.pipeline.products.warm()
                except Exception as exc:  # a cold cache only costs latency
                    log.warning("could not warm the product cache (try %d of %d): %s", attempt, attempts, exc)
                    time.sleep(pause_s * attempt)
                    continue
                log.info("product cache warmed with %d products", count)
                settle_heap()
                return

        thread = threading.Thread(target=run, name="warm-products", daemon=True)
        thread.start()
        return thread

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Hold one catalog generation for the block (a request's reads): a new generation is picked
        up first (`refresh_catalog`), then the switch to any later one waits until the block ends, so
        every read inside it (lexical records, vectors, the product cache, the manifest) comes from
        the same generation. Nested blocks in one thread are the outer block's."""
        if getattr(self._reading, "active", False):
            yield
            return
        self.refresh_catalog()
        with self._generation_lock.read():
            self._reading.active = True
            try:
                yield
            finally:
                self._reading.active = False

    def refresh_catalog(self) -> None:
        """Pick up a new index generation or revision (at most once per `reload_interval_s`).

        The new generation is loaded aside, then swapped in under the generation lock together with
        what depends on it: the lexical generation its manifest names, the product cache's epoch
        (filled from the new generation before answers read it) and readiness. A writer that died
        mid-update is rolled back first (`engine.catalog_undo`). Inside a `serving` block this does
        nothing (the block holds its generation)."""
        if getattr(self._reading, "active", False):
            return
        now = time.monotonic()
        if now - self._checked_at < self.reload_interval_s or not self._reload_lock.acquire(False):
            return
        try:
            self._checked_at = now
            root, io = getattr(self.catalog, "root", None), getattr(self.catalog, "io", None)
            recovered = False
            if root is not None and io is not None and undo.pending(root) is not None:
                with self._generation_lock.write():
                    recovered = undo.recover(root, self.lexical, io)
            staged = self.catalog.changed(force=recovered)
            if staged is not None:
                with self._generation_lock.write():
                    if not self.catalog.install(staged):
                        return  # this process wrote meanwhile: the next check loads afresh
                    held = self.pipeline.products.held_ids()
                    self._use_lexical(getattr(staged.manifest, "lexical", ""))
                    self.catalog_error = None
                    self.pipeline.catalog_changed()
                    self._prefill_products(held)
                self.recommender.invalidate()
                self.warm_products()
        except AisleError as exc:
            self.catalog_error = exc.message
        finally:
            self._reload_lock.release()

    def _prefill_products(self, ids: list[str]) -> None:
        """Fill the new product-cache epoch from the new generation before any answer reads it (the
        caller holds the generation lock): the records of the products the previous epoch held.
        An epoch that started empty sent every product read of the next seconds to the lexical
        backend, right when the next build may be bulk-loading it: reads past the serving deadline,
        failed answers. Plain reads by id with the serving deadline, for at most
        `PREFILL_BUDGET_S`, since answers wait meanwhile; what is left (and products new in this
        generation) is the background warm's (`warm_products`), as is a failure here."""
        try:
            self.pipeline.products.refill(ids, PREFILL_BUDGET_S)
        except AisleError as exc:
            log.warning("could not fill the product cache at the catalog switch: %s", exc.message)

    def _use_lexical(self, name: str) -> None:
        """Read the lexical generation `name` (the manifest's), with other processes' commits to it
        visible before the product cache refills; a lexical outage is the searches' to report, not
        the catalog's."""
        self.lexical.use(name or None)
        try:
            self.lexical.refresh()
        except AisleError as exc:
            log.warning("could not refresh the lexical index after a catalog change: %s", exc.message)

    def close(self) -> None:
        self.impressions.close()
        self.stats_feed.close()
        self.pipeline.close()
        self.events.close()
        self.inference.close()


def query_text_encoder(
    inference: InferenceBackend, catalog: ServingCatalog, trial: TrialView = lambda: None
) -> TextEncoder:
    """The text encoder queries go through: where query-encoder versions exist (Triton), each request
    names the version paired with the generation served (`engine.inference.towers`), so a blue/green
    switch of vectors and tower never searches one generation with another's queries; during an
    encoder trial (`trial`), the serving version, or the one a trial run names
    (`engine.pipeline.encoder_trial`)."""
    text = inference.text_encoder()
    resolve = getattr(inference, "query_version_for", None)
    if not callable(resolve) or not callable(getattr(text, "encode_versioned", None)):
        return text
    paired = PairedTextEncoder(text, lambda: catalog.manifest.encoders["text"], resolve)  # type: ignore[arg-type]
    return TrialTextEncoder(paired, text, trial)  # type: ignore[arg-type]


class Backends(NamedTuple):
    """The swappable parts, each built by its own factory from settings."""

    lexical: LexicalIndex
    inference: InferenceBackend
    catalog: ServingCatalog
    events: EventLog


def open_backends(
    settings: Settings, writer: WriterFactory | None = None, *, serving: bool = False
) -> Backends:
    """The real backends from settings: lexical (OpenSearch | embedded), inference (Triton |
    in-process), the catalog (FAISS | OpenSearch k-NN vectors) and the event log (embedded | Kafka).

    `writer` is the catalog's `WriterFactory` for upserts and deletes (`indexer.updates.serving_updater`
    in the gateway); without one the catalog is read-only. `serving`: the lexical index gets the short
    read deadline and sits behind a circuit breaker (`engine.lexical.guarded`), so a hung cluster
    degrades searches instead of holding them; so do Triton's shopper-facing calls
    (`engine.inference.factory.create_inference`).
    """
    from engine.events.factory import open_event_log
    from engine.inference.factory import create_inference
    from engine.lexical.factory import create_lexical

    lexical: LexicalIndex
    if serving:
        from engine.lexical.guarded import GuardedLexical
        from engine.resilience import CircuitBreaker

        breaker = CircuitBreaker("opensearch", settings.breaker_failures, settings.breaker_reset_s)
        lexical = GuardedLexical(create_lexical(settings, serving=True), breaker)
    else:
        lexical = create_lexical(settings)
    inference = create_inference(settings, serving=serving)
    catalog = Catalog(settings, inference, lexical, writer=writer)
    return Backends(lexical, inference, catalog, open_event_log(settings))


def open_services(settings: Settings) -> EngineServices:
    """Read-only serving services from settings (what the ranker CLI searches with)."""
    return EngineServices.assemble(settings, *open_backends(settings))


FULL_COLLECTION_EVERY = 100  # middle-generation collections per full one (Python's default: 10)


def settle_heap() -> None:
    """Take everything alive now (the warmed product cache, the indexes) out of the cycle collector's
    view.

    Otherwise every full collection re-scans those millions of long-lived objects: a pause of hundreds
    of milliseconds that lands on whichever searches are running (measured on the homedepot catalog:
    p99 at concurrency 8 about 550 ms with it, about 260 ms without). Unfreezing and collecting first
    lets cyclic garbage left from a previous catalog go; reference counting frees the rest as usual.

    Full collections are also made ten times rarer (one per `FULL_COLLECTION_EVERY` collections of the
    middle generation instead of Python's 10): what they still scan is mostly the caches grown since
    (the feature builder's title tokens: ~100,000 tuples and sets on homedepot), so each one is a pause
    of 30-40 ms that finds next to nothing, twice per 300 searches before (BENCHMARKS.md, "Full
    collections"). A request's cyclic garbage is young and goes in the frequent young collections.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


def catalog_price_edges(catalog: ServingCatalog) -> tuple[float, ...]:
    """The live index's price buckets (`engine.lexical.facets.price_edges_of`, or for an index built
    before they were kept its `price_scale`); the base ones before the first index."""
    try:
        manifest = catalog.manifest
        kept = tuple(getattr(manifest, "price_edges", ()) or ())
        return kept or price_edges(int(getattr(manifest, "price_scale", 0) or 0))
    except AisleError:
        return PRICE_EDGES
