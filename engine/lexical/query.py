"""OpenSearch query DSL for product search: text query, `Filters` and facet aggregations.

Kept apart from the client code so the translation of `Filters` can be read (and tested) against
`Filters.matches`, the reference semantics both backends must agree with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.lexical.facets import attribute_name, price_buckets, top_buckets
from engine.records import AVAILABILITY_VALUES, CATEGORY_SEPARATOR, FacetCounts, Filters, Product

# The same weights as the embedded backend's per-field BM25 sum.
SEARCH_FIELDS = ("title^3", "description", "brand.text^2", "category")
AVAILABLE_VALUES = [v for v in AVAILABILITY_VALUES if Product(id="", title="", availability=v).available]
_MISSING = "None"  # what `Filters.matches` compares a missing attribute as


def text_query(query: str | None) -> dict[str, Any]:
    """BM25 over the search fields, summed over fields (like the embedded backend); None = all."""
    if query is None:
        return {"match_all": {}}
    return {"multi_match": {"query": query, "fields": list(SEARCH_FIELDS), "type": "most_fields"}}


def _attribute_clause(name: str, accepted: Sequence[str]) -> dict[str, Any]:
    has_value = {
        "nested": {
            "path": "attributes",
            "query": {
                "bool": {
                    "filter": [
                        {"term": {"attributes.name": name}},
                        {"terms": {"attributes.value": list(accepted)}},
                    ]
                }
            },
        }
    }
    if _MISSING not in accepted:
        return has_value
    has_name = {"nested": {"path": "attributes", "query": {"term": {"attributes.name": name}}}}
    return {"bool": {"should": [has_value, {"bool": {"must_not": [has_name]}}], "minimum_should_match": 1}}


def filter_clauses(filters: Filters | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(bool.filter, bool.must_not) clauses equivalent to `filters.matches`."""
    if filters is None or filters.is_empty:
        return [], []
    must: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    if filters.category:
        must.append({"term": {"category_prefixes": CATEGORY_SEPARATOR.join(filters.category)}})
    if filters.brands:
        must.append({"terms": {"brand": list(filters.brands)}})
    if filters.price_min is not None or filters.price_max is not None:
        bounds: dict[str, float] = {}
        if filters.price_min is not None:
            bounds["gte"] = filters.price_min
        if filters.price_max is not None:
            bounds["lte"] = filters.price_max
        must.append({"range": {"price": bounds}})
    if filters.available_only:
        must.append({"terms": {"availability": AVAILABLE_VALUES}})
    for name, accepted in filters.attributes.items():
        must.append(_attribute_clause(name, accepted))
    if filters.exclude_ids:
        must_not.append({"ids": {"values": list(filters.exclude_ids)}})
    return must, must_not


def bool_query(query: str | None, filters: Filters | None) -> dict[str, Any]:
    must, must_not = filter_clauses(filters)
    body: dict[str, Any] = {"must": [text_query(query)]}
    if must:
        body["filter"] = must
    if must_not:
        body["must_not"] = must_not
    return {"bool": body}


_TERMS_FIELDS = {
    "brand": "brand",
    "category": "category_top",
    "category_path": "category_path",
    "availability": "availability",
}


def facet_aggs(fields: Sequence[str], size: int) -> dict[str, Any]:
    """One aggregation per facet, named f0, f1, ... (facet names may hold characters agg names cannot)."""
    aggs: dict[str, Any] = {}
    for i, field in enumerate(fields):
        # Ties broken by value, as in the embedded backend, so both cut at the same bucket.
        terms = {"size": max(size, 1), "order": [{"_count": "desc"}, {"_key": "asc"}]}
        name = attribute_name(field)
        if field == "price":
            ranges = []
            for label, lo, hi in price_buckets():
                bucket: dict[str, Any] = {"key": label}
                if lo is not None:
                    bucket["from"] = lo
                if hi is not None:
                    bucket["to"] = hi
                ranges.append(bucket)
            aggs[f"f{i}"] = {"range": {"field": "price", "ranges": ranges}}
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
            aggs[f"f{i}"] = {"terms": {"field": _TERMS_FIELDS[field], **terms}}
    return aggs


def parse_facets(aggregations: dict[str, Any], fields: Sequence[str], size: int) -> FacetCounts:
    facets: FacetCounts = {}
    for i, field in enumerate(fields):
        agg = aggregations[f"f{i}"]
        counts: dict[str, int] = {}
        if attribute_name(field) is not None:
            for bucket in agg["named"]["values"]["buckets"]:
                counts[str(bucket["key"])] = int(bucket["products"]["doc_count"])
        else:
            for bucket in agg["buckets"]:
                counts[str(bucket["key"])] = int(bucket["doc_count"])
        facets[field] = top_buckets(counts, size)
    return facets
