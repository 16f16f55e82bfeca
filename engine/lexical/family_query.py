"""OpenSearch requests that count a match set's product families (`LexicalIndex.family_sizes`).

A family's key is the value of the family attribute (`engine.records.FAMILY_ATTRIBUTE`), one of the
nested `attributes` pairs (`engine.lexical.mapping`). The counts come from a composite aggregation over
those values, read page by page (`after`), so they are exact however many families a set holds, where a
`terms` aggregation stops at its size and a `cardinality` one estimates.
"""

from __future__ import annotations

from typing import Any

from engine.records import FAMILY_ATTRIBUTE

PAGE = 5_000  # composite buckets per request

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
