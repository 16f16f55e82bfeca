"""Stage: what a page says of each product family it shows: how many of its variants match, and the
range of their prices.

A hit stands for its family (`engine.pipeline.distinct`); the page says "3 variants" and, where the
sizes cost differently, "from 12.99" (Shopify's storefront writes "From $12.99"). Both come from the
family's members in the match set, read in one backend query for the page's families (the set's query
with a filter on their `group`, ordered by score, as many as the families' counts). A WooCommerce
variable product heading its family (`distinct.is_head`) is no variant and has no price of its own
(the ingest gives it its variants' lowest), so it counts in neither. The range is that of the variants
one can buy where any can: "from 12.99" for a size that is sold out would be a price nobody pays.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from engine.lexical.base import LexicalIndex
from engine.lexical.matching import MatchQuery
from engine.pipeline.distinct import is_head
from engine.records import FAMILY_ATTRIBUTE, Filters, Product

log = logging.getLogger(__name__)

Lookup = Callable[[list[str]], Mapping[str, Product]]


@dataclass
class FamilyView:
    """Per shown product id: its family's variants in the set, and their (lowest, highest) price where
    those differ."""

    variants: dict[str, int] = field(default_factory=dict)
    prices: dict[str, tuple[float, float]] = field(default_factory=dict)


def family_view(
    lexical: LexicalIndex,
    lookup: Lookup,
    match: MatchQuery,
    shown: Sequence[Product],
    sizes: Mapping[str, int],
    members: Sequence[Product] | None = None,
) -> FamilyView:
    """The variants and price ranges of the `shown` products' families among the members of `match`
    (`sizes`: its members per family; `members`: all of them, where the search read them already,
    which saves the backend query). A backend that fails costs the ranges, never the answer: the
    variants then count every member."""
    families = _families(shown, sizes)
    if members is not None or not families:
        return members_view(shown, sizes, members or ())
    try:
        grouped = _members(lexical, lookup, match, families, sum(sizes[f] for f in families))
    except Exception as exc:  # a count a little high and no range is better than no answer
        log.warning("family members not read, variants count every member: %s", exc)
        return _counted(shown, sizes)
    return _view(shown, sizes, grouped)


def members_view(
    shown: Sequence[Product], sizes: Mapping[str, int], members: Sequence[Product]
) -> FamilyView:
    """`family_view` from every member of the set, read already (a search's small set, browsing's
    filtered catalog)."""
    return _view(shown, sizes, _grouped(members, set(_families(shown, sizes))))


def _families(shown: Sequence[Product], sizes: Mapping[str, int]) -> list[str]:
    """The shown products' families with more than one member in the set."""
    return sorted({p.family for p in shown if p.family is not None and sizes.get(p.family, 1) > 1})


def _counted(shown: Sequence[Product], sizes: Mapping[str, int]) -> FamilyView:
    return FamilyView({p.id: 1 if p.family is None else sizes.get(p.family, 1) for p in shown})


def _view(
    shown: Sequence[Product], sizes: Mapping[str, int], grouped: Mapping[str, list[Product]]
) -> FamilyView:
    view = _counted(shown, sizes)
    for product in shown:
        found = [m for m in grouped.get(product.family or "", []) if not is_head(m)]
        if not found:
            continue
        view.variants[product.id] = len(found)
        buyable = [m for m in found if m.available] or found
        prices = [m.price for m in buyable if m.price is not None]
        if prices and min(prices) < max(prices):
            view.prices[product.id] = (min(prices), max(prices))
    return view


def _members(
    lexical: LexicalIndex, lookup: Lookup, match: MatchQuery, families: list[str], count: int
) -> dict[str, list[Product]]:
    filters = match.filters or Filters()
    wanted = tuple(families)
    if FAMILY_ATTRIBUTE in filters.attributes:  # a search filtered on families already: both apply
        wanted = tuple(f for f in families if f in filters.attributes[FAMILY_ATTRIBUTE])
    attributes = {**filters.attributes, FAMILY_ATTRIBUTE: wanted}
    query = replace(match, filters=replace(filters, attributes=attributes))
    ids = [hit.product_id for hit in lexical.match_page(query, "relevance", 0, count)]
    products = lookup(ids)
    return _grouped([products[pid] for pid in ids if pid in products], set(families))


def _grouped(members: Sequence[Product], families: set[str]) -> dict[str, list[Product]]:
    grouped: dict[str, list[Product]] = {}
    for product in members:
        if product.family in families:
            grouped.setdefault(product.family, []).append(product)
    return grouped
