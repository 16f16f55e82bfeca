"""Browsing: the catalog (filters applied) without a query, most popular first.

Front ends built on InstantSearch open on an empty search box and show the catalog, facets and pages
before the shopper types anything; the search pipeline needs a query or an image, so an empty query is
answered here instead. There is nothing to rank, so no ranker runs (`ranker_version` is None) and the
order is popularity descending, then title, then id (stable across pages). A price sort works as in the
pipeline: priced products first, ascending or descending. Where the shop buries unavailable products
(the merchandising switch, on by default) they go after the buyable ones in either order, as in a search.

Every product passing the filters is read (from the pipeline's product cache), so the cost grows with the
filtered catalog; that is fine for catalogs the product cache holds and the filters that shops use for
category pages.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

from engine.errors import InvalidInput
from engine.lexical.base import LexicalIndex
from engine.lexical.facets import PRICE_EDGES
from engine.pipeline.distinct import family_key, first_of_each
from engine.pipeline.facets import check_fields, facet_counts
from engine.pipeline.family_view import FamilyView, members_view
from engine.pipeline.price_order import price_key
from engine.pipeline.retrieve import ProductLookup
from engine.pipeline.types import SORTS, RankedHit, SearchOutcome, SearchQuery
from engine.ranking.features import CandidateSignals
from engine.records import Product

METHOD = "browse"


def _order(products: list[Product], sort: str, buyable_first: bool) -> list[Product]:
    by_popularity = sorted(products, key=lambda p: (-p.popularity, p.title, p.id))
    if sort == "relevance":
        return sorted(by_popularity, key=lambda p: buyable_first and not p.available)
    descending = sort == "price_desc"
    return sorted(by_popularity, key=lambda p: price_key(p, descending, buyable_first))


def browse(
    lexical: LexicalIndex,
    products: ProductLookup,
    query: SearchQuery,
    price_edges: Sequence[float] = PRICE_EDGES,
    distinct: bool = False,
    buyable_first: bool = True,
) -> SearchOutcome:
    """One page of the filtered catalog, with facet counts over all of it (same shape as a search);
    `distinct` lists each product family once (`engine.pipeline.distinct`), by its first member in the
    order (the most popular, or the cheapest under a price sort), and counts facets in families;
    `buyable_first`: unavailable products after the rest (`RuleSet.bury_unavailable`)."""
    if query.page < 1 or query.size < 1:
        raise InvalidInput("page and size must be >= 1")
    if query.sort not in SORTS:
        raise InvalidInput(f"unknown sort {query.sort!r}; expected one of {SORTS}")
    check_fields(query.facets)
    start = time.perf_counter()
    ids = lexical.all_ids() if query.filters.is_empty else lexical.filter_ids(query.filters)
    found = products.get(sorted(ids))
    listed = _order([p for p in found.values() if query.filters.matches(p)], query.sort, buyable_first)
    facets = (
        facet_counts(listed, query.facets, price_edges=price_edges, families=distinct) if query.facets else {}
    )
    sizes: Counter[str] = Counter()
    members = listed
    if distinct:
        sizes.update(p.family for p in listed if p.family is not None)
        listed = first_of_each(listed, lambda p: family_key(p.id, p))
    first = (query.page - 1) * query.size
    page = listed[first : first + query.size]
    hits = [
        RankedHit(CandidateSignals(p.id, fused_score=p.popularity), rank=first + i, fused_rank=first + i)
        for i, p in enumerate(page, start=1)
    ]
    view = members_view(page, sizes, members) if sizes else FamilyView()
    elapsed = (time.perf_counter() - start) * 1000.0
    return SearchOutcome(
        hits=hits,
        products={p.id: p for p in page},
        total=len(listed),
        facets=facets,
        degraded=[],
        ranker_version=None,
        method=METHOD,
        timings_ms={"browse": elapsed, "total": elapsed},
        variants=view.variants,
        prices=view.prices,
    )
