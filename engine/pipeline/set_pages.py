"""Stage: one page of a search's match set, in the order the shopper asked for.

The ranked head (`engine.pipeline.rank`) orders the first hits by relevance; a page past it, and every
page of a price sort, comes from the lexical backend over the whole set (`engine.pipeline.matchset`), so
pages are exact at any set size and never overlap.
"""

from __future__ import annotations

from engine.lexical.base import LexicalIndex
from engine.pipeline.matchset import MatchSet
from engine.pipeline.price_order import tiered_price_page
from engine.pipeline.types import RankedHit
from engine.ranking.features import CandidateSignals
from engine.records import ScoredId


def set_page(
    lexical: LexicalIndex,
    match: MatchSet,
    head: list[RankedHit],
    sort: str,
    first: int,
    size: int,
    total: int,
    buyable_first: bool = False,
) -> list[RankedHit]:
    """Hits `first`..`first + size` of the whole match set (of `total` members).

    By relevance: the ranked head (fused candidates in the set), then the rest of the set by lexical
    score, semantic-only and near members by similarity last. By price: straight from the backend's price
    order over the whole set, the buyable first when `buyable_first`, the near members that do not
    match as the query says after the others (`engine.pipeline.price_order`).
    Hits outside the head carry only the signals known here.

    The backend scores semantic and near members 0 and orders equal scores by document, not by
    similarity, so a window that ends among them is widened to the whole set: sorting only the
    window's share of them by similarity would give each page a different order (a product on two
    pages, another on none).
    """
    known = {h.product_id: h for h in head}
    if sort != "relevance":
        ordered = tiered_price_page(lexical, match.query, match.loose, sort, first, size, buyable_first)
        return _hits([s.product_id for s in ordered], known, {}, first)
    if first + size <= len(head):
        return head[first : first + size]
    need = first + size - len(head)
    window = need + len(head)
    scored = lexical.match_page(match.query, "relevance", 0, window)
    if len(scored) == window and scored[-1].score <= 0 and total > window:
        scored = lexical.match_page(match.query, "relevance", 0, total)
    rest = [s for s in scored if s.product_id not in known]
    by_words = [s for s in rest if s.score > 0]

    def similarity(hit: ScoredId) -> float:
        return match.semantic.get(hit.product_id) or match.near.get(hit.product_id, 0.0)

    semantic = sorted((s for s in rest if s.score <= 0), key=lambda s: -similarity(s))
    scores = {s.product_id: s.score for s in by_words}
    tail = _hits([s.product_id for s in [*by_words, *semantic][:need]], known, scores, len(head))
    return [*head, *tail][first : first + size]


def _hits(
    ids: list[str], known: dict[str, RankedHit], scores: dict[str, float], start: int
) -> list[RankedHit]:
    hits = []
    for offset, pid in enumerate(ids):
        hit = known.get(pid) or RankedHit(CandidateSignals(pid, lexical_score=scores.get(pid)))
        hit.rank = start + offset + 1
        hits.append(hit)
    return hits
