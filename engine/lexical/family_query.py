"""OpenSearch requests that count a match set's product families (`LexicalIndex.family_sizes`), and
its facet values' families (`LexicalIndex.facets` with `families`).

A family's key is the value of the family attribute (`engine.records.FAMILY_ATTRIBUTE`), one of the
nested `attributes` pairs (`engine.lexical.mapping`). The counts come from a composite aggregation over
those values, read page by page (`after`), so they are exact however many families a set holds, where a
`terms` aggregation stops at its size and a `cardinality` one estimates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine.lexical import facet_query
from engine.lexical.family_facets import top_families
from engine.records import FAMILY_ATTRIBUTE, FacetCounts, family_count

PAGE = 5_000  # composite buckets per request
LISTED = 1_000  # facet values listed by product count before their families are counted

HAS_FAMILY: dict[str, Any] = {
    "nested": {"path": "attributes", "query": {"term": {"attributes.name": FAMILY_ATTRIBUTE}}}
}


def sizes_body(query: dict[str, Any], after: dict[str, Any] | None = None) -> dict[str, Any]:
    """One page of family counts over the documents `query` matches."""
    composite: dict[str, Any] = {
        "size": PAGE,
        "sources": [{"key": {"terms": {"field": "attributes.value"}}}],
    }
    if after is not None:
        composite["after"] = after
    return {
        "query": query,
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "attributes": {
                "nested": {"path": "attributes"},
                "aggs": {
                    "family": {
                        "filter": {"term": {"attributes.name": FAMILY_ATTRIBUTE}},
                        "aggs": {"keys": {"composite": composite}},
                    }
                },
            }
        },
    }


def read_sizes(response: dict[str, Any], into: dict[str, int]) -> dict[str, Any] | None:
    """Add one page's counts to `into`; returns the key to ask the next page after (None: last page).
    A product holds its family attribute once, so a bucket's nested documents are its products."""
    keys = response["aggregations"]["attributes"]["family"]["keys"]
    buckets = keys["buckets"]
    for bucket in buckets:
        into[str(bucket["key"]["key"])] = int(bucket["doc_count"])
    return keys.get("after_key") if len(buckets) == PAGE else None


MSearch = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def _family_sizes(msearch: MSearch, queries: list[dict[str, Any]]) -> list[dict[str, int]]:
    """Members per family of each query's documents: every first page in one `_msearch`, then the
    further pages of the few queries with more than `PAGE` families."""
    sizes: list[dict[str, int]] = [{} for _ in queries]
    pending: dict[int, dict[str, Any] | None] = dict.fromkeys(range(len(queries)))  # -> page after
    while pending:
        order = list(pending)
        responses = msearch([sizes_body(queries[i], pending[i]) for i in order])
        pending = {}
        for i, response in zip(order, responses, strict=True):
            after = read_sizes(response, sizes[i])
            if after is not None:
                pending[i] = after
    return sizes


def facet_families(
    msearch: MSearch, query: dict[str, Any], fields: Sequence[str], size: int, edges: Sequence[float]
) -> FacetCounts:
    """The top `size` values of each facet by the families with a member among `query`'s documents
    (`engine.lexical.family_facets` picks which values to count; a round of counts is one `_msearch`).
    A facet's values come from one terms aggregation listing `LISTED` of them, four times more while a
    value left out could still enter the top."""
    result: FacetCounts = {}
    for name in fields:
        listed = LISTED
        while True:
            body = {"query": query, "size": 0, "track_total_hits": False}
            body["aggs"] = facet_query.facet_aggs([name], listed, edges)
            products = facet_query.bucket_counts(msearch([body])[0]["aggregations"]["f0"], name)
            unlisted = min(products.values()) if len(products) >= listed else 0

            def count(
                values: Sequence[str], name: str = name, products: dict[str, int] = products
            ) -> dict[str, int]:
                queries = [
                    {"bool": {"must": [query], "filter": [facet_query.value_filter(name, v, edges)]}}
                    for v in values
                ]
                found = _family_sizes(msearch, queries)
                return {v: family_count(products[v], s) for v, s in zip(values, found, strict=True)}

            top, certain = top_families(products, count, size, unlisted)
            if certain:
                result[name] = top
                break
            listed *= 4
    return result
