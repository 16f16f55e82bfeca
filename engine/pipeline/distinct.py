"""Stage: one hit per product family, so a jacket sold in three sizes and two colours shows once.

Shop exports write each size and colour as a product of its own (its id, price, stock and GTIN) and
name their family (`engine.records.FAMILY_ATTRIBUTE`: WooCommerce's `Parent`, Shopify's `Handle`, a
Google feed's `item_group_id`). Listed as they are, a query for the jacket fills its first page with
the jacket six times. With `distinct` (the default, `AISLE_DISTINCT_FAMILIES`, or per request) a
search shows each family once, as Algolia's `distinct` and Elasticsearch's field collapsing do:

- the family stands where its best-placed member stands, shown by the member the query names by an
  identifier, else by its best-placed member a shopper can buy (the first when none can: a sold-out
  size does not hide the sizes in stock);
- `total` counts families (a product without a family is one), and pages are pages of families: page 2
  starts with the family after page 1's last, whatever its members' places;
- a price sort orders families by their cheapest member (or dearest, descending), which shows them;
- each hit carries how many of its family's products match (`variants`);
- facet counts count families too (`engine.lexical.family_facets`), so a value's count is the `total`
  clicking it leaves: a jacket in S, M and L counts once under its brand and once under each size
  (Algolia's `facetingAfterDistinct`, a Shopify storefront's filters).

The counts come from the lexical backend (`LexicalIndex.family_sizes`, exact on both); a catalog where
no product names a family answers None there and skips this stage entirely.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from functools import partial
from typing import TypeVar

from engine.pipeline.types import RankedHit
from engine.records import Product

Key = tuple[bool, str]  # (names a family, the family or the product's own id): the two never collide
T = TypeVar("T")

Lookup = Callable[[list[str]], Mapping[str, Product]]


def family_key(product_id: str, product: Product | None) -> Key:
    """The family a product is shown with; a product without one (or no longer stored) is its own."""
    family = product.family if product is not None else None
    return (True, family) if family is not None else (False, product_id)


def is_head(product: Product) -> bool:
    """Whether `product` is the head of its family rather than one of its variants: WooCommerce's variable
    product, which the ingest keys its family by (`indexer.families`), holds its variations' option lists
    and is shown for the family, but is not a size or colour one can buy, so "4 variants" of a food in
    three weights would count it."""
    return product.family == product.id


def collapse(
    hits: Sequence[RankedHit], products: Mapping[str, Product], named: Collection[str] = ()
) -> list[RankedHit]:
    """The hits, one per family at its best member's place, shown by the member the query names by an
    identifier (`named`: a shopper who types one size's GTIN gets that size), else by the best-placed
    member that can be bought, else by the best-placed one; ranks renumbered from 1."""
    families: dict[Key, list[RankedHit]] = {}
    for hit in hits:
        pid = hit.product_id
        families.setdefault(family_key(pid, products.get(pid)), []).append(hit)
    shown = [_shown(members, products, named) for members in families.values()]
    for rank, hit in enumerate(shown, start=1):
        hit.rank = rank
    return shown


def _key_of(products: Mapping[str, Product], hit: RankedHit) -> Key:
    return family_key(hit.product_id, products.get(hit.product_id))


def _shown(members: list[RankedHit], products: Mapping[str, Product], named: Collection[str]) -> RankedHit:
    for hit in members:
        if hit.product_id in named:
            return hit
    for hit in members:
        product = products.get(hit.product_id)
        if product is not None and product.available:
            return hit
    return members[0]


def first_of_each(items: Sequence[T], key: Callable[[T], Key]) -> list[T]:
    """The first item of each family, in order."""
    seen: set[Key] = set()
    kept = []
    for item in items:
        family = key(item)
        if family not in seen:
            seen.add(family)
            kept.append(item)
    return kept


def page(
    window: Callable[[int], list[RankedHit]],
    lookup: Lookup,
    first: int,
    size: int,
    members: int,
) -> list[RankedHit]:
    """Families `first`..`first + size` of an order over the whole set, `window(n)` its first `n`
    members (of `members`): the window grows until it holds enough families or the whole set, so a page
    costs what the families before it hold in members, as field collapsing costs in a search engine."""
    wanted = first + size
    width = max(wanted, 1)
    while True:
        listed = window(width)
        shown = first_of_each(listed, partial(_key_of, lookup([h.product_id for h in listed])))
        if len(shown) >= wanted or width >= members or len(listed) < width:
            for rank, hit in enumerate(shown, start=1):
                hit.rank = rank
            return shown[first:wanted]
        width = min(members, width * 4)
