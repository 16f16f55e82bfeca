"""The search pipeline: query -> embeddings -> lexical and dense top-N in parallel -> fusion -> features ->
ranker -> match set -> sort -> page (+ facets).

The retrieved, fused and ranked candidates are the head of the answer; the match set
(`engine.pipeline.matchset`) decides which products the query is about: the head keeps only members,
and `total`, facets, price sort and pages past the head are answered over the whole set by the lexical
backend. An image-only search has no match set: its answer is the candidate list.

Each step is a stage from this package; this module wires them, times them and decides what a failure
means:

- the lexical backend fails -> answer from the dense side, `degraded == ["lexical"]` (a filtered search
  still needs the lexical index to resolve its filters, so that one fails with `BackendUnavailable`);
- a vector space is missing (no index yet, no CLIP) -> answer from the others, `degraded` names it;
- the query encoder fails (Triton down) -> answer from the lexical side, `degraded` names "dense" (and
  "image" when CLIP fails too); without a lexical side to answer from, `BackendUnavailable` propagates;
- the ranker fails -> the fused order is the answer, `degraded` names "ranker".

Methods (`SearchQuery.method`) exist so the relevance benchmark can run each variant through the same
code: `bm25` and `dense` are single retrievers, `rrf` and `linear` fuse without the ranker, `full` fuses
linearly (with per-query adaptive weights and a title-match term) and re-ranks the head with the served
ranker.

Over 300 lines because it is the one place that wires every stage and decides what each failure means;
the stages themselves live in their own modules (retrieve, embed, fusion, rank, explore).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from typing import TypeVar

import numpy as np

from engine.charset import narrowed
from engine.errors import BackendUnavailable, InvalidInput
from engine.inference.base import RankerModel
from engine.lexical.base import LexicalIndex
from engine.lexical.facets import PRICE_EDGES
from engine.lexical.matching import MatchQuery
from engine.lexical.word_forms import word_forms
from engine.merch.rules import RuleSet
from engine.pipeline import fusion, interleave
from engine.pipeline.distinct import Key, collapse, family_key
from engine.pipeline.distinct import page as distinct_page
from engine.pipeline.embed import QueryEmbedder
from engine.pipeline.encoder_trial import EncoderTrial, in_trial_run
from engine.pipeline.explore import ExplorationKey, ExplorationPolicy, swaps_on_page
from engine.pipeline.facets import check_fields, facet_counts
from engine.pipeline.family_view import FamilyView, family_view
from engine.pipeline.fusion import fuse
from engine.pipeline.identified import identified_first, with_identified
from engine.pipeline.matchset import MatchSet, MatchSetStage
from engine.pipeline.merchandise import Merchandiser, sold_out_shown
from engine.pipeline.multi_select import check_disjunctive, lift_own_filters
from engine.pipeline.price_order import price_key
from engine.pipeline.rank import gather, rerank
from engine.pipeline.relevance import assign_relevance
from engine.pipeline.retrieve import DenseRetriever, FilterIds, ProductLookup
from engine.pipeline.semantic import Within
from engine.pipeline.set_pages import set_page
from engine.pipeline.trialstate import ActiveTrial
from engine.pipeline.types import METHODS, SORTS, PipelineConfig, RankedHit, SearchOutcome, SearchQuery
from engine.ranking.features import QueryContext, SignalColumns, TitleMatcher, query_terms
from engine.ranking.stats import ClickStats
from engine.records import FacetCounts, Filters, MemberHits, Product, ScoredId, family_count
from engine.vectors.base import VectorStore

log = logging.getLogger(__name__)

# A set with families and at most this many members has its facets counted in families from the product
# cache (a few milliseconds), a larger one by the lexical backend.
FAMILY_FACETS_IN_PROCESS = 2_000

StageObserver = Callable[[str, float], None]
T = TypeVar("T")


def _reach(future: Future[list[ScoredId]] | None) -> frozenset[str] | None:
    """The ids of an unfiltered candidate search; None when none ran or it failed (a filtered set
    then takes the near members of its own candidates)."""
    if future is None:
        return None
    try:
        return frozenset(hit.product_id for hit in future.result())
    except Exception as exc:
        log.warning("unfiltered candidates failed, near members from the filtered ones: %s", exc)
        return None


def _lexical_similarities(hits: list[RankedHit]) -> dict[str, float]:
    """Cosine similarity to the query of each fused candidate that BM25 retrieved (and that has a
    dense score: none when the dense side degraded), read from the search's signal columns."""
    columns = hits[0].columns if hits else None
    if columns is None:
        return {
            h.product_id: h.signals.dense_score
            for h in hits
            if h.signals.lexical_rank and h.signals.dense_score is not None
        }
    rows = np.flatnonzero((columns.lexical_rank > 0) & ~np.isnan(columns.dense_score))
    return {columns.ids[i]: float(columns.dense_score[i]) for i in rows}


def _or_none(filters: Filters) -> Filters | None:
    return None if filters.is_empty else filters


class SearchPipeline:
    """Thread-safe; one per process. `text_store`/`image_store` are called per search so a catalog
    reload swaps stores without rebuilding the pipeline."""

    def __init__(
        self,
        lexical: LexicalIndex,
        embedder: QueryEmbedder,
        ranker: Callable[[], RankerModel],
        text_store: Callable[[], VectorStore | None],
        image_store: Callable[[], VectorStore | None] = lambda: None,
        stats: ClickStats | None = None,
        profile: Callable[[str], np.ndarray | None] | None = None,
        config: PipelineConfig | None = None,
        observe: StageObserver | None = None,
        trial: Callable[[], ActiveTrial | None] | None = None,
        rules: Callable[[], RuleSet] = RuleSet,
        calibrated_threshold: Callable[[], float | None] = lambda: None,
        calibrated_near: Callable[[], float | None] = lambda: None,
        price_edges: Callable[[], tuple[float, ...]] = lambda: PRICE_EDGES,
        encoder_trial: EncoderTrial | None = None,
    ) -> None:
        self.config = config or PipelineConfig()
        self.price_edges = price_edges  # the catalog's price buckets (the index manifest's scale)
        self.lexical = lexical
        self.embedder = embedder
        self.ranker = ranker
        self.dense = DenseRetriever(text_store, "text")
        self.image = DenseRetriever(image_store, "image")
        self.filter_ids = FilterIds(lexical, self.config.filter_cache_size)
        # The catalog language's word forms for the text features (stems; None in English).
        self.forms = word_forms(self.config.language)
        self.products = ProductLookup(lexical, self.config.product_cache_size, self.forms)
        self.matchset = MatchSetStage(
            lexical,
            text_store,
            self.config.semantic_threshold,
            calibrated_threshold,
            self.config.near_threshold,
            calibrated_near,
            None if self.config.near_match else self.config.near_match_below,
            self.config.near_candidates,
            self.config.language,
        )
        self.stats = stats
        self.profile = profile
        self.merchandise = Merchandiser(rules, self.config.merchandise_depth, self.config.language)
        self.explore = ExplorationPolicy(self.config.exploration_rate, self.config.exploration_start)
        self._observe = observe
        self.trial = trial
        self.encoder_trial = encoder_trial  # a query-encoder trial's interleaved searches
        # Two tasks per search in flight: its lexical retrieval and, for a filtered query, BM25's
        # candidates without the filters; one waiting behind another search's would stall its stage.
        self._pool = ThreadPoolExecutor(max_workers=2 * self.config.workers, thread_name_prefix="retrieve")

    # --- catalog changes -----------------------------------------------------------------------------
    def catalog_changed(self, ids: list[str] | None = None) -> None:
        """Forget cached products (`ids`, or all: a new product-cache epoch) and every cached filter
        id set."""
        self.filter_ids.clear()
        if ids is None:
            self.products.reset()
        else:
            self.products.forget(ids)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # --- the pipeline ----------------------------------------------------------------------------------
    @contextmanager
    def _stage(self, timings: dict[str, float], name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            timings[name] = timings.get(name, 0.0) + elapsed * 1000.0
            if self._observe is not None:
                self._observe(name, elapsed)

    def validate(self, query: SearchQuery) -> str:
        text = narrowed(query.text).strip()
        if not text and query.image is None:
            raise InvalidInput("query is empty: send a non-blank query, an image, or both")
        if len(query.text) > self.config.max_query_chars:
            raise InvalidInput(f"query is longer than {self.config.max_query_chars} characters")
        if query.method not in METHODS:
            raise InvalidInput(f"unknown pipeline {query.method!r}; expected one of {METHODS}")
        if query.sort not in SORTS:
            raise InvalidInput(f"unknown sort {query.sort!r}; expected one of {SORTS}")
        if query.page < 1 or query.size < 1:
            raise InvalidInput("page and size must be >= 1")
        check_fields(query.facets)
        check_disjunctive(query.facets, query.disjunctive_facets)
        return text

    def search(self, query: SearchQuery) -> SearchOutcome:
        trialled = self.encoder_trial.search(self.search, query) if self.encoder_trial else None
        if trialled is not None:
            return trialled
        text = self.validate(query)
        method = query.method
        timings: dict[str, float] = {}
        degraded: list[str] = []
        # A text search pages past its head through the match set, so the head (what the ranker orders)
        # is the same on every page; an image-only search pages through a deeper candidate list.
        wanted = 0 if text else query.page * query.size
        lex_depth = max(self.config.lexical_depth, wanted)
        dense_depth = max(self.config.dense_depth, wanted)
        use_lexical = bool(text) and method != "dense"
        use_dense = bool(text) and method != "bm25"
        use_image = method != "bm25" and (query.image is not None or (method == "full" and bool(text)))

        start = time.perf_counter()
        lexical_future: Future[tuple[list[ScoredId], MemberHits]] | None = None
        if use_lexical:  # the candidates, and the match set's top lexical members with their count
            members = MatchQuery(text, _or_none(query.filters), prefix_last=query.prefix_last)
            lexical_future = self._pool.submit(
                self._timed, "lexical", timings, self.lexical.search_with_members, text, lex_depth, members
            )
        reach_future: Future[list[ScoredId]] | None = None
        if use_lexical and not query.filters.is_empty and self.matchset.near_candidates:
            # BM25's candidates without the filters: the near members a filtered set may keep.
            reach_future = self._pool.submit(self.lexical.search, text, lex_depth, None)
        lists: dict[str, list[ScoredId]] = {}
        vectors: dict[str, np.ndarray] = {}
        allowed: frozenset[str] | None = None
        within: Within | None = None  # the match set's range search, when the dense stage made it
        semantic_list: list[ScoredId] | None = None  # its stand-in where the store has no range search
        if use_dense or use_image:
            with self._stage(timings, "filters"):
                allowed = self.filter_ids.allowed(query.filters)
        if use_dense:
            with self._stage(timings, "embed"):
                vectors.update(self._embed_or_degrade("dense", use_lexical, degraded, text))
            if "dense" in vectors:
                if self.dense.available():
                    with self._stage(timings, "dense"):
                        found = self._dense(method, vectors["dense"], dense_depth, allowed)
                        lists["dense"], within, semantic_list = found
                else:
                    degraded.append("dense")
        if use_image:
            self._image_side(query, text, allowed, lists, vectors, timings, degraded)
        lexical: MemberHits | None = None
        identified: tuple[str, ...] = ()  # the products the query names by an exact identifier
        if lexical_future is not None:
            try:
                lists["lexical"], lexical = lexical_future.result()
                identified = lexical.identified
                lists["lexical"] = with_identified(lists["lexical"], identified)
            except Exception as exc:  # any lexical failure degrades; the reason goes to the log
                log.warning("lexical retrieval failed, answering from the dense side: %s", exc)
                degraded.append("lexical")
                if method == "bm25" or not lists:
                    if isinstance(exc, BackendUnavailable):
                        raise
                    raise BackendUnavailable("lexical", str(exc)) from exc
        timings["retrieve"] = (time.perf_counter() - start) * 1000.0

        with self._stage(timings, "fusion"):
            hits = self._fuse(text, method, lists, vectors)
        known: dict[str, Product] = {}  # products read by one stage, for the stages after
        ranker_version: int | None = None
        teams: dict[str, str] | None = None
        trial = self.trial() if self.trial is not None and method == "full" else None
        # The match set is settled before ranking, so the ranker orders only products that match.
        match = (
            self._match(
                query,
                text,
                hits,
                vectors,
                semantic_list,
                lexical,
                allowed,
                within,
                timings,
                degraded,
                _reach(reach_future),
            )
            if text
            else None
        )
        if match is not None:
            hits = [h for h in hits if h.product_id in match[1]]
            loose = match[0].loose | _wordless(hits, match[0], lexical)
            ranked_ids = [h.product_id for h in hits[: self.config.rerank_depth]] if method == "full" else []
            some_words = self._partial(match[0], ranked_ids)  # only the ranked head is ordered by it
            for rank, hit in enumerate(hits, start=1):
                hit.rank = rank
                hit.loose = hit.product_id in loose
                hit.partial = hit.product_id in some_words
        if method == "full":
            try:
                hits, ranker_version = self._rank(query, text, hits, vectors, timings, known, trial)
                teams = self._interleave(query, text, hits, trial)
            except BackendUnavailable as exc:
                log.warning("ranker failed, answering in fused order: %s", exc)
                degraded.append("ranker")
        assign_relevance(hits)
        facets: FacetCounts = {}
        distinct = self.config.distinct if query.distinct is None else query.distinct
        sizes: dict[str, int] | None = None  # members per family, when families are shown once
        buyable_first = query.sort != "relevance" and self.merchandise.buries_unavailable()
        if match is not None:
            set_size, facets, sizes, read = self._count(query, match[0], timings, distinct, known)
            products = known
            total = set_size
            if sizes is not None:
                with self._stage(timings, "distinct"):
                    hits = collapse(hits, self._products([h.product_id for h in hits], known), identified)
                total = family_count(set_size, sizes)
        else:
            with self._stage(timings, "fetch"):
                hits, products = self._finish(query, hits, known, distinct, buyable_first)
            total = len(hits)
            if query.facets:
                with self._stage(timings, "facets"):
                    listed = [products[h.product_id] for h in hits if h.product_id in products]
                    facets = facet_counts(listed, query.facets, price_edges=self.price_edges())
        with self._stage(timings, "merchandise"):
            named, hits = identified_first(hits, identified)
            lookup = partial(self._products, known=products)
            family = None if sizes is None else partial(self._family, known=products)
            merch = self.merchandise.apply(query, hits, lookup, self.products.availability, named, family)
            hits = merch.hits
        # Pins promise exact positions, which exploration's adjacent swaps would break; an interleaved
        # list is not explored either (its order is the trial's).
        explore = teams is None and not merch.pinned and not in_trial_run()
        swaps = self._explore(query, text, hits, ranker_version) if explore else []
        first = (query.page - 1) * query.size
        with self._stage(timings, "fetch"):
            if match is not None and sizes is not None:
                page = self._distinct_page(query, match[0], hits, first, set_size, products, buyable_first)
            elif match is not None:
                index = self.matchset.lexical
                page = set_page(index, match[0], hits, query.sort, first, query.size, total, buyable_first)
            else:
                page = hits[first : first + query.size]
            shown = self._products([h.product_id for h in page], products)
            page = [h for h in page if h.product_id in shown]
        if buyable_first:
            merch.applied.extend(sold_out_shown(page, shown))
        trial_page = None
        if teams is not None and trial is not None:
            trial_page = interleave.TrialPage(
                trial.serving, trial.candidate, interleave.page_teams(teams, page)
            )
        suggestion = None
        if match is not None and total == 0:
            with self._stage(timings, "suggest"):
                suggestion = self.matchset.suggestion(text, query.filters)
        view = FamilyView()
        if match is not None and sizes:
            with self._stage(timings, "families"):
                lookup = partial(self._products, known=dict(shown))
                on_page = [shown[h.product_id] for h in page]
                view = family_view(self.matchset.lexical, lookup, match[0].query, on_page, sizes, read)
        timings["total"] = (time.perf_counter() - start) * 1000.0
        return SearchOutcome(
            hits=page,
            products={h.product_id: shown[h.product_id] for h in page},
            total=total,
            facets=facets,
            degraded=degraded,
            ranker_version=ranker_version,
            method=method,
            timings_ms=timings,
            propensity_swaps=swaps_on_page(swaps, first + 1, query.size) if query.sort == "relevance" else (),
            interleaving=trial_page.to_log() if trial_page is not None else None,
            merchandising=merch.applied,
            suggestion=suggestion,
            identified=identified,
            variants=view.variants,
            prices=view.prices,
        )

    def _partial(self, match: MatchSet, head: list[str]) -> set[str]:
        """The products of the ranked `head` that do not match every word of the query: those the
        minimum-should-match rule lets miss one (a query of three words or more), and the semantic and
        near members. They rank after the products matching every word, as a search engine's "words
        matched" criterion comes before its custom ranking: for "vino rosso piemonte", a Barolo (red,
        from Piemonte) before the glasses for red wine; for "kırlent kılıfı" (a cushion cover), the
        cushion cover before a pillowcase ("yastık kılıfı") the encoder finds as close. One backend
        query for three words or more; with fewer, every lexical member has every word, and the
        semantic members that are not lexical members are known (`MatchSet.unmatched`)."""
        query = match.query
        if not query.lexical or not query.text or not head:
            return set()
        if len(query.text.split()) < 3:
            return {pid for pid in head if pid in match.unmatched}
        every = replace(query, also_ids=frozenset(), near_ids=frozenset(), every_word=True)
        try:
            whole = self.lexical.match_ids(every, head)
        except Exception as exc:  # the order only: a failure ranks as before
            log.warning("every-word check failed, ranking without it: %s", exc)
            return set()
        return {pid for pid in head if pid not in whole}

    def _match(
        self,
        query: SearchQuery,
        text: str,
        hits: list[RankedHit],
        vectors: dict[str, np.ndarray],
        semantic_list: list[ScoredId] | None,
        lexical: MemberHits | None,
        allowed: frozenset[str] | None,
        within: Within | None,
        timings: dict[str, float],
        degraded: list[str],
        reach: frozenset[str] | None = None,
    ) -> tuple[MatchSet, set[str]] | None:
        """The match set and which candidates are in it; None when the lexical backend cannot answer
        (the search then degrades to the candidate list, as it does for retrieval). `lexical` (the
        retrieval's members and their count) and `allowed` (the filters' ids) let the stage settle
        membership and `total` without asking the backend again where they suffice; `within` is the
        range search the dense stage already made; `reach`, BM25's candidates without the query's
        filters, the only ones that may join a filtered set as near members."""
        if "lexical" in degraded:
            return None
        try:
            with self._stage(timings, "match"):
                match = self.matchset.build(
                    text,
                    query.filters,
                    query.method,
                    vectors.get("dense"),
                    semantic_list,
                    prefix_last=query.prefix_last,
                    within=within,
                )
                similar = _lexical_similarities(hits)
                self.matchset.join_near_candidates(match, similar, lexical, allowed, reach)
                ids = [h.product_id for h in hits]
                return match, self.matchset.members(match, ids, lexical, allowed)
        except Exception as exc:  # same policy as lexical retrieval: degrade, log the reason
            log.warning("match set failed, answering from the candidate list: %s", exc)
            degraded.append("lexical")
            return None

    def _count(
        self,
        query: SearchQuery,
        match: MatchSet,
        timings: dict[str, float],
        distinct: bool,
        known: dict[str, Product],
    ) -> tuple[int, FacetCounts, dict[str, int] | None, list[Product] | None]:
        """The match set's size, the facet counts over it and, when `distinct`, its members per family
        (None where no product names a family), from the lexical backend. Facets count what `total`
        counts: families when the set has them and shows each once, so a value's count is what
        clicking it leaves."""
        lexical = self.matchset.lexical
        with self._stage(timings, "match"):
            total = match.total if match.total is not None else lexical.count_matching(match.query)
            sizes = lexical.family_sizes(match.query, match.ids) if distinct and total else None
        if not query.facets:
            return total, {}, sizes, None
        members = None
        with self._stage(timings, "facets"):
            if sizes is not None and total <= FAMILY_FACETS_IN_PROCESS:
                members = self._members(match, total, known)
                facets = facet_counts(members, query.facets, price_edges=self.price_edges(), families=True)
            else:
                facets = lexical.facets(
                    match.query, query.facets, price_edges=self.price_edges(), families=sizes is not None
                )
            if query.disjunctive_facets:
                facets = lift_own_filters(
                    lexical,
                    match.query,
                    facets,
                    query.disjunctive_facets,
                    price_edges=self.price_edges(),
                    families=sizes is not None,
                )
        return total, facets, sizes, members

    def _members(self, match: MatchSet, total: int, known: dict[str, Product]) -> list[Product]:
        """Every member of a set small enough to read whole (`FAMILY_FACETS_IN_PROCESS`): named by
        retrieval, else by one backend query, from the product cache. Its facets are then counted in
        families here, where a backend counts the families under every value with an aggregation each,
        and the page's families read their variants from it."""
        ids = match.ids
        if ids is None:
            page = self.matchset.lexical.match_page(match.query, "relevance", 0, total)
            ids = frozenset(h.product_id for h in page)
        products = self._products(sorted(ids), known)
        return [products[pid] for pid in sorted(ids) if pid in products]

    def _distinct_page(
        self,
        query: SearchQuery,
        match: MatchSet,
        head: list[RankedHit],
        first: int,
        members: int,
        known: dict[str, Product],
        buyable_first: bool,
    ) -> list[RankedHit]:
        """The match set's page in its order with each family once (`engine.pipeline.distinct`): the
        families from `first`, of the set's `members` products; `head` holds each family once already."""

        def window(n: int) -> list[RankedHit]:
            return set_page(self.matchset.lexical, match, head, query.sort, 0, n, members, buyable_first)

        return distinct_page(window, partial(self._products, known=known), first, query.size, members)

    # --- steps -----------------------------------------------------------------------------------------
    def _embed_or_degrade(
        self, name: str, fallback: bool, degraded: list[str], text: str
    ) -> dict[str, np.ndarray]:
        """{name: the query's text embedding}, or {} with `name` degraded when the encoder is
        unavailable and another retriever (`fallback`) can still answer."""
        try:
            return {name: self.embedder.embed_text(text)}
        except BackendUnavailable as exc:
            if not fallback:
                raise
            log.warning("query encoder failed, answering without %s retrieval: %s", name, exc)
            degraded.append(name)
            return {}

    def _dense(
        self, method: str, vector: np.ndarray, depth: int, allowed: frozenset[str] | None
    ) -> tuple[list[ScoredId], Within | None, list[ScoredId] | None]:
        """The dense candidates, the match set's range search when made here, and the list that stands
        in for a range search where the store has none.

        Unfiltered, where the store can, one pass over its vectors gives the exact top `depth` and
        every product above the range's floor (`FaissVectorStore.nearest_and_within`), so the
        approximate index is not searched besides. Otherwise the top `depth` from the index and no
        range yet; a store without a range search (OpenSearch k-NN) returns its top
        `semantic_list_depth`, whose products above the threshold are the semantic side of the set."""
        floors = self.matchset.floors(method) if allowed is None else None
        if floors is not None:
            found = self.dense.nearest_and_within(vector, depth, floors[2])
            if found is not None:
                top, (ids, scores) = found
                return top, Within(floors[2], ids, np.asarray(scores, dtype=np.float64)), None
        if self.dense.range_search_state() is not None:
            return self.dense.retrieve(vector, depth, allowed), None, None
        deeper = self.dense.retrieve(vector, max(depth, self.config.semantic_list_depth), allowed)
        return deeper[:depth], None, deeper

    def _timed(self, name: str, timings: dict[str, float], fn: Callable[..., T], *args: object) -> T:
        with self._stage(timings, name):
            return fn(*args)

    def _image_side(
        self,
        query: SearchQuery,
        text: str,
        allowed: frozenset[str] | None,
        lists: dict[str, list[ScoredId]],
        vectors: dict[str, np.ndarray],
        timings: dict[str, float],
        degraded: list[str],
    ) -> None:
        """CLIP retrieval: the uploaded image, or the text through CLIP's text tower (text -> image)."""
        if self.embedder.clip is None or not self.image.available():
            if query.image is not None:
                degraded.append("image")
                if not text:
                    reason = "image search needs CLIP weights and an image index"
                    raise BackendUnavailable("clip", reason, public=reason)
            return
        with self._stage(timings, "embed_image"):
            if query.image is not None:
                vector = self.embedder.embed_image(query.image)
            else:
                try:
                    vector = self.embedder.embed_clip_text(text)
                except BackendUnavailable as exc:  # text -> image is an extra; the text sides answer
                    log.warning("CLIP text encoder failed, answering without image retrieval: %s", exc)
                    degraded.append("image")
                    return
        if vector is None:
            return
        vectors["image"] = vector
        with self._stage(timings, "image"):
            lists["image"] = self.image.retrieve(vector, self.config.image_depth, allowed)

    def _fuse(
        self, text: str, method: str, lists: dict[str, list[ScoredId]], vectors: dict[str, np.ndarray]
    ) -> list[RankedHit]:
        """Fused hits; `full` adds the title match, from the titles' cached tokens (no product read)."""
        config = self.config.fusion
        columns = gather(lists)
        if method in ("linear", "full"):
            for name, retriever in (("dense", self.dense), ("image", self.image)):
                if name in vectors and name in lists:
                    self._fill(columns, name, retriever, vectors[name])
        if method == "full":
            weights = fusion.adaptive_weights(text, lists.get("lexical", []), config)
        else:
            weights = config.weights()
        if method == "rrf":
            weights = {name: 1.0 for name in lists}
        bonus = None
        if method == "full" and (config.title_weight or config.phrase_weight) and text:
            titles = self.products.title_terms(columns.ids)
            forms = self.forms
            overlap, phrase = TitleMatcher(query_terms(text, forms), forms).many_terms(titles)
            columns.title_overlap, columns.title_phrase = overlap, phrase
            bonus = config.title_weight * overlap + config.phrase_weight * phrase
        return fuse(columns, method, weights, config.normalisation, bonus)

    @staticmethod
    def _fill(columns: SignalColumns, name: str, retriever: DenseRetriever, vector: np.ndarray) -> None:
        """Exact scores in space `name` for the candidates its list did not return (linear fusion and
        the ranker then compare like with like instead of guessing a floor)."""
        score_column, rank_column = columns.of_list(name)
        rows = np.flatnonzero(rank_column == 0)
        scores = retriever.scores(vector, [columns.ids[i] for i in rows])
        for row in rows:
            score = scores.get(columns.ids[row])
            if score is not None:
                score_column[row] = score

    def _rank(
        self,
        query: SearchQuery,
        text: str,
        hits: list[RankedHit],
        vectors: dict[str, np.ndarray],
        timings: dict[str, float],
        known: dict[str, Product],
        trial: ActiveTrial | None = None,
    ) -> tuple[list[RankedHit], int]:
        depth = max(self.config.rerank_depth, 0 if text else query.page * query.size)
        head_ids = [h.product_id for h in hits[:depth]]
        with self._stage(timings, "features"):
            products = self._products(head_ids, known)
            user_vector = self.profile(query.user_id) if self.profile and query.user_id else None
            text_vectors = self.dense.vectors(head_ids) if user_vector is not None else None
            context = QueryContext(
                query=text,
                user_vector=user_vector,
                click_rates=self.stats.ctrs if self.stats else None,
                popularity=self.stats.action_count if self.stats else None,
                click_prior=self.stats.prior_rate if self.stats else QueryContext.click_prior,
                forms=self.forms,
            )
        with self._stage(timings, "ranker"):
            ranker = interleave.serving_ranker(self.ranker(), trial)
            return rerank(hits, depth, ranker, context, products, text_vectors)

    def _interleave(
        self, query: SearchQuery, text: str, hits: list[RankedHit], trial: ActiveTrial | None
    ) -> dict[str, str] | None:
        """During a trial, team-draft a share of the eligible searches (see `engine.pipeline.interleave`):
        the same searches exploration would touch, so benchmarks and integrations never see a trial."""
        shopper = query.user_id or query.session_id
        if trial is None or not trial.interleaving or query.sort != "relevance" or not shopper:
            return None
        if not interleave.sampled(trial, shopper, text):
            return None
        depth = max(self.config.rerank_depth, query.page * query.size)
        return interleave.interleave_head(hits, depth, self.ranker(), trial, f"{shopper}\x1f{text}")

    def _family(self, product_id: str, known: dict[str, Product]) -> Key:
        """The family `product_id` is shown with (`engine.pipeline.distinct`)."""
        return family_key(product_id, self._products([product_id], known).get(product_id))

    def _products(self, ids: list[str], known: dict[str, Product]) -> dict[str, Product]:
        """Products of `ids`: those an earlier stage of this search fetched, plus the rest, which join
        `known` (the search's own dictionary) for the stages after."""
        missing = [pid for pid in ids if pid not in known]
        if missing:
            known.update(self.products.get(missing))
        return known

    def _explore(
        self, query: SearchQuery, text: str, hits: list[RankedHit], ranker_version: int | None
    ) -> list[tuple[int, int]]:
        """Randomly swap adjacent pairs in place (see `engine.pipeline.explore`); returns the pairs.

        Only the production list is explored: relevance-sorted `full` searches from an identified shopper
        (user or session). A price sort is an order the shopper asked for, the other methods exist to be
        measured, and a request without a shopper (benchmarks, integrations) gets the ranker's order.
        """
        shopper = query.user_id or query.session_id
        if not self.explore.enabled or query.method != "full" or query.sort != "relevance" or not shopper:
            return []
        key = ExplorationKey(text, query.filters, query.sort, shopper, ranker_version, query.image)
        explored, pairs = self.explore.apply(hits, key.seed())
        hits[:] = explored
        for rank, hit in enumerate(hits, start=1):
            hit.rank = rank
        return pairs

    def _finish(
        self,
        query: SearchQuery,
        hits: list[RankedHit],
        known: dict[str, Product],
        distinct: bool,
        buyable_first: bool,
    ) -> tuple[list[RankedHit], dict[str, Product]]:
        """Fetch the products the answer needs, apply a price sort (the buyable first when
        `buyable_first`) and, when `distinct`, show each family once; drops hits whose product is gone
        (deleted between retrieval and now) so a page never shows an empty record."""
        need_all = bool(query.facets) or query.sort != "relevance" or distinct
        ids = (
            [h.product_id for h in hits]
            if need_all
            else [h.product_id for h in hits[: query.page * query.size + 20]]
        )
        products = self._products(ids, known)
        if need_all:
            hits = [h for h in hits if h.product_id in products]
        if query.sort != "relevance":
            descending = query.sort == "price_desc"
            hits = sorted(
                hits, key=lambda h: (*price_key(products[h.product_id], descending, buyable_first), h.rank)
            )
            for rank, hit in enumerate(hits, start=1):
                hit.rank = rank
        if distinct:
            hits = collapse(hits, products)
        return hits, products


def _wordless(hits: list[RankedHit], match: MatchSet, lexical: MemberHits | None) -> frozenset[str]:
    """The semantic members that share no query word: close in meaning to the query by the encoder's
    reading alone (for "backpacking tent", a sleeping bag). They rank with the near members, after the
    products that match as the query says, and among the near members by score, so a tent sharing
    "tent" is not put below them for a similarity a little under the semantic threshold."""
    if not match.query.lexical or not match.semantic:
        return frozenset()
    named = {h.product_id for h in lexical.hits} if lexical is not None else set()
    return frozenset(
        hit.product_id
        for hit in hits
        if hit.product_id in match.semantic
        and hit.product_id not in named
        and hit.columns is not None
        and math.isnan(hit.columns.lexical_score[hit.row])
    )
