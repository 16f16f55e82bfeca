"""Stage: the match set of a search, the products `total`, facets, price sort and deep pages are about.

A product matches a text query when it matches lexically (`engine.lexical.matching`: all words, relaxed
by minimum-should-match for longer queries, typo tolerance, exact identifiers) or when its text vector's
cosine similarity to the query vector is at least the semantic threshold. Method `bm25` uses the lexical
side only, `dense` the semantic side only, the others the union. The lexical backend evaluates the set
(the semantic ids travel with the `MatchQuery`), so counts and facets are exact at any catalog size.

The semantic threshold is `AISLE_SEMANTIC_MATCH_THRESHOLD` when set, else the one the indexer calibrated
on the catalog's own vectors and stored in the index manifest (`engine.vectors.calibration`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine.lexical.base import LexicalIndex
from engine.lexical.matching import MatchQuery
from engine.pipeline.types import RankedHit
from engine.ranking.features import CandidateSignals
from engine.records import Filters, ScoredId
from engine.vectors.base import VectorStore
from engine.vectors.calibration import calibrate_store

MAX_RELAXED_WORDS = 8  # longer zero-result queries are not relaxed word by word (cost grows with length)


@dataclass
class MatchSet:
    """A search's match set: the query for the lexical backend plus the semantic members' scores."""

    query: MatchQuery
    semantic: dict[str, float] = field(default_factory=dict)
    threshold: float | None = None


class MatchSetStage:
    """Builds match sets. `store` is looked up per call (a catalog reload swaps it); the calibrated
    threshold is computed once per store object."""

    def __init__(
        self,
        lexical: LexicalIndex,
        store: Callable[[], VectorStore | None],
        threshold: float | None = None,
        calibrated: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.lexical = lexical
        self._store = store
        self.fixed_threshold = threshold
        self._manifest_threshold = calibrated
        self._calibrated: tuple[int, float | None] | None = None

    def threshold(self) -> float | None:
        """The semantic threshold in force: the setting, else the index manifest's calibration, else
        (an index built before manifests carried one) a calibration of the serving store, computed once
        per store object. None when there are no text vectors."""
        if self.fixed_threshold is not None:
            return self.fixed_threshold
        stored = self._manifest_threshold()
        if stored is not None:
            return stored
        store = self._store()
        if store is None or store.count() == 0:
            return None
        if self._calibrated is None or self._calibrated[0] != id(store):
            self._calibrated = (id(store), calibrate_store(store))
        return self._calibrated[1]

    def build(
        self,
        text: str,
        filters: Filters,
        method: str,
        vector: np.ndarray | None,
        dense_list: list | None = None,
        *,
        prefix_last: bool = False,
    ) -> MatchSet:
        """The match set of `text` under `method`; `dense_list` (the dense top-N) stands in for a range
        search when the vector store cannot do one (bounded by its depth, see docs/relevance.md)."""
        lexical = method != "dense"
        semantic: dict[str, float] = {}
        threshold = None
        if method != "bm25" and vector is not None:
            threshold = self.threshold()
            store = self._store()
            if threshold is not None and store is not None:
                within = getattr(store, "within", None)
                if callable(within):
                    hits = within(vector, threshold)
                else:
                    hits = [h for h in dense_list or [] if h.score >= threshold]
                semantic = {h.product_id: h.score for h in hits}
        flt = None if filters.is_empty else filters
        query = MatchQuery(text, flt, frozenset(semantic), lexical, prefix_last)
        return MatchSet(query, semantic, threshold)

    def members(self, match: MatchSet, ids: list[str]) -> set[str]:
        """Which of `ids` are in the match set."""
        inside = {pid for pid in ids if pid in match.semantic}
        rest = [pid for pid in ids if pid not in inside]
        if rest:
            inside |= self.lexical.match_ids(match.query, rest)
        return inside

    def suggestion(self, text: str, filters: Filters) -> str | None:
        """A relaxed query that matches where `text` matches nothing.

        First the words that match on their own (a typo beyond the tolerance, or a word the catalog does
        not have, is dropped). When every word matches alone but not together ("cat food" in a shop whose
        cat products never say "food"), the query without one word, then a single word: whichever matches
        the most products, so the shopper is offered the broadest sensible reading rather than nothing.
        """
        words = text.split()
        flt = None if filters.is_empty else filters

        def count(words_: list[str]) -> int:
            return self.lexical.count_matching(MatchQuery(" ".join(words_), flt))

        kept = [w for w in words if count([w]) > 0]
        if not kept or len(kept) > MAX_RELAXED_WORDS:
            return None
        if len(kept) < len(words) and count(kept) > 0:
            return " ".join(kept)
        shorter = [kept[:i] + kept[i + 1 :] for i in range(len(kept))] if len(kept) > 2 else []
        singles = [[w] for w in kept] if len(kept) > 1 else []
        for level in (shorter, singles):
            best = max(level, key=count, default=None)  # first of equals: earlier words are kept
            if best is not None and count(best) > 0:
                return " ".join(best)
        return None

    def page(
        self, match: MatchSet, head: list[RankedHit], sort: str, first: int, size: int
    ) -> list[RankedHit]:
        """Hits `first`..`first + size` of the whole match set.

        By relevance: the ranked head (fused candidates in the set), then the rest of the set by lexical
        score, semantic-only members by similarity last. By price: straight from the backend's price
        order over the whole set. Hits outside the head carry only the signals known here.
        """
        known = {h.product_id: h for h in head}
        if sort != "relevance":
            ordered = self.lexical.match_page(match.query, sort, first, size)
            return self._hits([s.product_id for s in ordered], known, {}, first)
        if first + size <= len(head):
            return head[first : first + size]
        need = first + size - len(head)
        scored = self.lexical.match_page(match.query, "relevance", 0, need + len(head))
        rest = [s for s in scored if s.product_id not in known]
        lexical = [s for s in rest if s.score > 0]
        semantic = sorted(
            (s for s in rest if s.score <= 0), key=lambda s: -match.semantic.get(s.product_id, 0.0)
        )
        tail = self._hits(
            [s.product_id for s in [*lexical, *semantic][:need]], known, _scores(lexical), len(head)
        )
        return [*head, *tail][first : first + size]

    @staticmethod
    def _hits(
        ids: list[str], known: dict[str, RankedHit], scores: dict[str, float], start: int
    ) -> list[RankedHit]:
        hits = []
        for offset, pid in enumerate(ids):
            hit = known.get(pid) or RankedHit(CandidateSignals(pid, lexical_score=scores.get(pid)))
            hit.rank = start + offset + 1
            hits.append(hit)
        return hits


def _scores(hits: list[ScoredId]) -> dict[str, float]:
    return {h.product_id: h.score for h in hits}
