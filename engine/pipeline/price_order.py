"""A price sort that lists what can be bought first.

A shopper who sorts by price wants the cheapest thing they can order; a sold-out product at the top
of "lowest price first" is the first complaint a shop hears. So where the shop buries unavailable
products (`RuleSet.bury_unavailable`, on by default) a price sort lists the buyable members of the
match set by price, then the rest by price; with the switch off, one price order over all of them.
Boosts, buries by filter and pins still leave a price sort alone: it is the order the shopper asked for.

Over the match set the two sides are two backend pages under the set's filters narrowed by
availability (`Filters.availability`), the buyable side counted first so a page that straddles them
is joined exactly (one count more per price-sorted page). The near members that do not match as the
query says (`MatchSet.loose`: a sleeping pad, sharing "sleeping", in "sleeping bag") follow the
members that do, each part in price order with its buyable side first (`tiered_price_page`, one count
more): sorted among them, the cheapest pad led "sleeping bag" by price, as ink cartridges once led
"notebook". And among the members that match as the query says, those whose title's head holds every
query word come first (`engine.lexical.title_head`, one count more): "kolo" (a bike) sorted by lowest
price lists the bicycles, then the lock "Zámek na kolo" (a lock for the bike) and the rest that say
"kolo" elsewhere. Lists held in process (browsing, a degraded search's candidates) sort by
`price_key`.

A family shown once under a price sort (`engine.pipeline.distinct`) is shown by its first member in this
order, so by its cheapest buyable member when it has one.
"""

from __future__ import annotations

from dataclasses import replace

from engine.lexical.base import LexicalIndex
from engine.lexical.matching import MatchQuery
from engine.records import AVAILABILITY_VALUES, BUYABLE, Filters, Product, ScoredId

UNBUYABLE = tuple(v for v in AVAILABILITY_VALUES if v not in BUYABLE)


def side(filters: Filters, buyable: bool) -> Filters | None:
    """`filters` narrowed to the buyable (or the other) availabilities; None when the filters leave
    that side empty (a shopper who asked for "preorder" only has no sold-out side)."""
    wanted = BUYABLE if buyable else UNBUYABLE
    if filters.availability:
        wanted = tuple(v for v in wanted if v in filters.availability)
    if not wanted or (filters.available_only and not buyable):
        return None
    return replace(filters, availability=wanted)


def price_page(
    lexical: LexicalIndex, match: MatchQuery, sort: str, first: int, size: int, buyable_first: bool
) -> list[ScoredId]:
    """Members `first`..`first + size` of `match` in price order (`sort`: "price_asc"/"price_desc"),
    the buyable ones before the rest when `buyable_first`."""
    if not buyable_first:
        return lexical.match_page(match, sort, first, size)
    filters = match.filters or Filters()
    up, down = side(filters, True), side(filters, False)
    up_match = None if up is None else replace(match, filters=up)
    up_count = 0 if up_match is None else lexical.count_matching(up_match)
    page: list[ScoredId] = []
    if up_match is not None and first < up_count:
        page = lexical.match_page(up_match, sort, first, min(size, up_count - first))
    if down is not None and len(page) < size:
        offset = max(0, first - up_count)
        page.extend(lexical.match_page(replace(match, filters=down), sort, offset, size - len(page)))
    return page


def tiered_price_page(
    lexical: LexicalIndex,
    match: MatchQuery,
    loose: frozenset[str],
    sort: str,
    first: int,
    size: int,
    buyable_first: bool,
) -> list[ScoredId]:
    """`price_page` over the set's parts in turn (`price_parts`), each part counted but the last."""
    parts = price_parts(match, loose)
    page: list[ScoredId] = []
    offset = first
    for n, part in enumerate(parts):
        count = lexical.count_matching(part) if n < len(parts) - 1 else None
        if count is not None and offset >= count:
            offset -= count
            continue
        want = size - len(page) if count is None else min(size - len(page), count - offset)
        page.extend(price_page(lexical, part, sort, offset, want, buyable_first))
        offset = 0
        if len(page) >= size:
            break
    return page


def price_parts(match: MatchQuery, loose: frozenset[str]) -> list[MatchQuery]:
    """The disjoint parts of a text query's match set a price sort lists in turn: the members whose
    title head holds every query word (`engine.lexical.title_head`), the other strict members, then the
    `loose` members (near members that match neither lexically nor semantically)."""
    strict = replace(match, also_ids=match.also_ids - loose)
    parts = [replace(strict, head=True), replace(strict, head=False)] if match.text else [strict]
    if loose:
        parts.append(replace(match, also_ids=loose, lexical=False, near_ids=frozenset()))
    return parts


def price_key(product: Product, descending: bool, buyable_first: bool) -> tuple[int, int, float]:
    """Sort key of an in-process price order: (sold-out side, no price, price), each side priced first."""
    sold = int(buyable_first and not product.available)
    if product.price is None:
        return (sold, 1, 0.0)
    return (sold, 0, -product.price if descending else product.price)
