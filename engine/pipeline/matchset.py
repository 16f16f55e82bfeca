"""Stage: the match set of a search, the products `total`, facets, price sort and deep pages are about.

A product matches a text query when it matches lexically (`engine.lexical.matching`: all words, relaxed
by minimum-should-match for longer queries, typo tolerance, exact identifiers) or when its text vector's
cosine similarity to the query vector is at least the semantic threshold (the strict set), or (a near
match) when it shares at least one query word and its similarity is at least the looser near
threshold, under the two rules below. Method `bm25` uses the lexical side only, `dense` the semantic
side only, the others all of them.

**Near candidates** (`near_candidates`, on by default): a product that BM25 retrieved for the query
(fusion's lexical candidates, the best `lexical_depth` over any query word, so it shares a word) and
whose similarity clears the near threshold joins a set that already has strict members. It costs no
backend query (retrieval found it, fusion scored its similarity), and a query with no strict match
still answers nothing ("jacket xyzzyqwv": "No results ... Did you mean jacket?"). The products it can
add are bounded by the retrieval depth; the count stays exact for the set so defined.

Near matches from the whole catalog join a **thin** set only (`near_below`, off by default): when the
strict set (lexical or semantic) has fewer members than that, the shop has few exact matches and shows
close ones too; a broad query keeps its strict set, and pays nothing for the rule but the count it
needs for `total` anyway (kept in `MatchSet.total`). `near_below=None` applies the rule to every set
(`AISLE_NEAR_MATCH`). The near members are found by a range search at the near threshold and one
query to the lexical backend that keeps those sharing a word (`MatchQuery.near_ids`, the same rule on
both backends); then the backend evaluates the set with the semantic and near members as ids, so
counts and facets are exact at any catalog size.

Each threshold is its setting (`AISLE_SEMANTIC_MATCH_THRESHOLD`, `AISLE_NEAR_MATCH_THRESHOLD`) when set,
else the value the indexer calibrated on the catalog's own vectors and stored in the index manifest, else
(an index built before the manifest carried it) a calibration of the serving store
(`engine.vectors.calibration`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from engine.lexical.base import LexicalIndex
from engine.lexical.matching import MatchQuery
from engine.pipeline.relax import relaxed_query
from engine.pipeline.semantic import Threshold, Within, keyed, range_members
from engine.records import Filters, MemberHits
from engine.vectors.base import VectorStore
from engine.vectors.calibration import DEFAULT_QUANTILE, NEAR_QUANTILE, very_alike


@dataclass
class MatchSet:
    """A search's match set: the query for the lexical backend (the semantic and near members travel as
    its `also_ids`) plus the similarities of the semantic members and of the near members."""

    query: MatchQuery
    semantic: dict[str, float] = field(default_factory=dict)
    threshold: float | None = None
    near: dict[str, float] = field(default_factory=dict)
    total: int | None = None  # the set's size when building it needed the count (the thin-set check)
    ids: frozenset[str] | None = None  # every member, where retrieval named them all (`members`)
    # The near members that are neither lexical nor semantic members: they share a query word and are
    # close in meaning, but do not match as the query says ("heidi französisch": the German "Heidi"
    # beside the French one). `members` settles it; the ranked head puts them after the strict members.
    loose: frozenset[str] = frozenset()
    # The semantic members found not to match lexically: with one or two words, every lexical member has
    # them all, so these miss one and rank after those that do (`members` settles it).
    unmatched: frozenset[str] = frozenset()


class MatchSetStage:
    """Builds match sets. `store` is looked up per call (a catalog reload swaps it). Near matches from
    the whole catalog join sets with fewer than `near_below` strict members (0: never, None: every
    set); near lexical candidates join every set with a strict member when `near_candidates`."""

    def __init__(
        self,
        lexical: LexicalIndex,
        store: Callable[[], VectorStore | None],
        threshold: float | None = None,
        calibrated: Callable[[], float | None] = lambda: None,
        near_threshold: float | None = None,
        near_calibrated: Callable[[], float | None] = lambda: None,
        near_below: int | None = None,
        near_candidates: bool = False,
        language: str = "english",
    ) -> None:
        if near_below is not None and near_below < 0:
            raise ValueError(f"near_below must be >= 0 or None, not {near_below}")
        self.lexical = lexical
        self.language = language  # the catalog's, for the head noun a suggestion keeps
        self._store = store
        self._semantic = Threshold(threshold, calibrated, DEFAULT_QUANTILE)
        self._near = Threshold(near_threshold, near_calibrated, NEAR_QUANTILE)
        self.near_below = near_below
        self.near_candidates = near_candidates

    def threshold(self) -> float | None:
        """The semantic threshold in force; None when there are no text vectors."""
        return self._semantic.value(self._store())

    def near_threshold(self) -> float | None:
        """The near threshold in force; None when both near rules are off, there are no text vectors, or
        the encoder tells this catalog's products apart too little for closeness to stand in for a
        missing word (its semantic threshold calibrates above `VERY_ALIKE`) and no setting names a near
        threshold."""
        if self.near_below == 0 and not self.near_candidates:
            return None
        store = self._store()
        if self._near.fixed is None and very_alike(self._semantic.calibrated(store)):
            return None
        return self._near.value(store)

    def floors(self, method: str) -> tuple[float, float | None, float] | None:
        """(semantic threshold, near threshold of the thin-set rule or None, the floor the range search
        runs at) of a text search under `method`; None when it has no semantic side."""
        threshold = self.threshold() if method != "bm25" else None
        if threshold is None:
            return None
        ranged = self.near_below != 0
        loose = self.near_threshold() if ranged and method != "dense" else None
        floor = min(threshold, loose) if loose is not None and self.near_below is None else threshold
        return threshold, loose, floor

    def build(
        self,
        text: str,
        filters: Filters,
        method: str,
        vector: np.ndarray | None,
        dense_list: list | None = None,
        *,
        prefix_last: bool = False,
        within: Within | None = None,
    ) -> MatchSet:
        """The match set of `text` under `method`; `dense_list` (the dense top-N) stands in for a range
        search when the vector store cannot do one (bounded by its depth, see docs/relevance.md), and
        `within` (a range search already made at the floor in force) is used instead of searching again."""
        lexical = method != "dense"
        flt = None if filters.is_empty else filters
        store = self._store()
        floors = self.floors(method) if vector is not None else None
        if floors is None or store is None or vector is None:
            return MatchSet(MatchQuery(text, flt, frozenset(), lexical, prefix_last))
        threshold, loose, floor = floors
        if within is not None and within.floor == floor:
            ids, scores = within.ids, within.scores
        else:
            ids, scores = range_members(store, vector, floor, dense_list)
        strict = scores >= threshold
        semantic, near = keyed(ids[strict], scores[strict]), keyed(ids[~strict], scores[~strict])
        query = MatchQuery(text, flt, frozenset(semantic), lexical, prefix_last)
        total = None
        if loose is not None and self.near_below is not None:  # the thin-set rule
            total = self.lexical.count_matching(query)
            if total < self.near_below:
                near = keyed(*range_members(store, vector, loose, dense_list))
                near = {pid: score for pid, score in near.items() if pid not in semantic}
        if near:  # one backend query keeps the candidates sharing a word; later queries reuse the ids
            shares = MatchQuery(text, flt, lexical=False, prefix_last=prefix_last, near_ids=frozenset(near))
            near = {pid: near[pid] for pid in self.lexical.match_ids(shares, list(near))}
        if near:
            query = replace(query, also_ids=frozenset(semantic).union(near))
            total = None  # near members may match lexically too: the backend counts the union
        return MatchSet(query, semantic, threshold, near, total)

    def join_near_candidates(
        self,
        match: MatchSet,
        similarities: dict[str, float],
        lexical: MemberHits | None,
        allowed: frozenset[str] | None = None,
        reach: frozenset[str] | None = None,
    ) -> None:
        """Add to `match` the lexical candidates (`similarities`: BM25's candidates, which passed the
        filters, and their cosine similarity to the query) at the near threshold or above, when the
        query has a strict member: a lexical one (`lexical`, the retrieval's lexical members and their
        count) or a semantic one the filters pass (`allowed`, the filters' ids; None: no filter), or,
        under filters, one among the products the filters leave out. A query without one stays empty:
        near candidates widen a query that matches, they never answer one that does not. A filter only
        narrows: the facets counted the unfiltered set with its near members, so a facet value's count
        is what clicking it leaves even when every strict member has another value; `reach` (BM25's
        candidates without the filters) bounds them, as filtered candidates reach deeper."""
        if not self.near_candidates or not match.query.lexical or match.threshold is None or lexical is None:
            return
        if not (lexical.members or _passing(match.semantic, allowed) or self._matches_unfiltered(match)):
            return
        loose = self.near_threshold()
        if loose is None:
            return
        fresh = (p for p in similarities if p not in match.semantic and p not in match.near)
        near = {
            p: similarities[p] for p in fresh if similarities[p] >= loose and (reach is None or p in reach)
        }
        if near:
            match.near.update(near)
            match.query = replace(match.query, also_ids=frozenset(match.semantic).union(match.near))
            match.total = None

    def _matches_unfiltered(self, match: MatchSet) -> bool:
        """Whether a filtered query has a strict member once its filters are dropped (asked only when
        the filtered set has none)."""
        if match.query.filters is None:
            return False
        unfiltered = replace(match.query, filters=None, also_ids=frozenset())
        return bool(match.semantic) or self.lexical.count_matching(unfiltered) > 0

    def members(
        self,
        match: MatchSet,
        ids: list[str],
        lexical: MemberHits | None = None,
        allowed: frozenset[str] | None = None,
    ) -> set[str]:
        """Which of `ids` are in the match set; settles `match.total` too where `lexical` allows.

        The semantic and near members are known here, and `lexical` (the search's top lexical members
        and their count, from retrieval) names lexical members. When it holds every lexical member, the
        rest are not members and the set's size is the union counted here: no backend query at all.
        Otherwise one backend query, with the lexical part alone, checks the candidates left and the
        semantic and near members outside `lexical` (their overlap with the lexical side is what the
        union's size needs). `allowed` (the filters' ids; None: no filter) keeps semantic members to
        those the filters pass, as the backend does for `also_ids` (near members passed them already).
        Without `lexical`, only the candidates are checked and `total` is left to the backend.
        """
        inside = {pid for pid in ids if pid in match.semantic or pid in match.near}
        named = {h.product_id for h in lexical.hits} if lexical is not None else set()
        inside.update(pid for pid in ids if pid in named)
        rest = [pid for pid in ids if pid not in inside]
        if not match.query.lexical:
            return inside
        lexical_only = replace(match.query, also_ids=frozenset())
        if lexical is None:
            if rest:
                inside |= self.lexical.match_ids(lexical_only, rest)
            return inside
        semantic = _passing(match.semantic, allowed)
        semantic.extend(pid for pid in match.near if pid not in match.semantic)
        near = [pid for pid in match.near if pid not in match.semantic and pid not in named]
        if lexical.complete:
            match.ids = frozenset(named.union(semantic))
            match.total = len(match.ids)
            match.loose = frozenset(near)
            match.unmatched = frozenset(pid for pid in match.semantic if pid not in named)
            return inside
        outside = [pid for pid in semantic if pid not in named]
        ask = list(dict.fromkeys([*rest, *outside]))
        found = self.lexical.match_ids(lexical_only, ask) if ask else set()
        inside.update(pid for pid in rest if pid in found)
        match.total = lexical.members + sum(1 for pid in outside if pid not in found)
        match.loose = frozenset(pid for pid in near if pid not in found)
        match.unmatched = frozenset(pid for pid in outside if pid in match.semantic and pid not in found)
        return inside

    def suggestion(self, text: str, filters: Filters) -> str | None:
        """A relaxed query that matches where `text` matches nothing (`engine.pipeline.relax`)."""
        return relaxed_query(self.lexical, text, filters, self.language)


def _passing(ids: dict[str, float], allowed: frozenset[str] | None) -> list[str]:
    """The ids the filters pass (`allowed`: their ids; None: no filter), in order."""
    return [pid for pid in ids if allowed is None or pid in allowed]
