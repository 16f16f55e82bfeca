"""OpenSearch aggregations of facet counts: one per facet over a match query, and the filter that
selects one facet value (a facet value's families are counted over it, `engine.lexical.family_query`).
Buckets and their order are `engine.lexical.facets`', as in the embedded backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.lexical.facets import (
    PRICE_EDGES,
    TERMS_FIELDS,
    attribute_name,
    price_buckets,
    price_ranges,
    top_buckets,
)
from engine.lexical.query import attribute_clause
from engine.records import FacetCounts


def facet_aggs(
    fields: Sequence[str], size: int, price_edges: Sequence[float] = PRICE_EDGES
) -> dict[str, Any]:
    """One aggregation per facet, named f0, f1, ... (facet names may hold characters agg names cannot)."""
    aggs: dict[str, Any] = {}
    for i, field in enumerate(fields):
        # Ties broken by value, as in the embedded backend, so both cut at the same bucket.
        terms = {"size": max(size, 1), "order": [{"_count": "desc"}, {"_key": "asc"}]}
        name = attribute_name(field)
        if field == "price":
            aggs[f"f{i}"] = {"range": {"field": "price", "ranges": price_ranges(price_edges)}}
        elif name is not None:
            aggs[f"f{i}"] = {
                "nested": {"path": "attributes"},
                "aggs": {
                    "named": {
                        "filter": {"term": {"attributes.name": name}},
                        "aggs": {
                            "values": {
                                "terms": {"field": "attributes.value", **terms},
                                "aggs": {"products": {"reverse_nested": {}}},
                            }
                        },
                    }
                },
            }
        else:
            aggs[f"f{i}"] = {"terms": {"field": TERMS_FIELDS[field], **terms}}
    return aggs


def value_filter(field: str, value: str, price_edges: Sequence[float] = PRICE_EDGES) -> dict[str, Any]:
    """The documents with `value` in facet `field` (a price bucket's label: its half-open range)."""
    name = attribute_name(field)
    if field == "price":
        lo, hi = next((lo, hi) for label, lo, hi in price_buckets(price_edges) if label == value)
        bounds = {"gte": lo} if lo is not None else {}
        if hi is not None:
            bounds["lt"] = hi
        return {"range": {"price": bounds}}
    if name is not None:
        return attribute_clause(name, [value])
    return {"term": {TERMS_FIELDS[field]: value}}


def bucket_counts(agg: dict[str, Any], field: str) -> dict[str, int]:
    """Products per value in one facet's aggregation answer (`facet_aggs`)."""
    if attribute_name(field) is not None:
        return {str(b["key"]): int(b["products"]["doc_count"]) for b in agg["named"]["values"]["buckets"]}
    return {str(b["key"]): int(b["doc_count"]) for b in agg["buckets"]}


def parse_facets(aggregations: dict[str, Any], fields: Sequence[str], size: int) -> FacetCounts:
    return {
        field: top_buckets(bucket_counts(aggregations[f"f{i}"], field), size)
        for i, field in enumerate(fields)
    }
