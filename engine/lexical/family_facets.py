"""Facet counts of product families: which values to count, so the few counts a page shows stay exact.

When a search shows each product family once (`engine.pipeline.distinct`), its `total` counts families,
and a facet value's count must too, or "Jackets 12" stands beside a total of 2 and clicking the value
answers 2. A value's family count is how many families have a member in the match set with that value
(a product without a family is one), so a jacket sold in S, M and L counts once under its brand and
once under each size it matches with.

Counting families costs a backend query per value, where counting products is one aggregation for all
of them. But a value never has more families than products, so the values are counted in order of
their product counts, and counting stops once the next value's products cannot reach the smallest
family count of the facet's top `size`: the long tail of a brand facet is never asked. The backends
answer the product counts (all values, or the most frequent with a bound on the rest) and the family
counts of a batch of values; this module decides which values those are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from engine.lexical.facets import top_buckets

BATCH = 20  # values whose families one round asks for (one backend request on OpenSearch)

FamilyCounter = Callable[[Sequence[str]], Mapping[str, int]]


def _order(products: Mapping[str, int]) -> list[str]:
    return sorted((v for v, n in products.items() if n > 0), key=lambda v: (-products[v], v))


def top_families(
    products: Mapping[str, int], families: FamilyCounter, size: int, unlisted: int = 0
) -> tuple[list[tuple[str, int]], bool]:
    """The `size` values with the most families, most first (ties by value, as `top_buckets`), and
    whether they are certain. `products`: every value's product count in the set, or the most frequent
    values' where `unlisted` is the most products any value left out has; `families(values)`: those
    values' family counts. Not certain when a value left out could still enter the top (ask again with
    more values listed)."""
    order = _order(products)
    counted: dict[str, int] = {}
    position = 0
    while position < len(order):
        floor = _floor(counted, size)
        batch = [v for v in order[position : position + max(size, BATCH)] if products[v] >= floor]
        if not batch:
            break
        counted.update(families(batch))
        position += len(batch)
        if len(batch) < max(size, BATCH):
            break  # the next value's products are below the floor, and so are all after it
    top = top_buckets(counted, size)
    return top, not (unlisted > 0 and unlisted >= _floor(counted, size))


def _floor(counted: Mapping[str, int], size: int) -> int:
    """The fewest products a value not yet counted needs to enter the top `size`: the smallest family
    count among the top (a tie can still enter, by its value), 1 while the top has room."""
    if size <= 0:
        return 1 << 62
    top = top_buckets(counted, size)
    return top[-1][1] if len(top) >= size else 1
