"""Facet counts checked the way a shopper uses them: every value of every facet clicked, its count
against the `total` the filter leaves (`bench.families --clicks`).

A facet count is a promise about the next page: "Size M (7)" says clicking M leaves 7 hits. With
families shown once, both sides count families, so the two must agree for every value a filter can
select alone (each availability other than in stock cannot).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Search = Callable[..., dict[str, Any]]

PRICE_EPSILON = 0.001  # a bucket's upper bound is exclusive, a filter's `max` inclusive: prices are cents


def facet_filter(field: str, value: str) -> dict[str, Any] | None:
    """The request filter a front end sends when a shopper clicks `value` in facet `field`; None for an
    availability other than in stock, which no filter selects alone."""
    if field.startswith("attr."):
        return {"attributes": {field[len("attr.") :]: [value]}}
    if field == "price":
        low, high = value.split("-")
        bounds: dict[str, float] = {} if low == "*" else {"min": float(low)}
        if high != "*":
            bounds["max"] = float(high) - PRICE_EPSILON
        return {"price": bounds}
    if field == "availability":
        return {"available_only": True} if value == "in_stock" else None
    if field == "brand":
        return {"brand": [value]}
    if field == "category":
        return {"category": [value]}
    return None  # category_path: a path filter is a prefix, a path facet value the whole path


def check(search: Search, queries: Sequence[str], facets: Sequence[str], distinct: bool) -> dict[str, Any]:
    """Click every facet value of each query's answer; the values whose count is not the total their
    filter leaves. `search(query, distinct, facets=..., filters=...)` answers one search."""
    clicked, wrong = 0, []
    for query in queries:
        answer = search(query, distinct, facets=list(facets))
        for field in facets:
            for bucket in answer["facets"].get(field, []):
                filters = facet_filter(field, bucket["value"])
                if filters is None:
                    continue
                total = search(query, distinct, filters=filters)["total"]
                clicked += 1
                if total != bucket["count"]:
                    wrong.append({"query": query, "facet": field, **bucket, "total": total})
    return {"clicked": clicked, "wrong": wrong}
