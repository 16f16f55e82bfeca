"""Facets a shopper picks several values of ("disjunctive" facets): each counted without its own filter.

A facet counts the products of the set as filtered, so once a shopper picks size 32 the size facet
shows 32 alone, and the sizes and brands they could add to the pick (the filters take any of a list)
are gone from the page. Storefronts count such a facet with every filter but its own: the values
beside the picked one keep the count picking them too would add. A search names those facets in
`SearchQuery.disjunctive_facets`; the others, and `total`, keep every filter.

Each such facet whose field the filters restrict costs one more facet query over the set with that
restriction lifted (the semantic members are part of the set's query, `MatchQuery.also_ids`, so the
lifted set is the one the same search without that filter would match). Categories are a hierarchy, a
pick descends into it, and are never lifted: `liftable` refuses them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from engine.errors import InvalidInput
from engine.lexical.base import LexicalIndex
from engine.lexical.facets import attribute_name
from engine.lexical.matching import MatchQuery
from engine.records import FacetCounts, Filters

HIERARCHICAL = ("category", "category_path")


def liftable(facet: str) -> bool:
    """Whether `facet` can be counted without its own filter (every facet but the category ones)."""
    return facet not in HIERARCHICAL


def check_disjunctive(facets: Sequence[str], disjunctive: Sequence[str]) -> None:
    """Raise `InvalidInput` naming a disjunctive facet that is not counted or is a category one."""
    for facet in disjunctive:
        if facet not in facets:
            raise InvalidInput(f"disjunctive_facets: {facet!r} is not among the facets asked for")
        if not liftable(facet):
            raise InvalidInput(f"disjunctive_facets: {facet!r} is a hierarchy a pick descends into")


def without_own_filter(filters: Filters, facet: str) -> Filters | None:
    """`filters` without their restriction on `facet`'s field; None when they do not restrict it."""
    attribute = attribute_name(facet)
    if attribute is not None:
        if attribute not in filters.attributes:
            return None
        return replace(filters, attributes={k: v for k, v in filters.attributes.items() if k != attribute})
    if facet == "brand" and filters.brands:
        return replace(filters, brands=())
    if facet == "price" and (filters.price_min is not None or filters.price_max is not None):
        return replace(filters, price_min=None, price_max=None)
    if facet == "availability" and (filters.availability or filters.available_only):
        return replace(filters, availability=(), available_only=False)
    return None


def lift_own_filters(
    lexical: LexicalIndex,
    query: MatchQuery,
    counts: FacetCounts,
    facets: Sequence[str],
    *,
    price_edges: Sequence[float],
    families: bool,
) -> FacetCounts:
    """`counts` with each of `facets` whose field `query`'s filters restrict counted again over the set
    those filters without that restriction leave (one backend facet query each)."""
    answer = dict(counts)
    for facet in facets:
        others = without_own_filter(query.filters, facet) if query.filters is not None else None
        if others is None:  # unrestricted, or a category (`without_own_filter` lifts none)
            continue
        wider = replace(query, filters=None if others.is_empty else others)
        answer[facet] = lexical.facets(wider, [facet], price_edges=price_edges, families=families)[facet]
    return answer
