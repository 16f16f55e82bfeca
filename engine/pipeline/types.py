"""Inputs and outputs of the search pipeline (no HTTP here: the gateway maps its schemas onto these)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

from engine.merch.rules import AppliedRule
from engine.pipeline.fusion import FusionConfig
from engine.ranking.features import CandidateSignals, SignalColumns
from engine.records import FacetCounts, Filters, Product

# The pipeline's method variants and sort orders, defined once: the gateway's request schema uses
# these literals and `SearchPipeline.validate` checks against the tuples.
Method = Literal["bm25", "dense", "rrf", "linear", "full"]
METHODS: tuple[str, ...] = get_args(Method)
Sort = Literal["relevance", "price_asc", "price_desc"]
SORTS: tuple[str, ...] = get_args(Sort)


@dataclass(frozen=True)
class SearchQuery:
    """One search as the engine sees it. `page` is 1-based; `image` is encoded image bytes."""

    text: str = ""
    image: bytes | None = None
    filters: Filters = field(default_factory=Filters)
    facets: tuple[str, ...] = ()
    page: int = 1
    size: int = 10
    sort: Sort = "relevance"
    method: Method = "full"
    user_id: str | None = None
    session_id: str | None = None
    prefix_last: bool = True  # the last word may be the beginning of a word (search as you type)
    distinct: bool | None = None  # one hit per product family (None: the pipeline's setting)
    # Facets counted without their own filter, so the values beside a pick stay (`multi_select`)
    disjunctive_facets: tuple[str, ...] = ()


class RankedHit:
    """A candidate after fusion and ranking; `rank` is its 1-based position in the whole result list.

    Fusion makes a few hundred per search, so a hit usually points at row `row` of its query's
    `SignalColumns` and builds the `signals` object only when asked (debug output); a hit made elsewhere
    (recommendations, tests) carries its `CandidateSignals` instead.
    """

    __slots__ = (
        "_signals", "columns", "features", "fused_rank", "loose", "partial", "rank", "ranker_score",
        "relevance", "row",
    )  # fmt: skip

    def __init__(
        self,
        signals: CandidateSignals | None = None,
        rank: int = 0,
        fused_rank: int = 0,
        ranker_score: float | None = None,
        features: np.ndarray | None = None,
        *,
        columns: SignalColumns | None = None,
        row: int = 0,
    ) -> None:
        if (signals is None) == (columns is None):
            raise ValueError("a RankedHit needs either signals or columns with a row")
        self._signals = signals
        self.columns = columns
        self.row = row
        self.rank = rank
        self.fused_rank = fused_rank
        self.ranker_score = ranker_score
        self.features = features
        # The 0..1 score the answer reports (`engine.pipeline.relevance`); None until assigned.
        self.relevance: float | None = None
        # A near member that is no strict one (`MatchSet.loose`): ranked after the strict members.
        self.loose = False
        # A member that misses a query word the minimum-should-match rule let it miss: ranked after the
        # members matching every word, before the loose ones.
        self.partial = False

    @classmethod
    def in_fused_order(cls, columns: SignalColumns, rows: Sequence[int]) -> list[RankedHit]:
        """One hit per row of `columns`, `rows` in fused order (rank = fused rank = position, 1-based).

        Fusion makes a few hundred hits per search; filling the slots of bare instances costs a quarter
        of what as many keyword calls of `__init__` (with its argument check) do, and the rows here are
        valid by construction.
        """
        new = object.__new__
        hits: list[RankedHit] = []
        for rank, row in enumerate(rows, start=1):
            hit = new(cls)
            hit._signals = None
            hit.columns = columns
            hit.row = row
            hit.rank = rank
            hit.fused_rank = rank
            hit.ranker_score = None
            hit.features = None
            hit.relevance = None
            hit.loose = False
            hit.partial = False
            hits.append(hit)
        return hits

    @property
    def signals(self) -> CandidateSignals:
        if self._signals is None:
            assert self.columns is not None
            self._signals = self.columns.signals(self.row)
        return self._signals

    @property
    def product_id(self) -> str:
        if self.columns is not None:
            return self.columns.ids[self.row]
        return self.signals.product_id

    @property
    def fused_score(self) -> float:
        if self.columns is not None:
            return float(self.columns.fused_score[self.row])
        return self.signals.fused_score

    def __repr__(self) -> str:
        return f"RankedHit({self.product_id!r}, rank={self.rank}, fused_rank={self.fused_rank})"


@dataclass
class SearchOutcome:
    """What the pipeline answers: one page of hits plus everything the caller may report or log.

    `total` is the size of the search's match set (`engine.pipeline.matchset`, filters applied) and
    `facets` count over exactly that set, so facet counts, `total` and the pages always agree, at any
    catalog size. `suggestion` is a relaxed query that would match when this one matches nothing.
    `propensity_swaps` are the exploration swaps (1-based positions) that touch this page: log them in
    the page's `Impression`.
    """

    hits: list[RankedHit]
    products: dict[str, Product]
    total: int
    facets: FacetCounts
    degraded: list[str]
    ranker_version: int | None
    method: str
    timings_ms: dict[str, float]
    user_vector: np.ndarray | None = None
    propensity_swaps: tuple[tuple[int, int], ...] = ()
    # During an interleaved trial: {"serving", "candidate", "teams"} for this page (log it as
    # `extra["interleaving"]`); None for a search that was not interleaved.
    interleaving: dict[str, object] | None = None
    merchandising: list[AppliedRule] = field(default_factory=list)
    suggestion: str | None = None
    # The products the query names by an exact identifier (`engine.pipeline.identified`): they lead.
    identified: tuple[str, ...] = ()
    # Shown product id -> how many of its family's variants the set holds, and their (lowest, highest)
    # price where those differ, when families were collapsed (`engine.pipeline.family_view`).
    variants: dict[str, int] = field(default_factory=dict)
    prices: dict[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class PipelineConfig:
    """Tunables of the pipeline; defaults are the ones measured by `bench.relevance` on dev sets.

    Retrieval depth is 200 lexical and 100 dense candidates (about 250 fused): the head the ranker
    orders. Dense candidates 101-200 changed no dev set's nDCG@10 or Recall@100 (BENCHMARKS.md), and
    every candidate costs the gateway CPU in fusion (a product fetch and a title match each). `total`,
    facets, price sort and pages past the head come from the match set, not from this depth; a vector
    store without a range search (OpenSearch k-NN) bounds the match set's semantic side by its top
    `semantic_list_depth` instead.
    `semantic_threshold` overrides the calibrated similarity a product needs to match semantically,
    `near_threshold` the one a product sharing a query word needs. Near matches join a match set whose
    strict (lexical or semantic) members number fewer than `near_match_below` (0: never);
    `near_match=True` adds them to every set. `near_candidates` adds the lexical candidates at the near
    threshold to every set that has a strict member (`engine.pipeline.matchset`). `distinct` shows
    each product family once unless a request says otherwise (`engine.pipeline.distinct`).
    """

    lexical_depth: int = 200
    dense_depth: int = 100
    semantic_list_depth: int = 200
    image_depth: int = 100
    rerank_depth: int = 100
    fusion: FusionConfig = field(default_factory=FusionConfig)
    max_query_chars: int = 512
    embed_cache_size: int = 4096
    filter_cache_size: int = 256
    product_cache_size: int = 100_000
    workers: int = 4
    exploration_rate: float = 0.1
    exploration_start: int = 3
    merchandise_depth: int = 500
    semantic_threshold: float | None = None
    near_threshold: float | None = None
    near_match: bool = False
    near_match_below: int = 0
    near_candidates: bool = True
    distinct: bool = True  # one hit per product family (`engine.pipeline.distinct`)
    language: str = "english"  # the catalog's analysis language: rule queries compare by analysed words
