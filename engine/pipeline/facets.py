"""Stage: facet counts over the hits of a search.

Facets count over exactly the list a shopper can page through (filters applied), so a facet value's
count is the number of hits that clicking it would leave; names follow `engine.records.FacetCounts`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from engine.errors import InvalidInput
from engine.records import CATEGORY_SEPARATOR, FacetCounts, Product

FACET_FIELDS = ("brand", "category", "category_path", "availability", "price")
# Upper bounds of the price buckets; the last bucket is open-ended.
PRICE_EDGES = (25.0, 50.0, 100.0, 200.0, 500.0)


def price_bucket(price: float | None) -> str | None:
    """Label of the bucket holding `price`: "0-25", "25-50", ..., "500+" (lower bound inclusive)."""
    if price is None:
        return None
    lower = 0.0
    for edge in PRICE_EDGES:
        if price < edge:
            return f"{lower:g}-{edge:g}"
        lower = edge
    return f"{lower:g}+"


def check_fields(fields: Iterable[str]) -> None:
    for name in fields:
        if name not in FACET_FIELDS and not (name.startswith("attr.") and len(name) > 5):
            raise InvalidInput(f"unknown facet {name!r}; expected one of {FACET_FIELDS} or 'attr.<name>'")


def _values(product: Product, name: str) -> list[str]:
    if name == "brand":
        return [product.brand] if product.brand else []
    if name == "category":
        return [product.category[0]] if product.category else []
    if name == "category_path":
        return [CATEGORY_SEPARATOR.join(product.category)] if product.category else []
    if name == "availability":
        return [product.availability]
    if name == "price":
        bucket = price_bucket(product.price)
        return [bucket] if bucket else []
    value = product.attributes.get(name[5:])
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def facet_counts(products: Sequence[Product], fields: Sequence[str], size: int = 20) -> FacetCounts:
    """Counts per value for each field, most frequent first (ties by value), at most `size` values."""
    check_fields(fields)
    result: FacetCounts = {}
    for name in fields:
        counter: Counter[str] = Counter()
        for product in products:
            counter.update(set(_values(product, name)))
        ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        result[name] = ranked[:size]
    return result
