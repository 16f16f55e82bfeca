"""Stage: facet counts over the hits of a search.

Facets count over exactly the list a shopper can page through (filters applied), so a facet value's
count is the number of hits that clicking it would leave (families, where they show once); names follow
`engine.records.FacetCounts`.
Field names, price buckets and bucket order are those of the lexical backends
(`engine.lexical.facets`), so a price label means the same range wherever it comes from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from engine.lexical.facets import PRICE_EDGES, attribute_name, check_fields, price_label, top_buckets
from engine.pipeline.distinct import Key, family_key
from engine.records import CATEGORY_SEPARATOR, FacetCounts, Product

__all__ = ["check_fields", "facet_counts"]


def _values(product: Product, name: str, price_edges: Sequence[float]) -> list[str]:
    if name == "brand":
        return [product.brand] if product.brand else []
    if name == "category":
        return [path[0] for path in product.category_paths]
    if name == "category_path":
        return [CATEGORY_SEPARATOR.join(path) for path in product.category_paths]
    if name == "availability":
        return [product.availability]
    if name == "price":
        label = price_label(product.price, price_edges)
        return [label] if label else []
    value = product.attributes.get(attribute_name(name) or "")
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def facet_counts(
    products: Sequence[Product],
    fields: Sequence[str],
    size: int = 20,
    price_edges: Sequence[float] = PRICE_EDGES,
    families: bool = False,
) -> FacetCounts:
    """Counts per value for each field, most frequent first (ties by value), at most `size` values;
    price buckets between `price_edges`. With `families`, a value counts the product families with a
    member there (a product without a family is one), as `total` does when families show once."""
    check_fields(fields)
    result: FacetCounts = {}
    for name in fields:
        holders: dict[str, set[Key]] = defaultdict(set)
        for product in products:
            key = family_key(product.id, product) if families else (False, product.id)
            for value in set(_values(product, name, price_edges)):
                holders[value].add(key)
        result[name] = top_buckets({value: len(keys) for value, keys in holders.items()}, size)
    return result
