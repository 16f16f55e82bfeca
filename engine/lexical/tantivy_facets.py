"""Facet and family counts of the embedded (tantivy) index over a match set.

Product counts: in a generation whose facet fields are fast (`Generation.facet_fast`), one
aggregation for every facet, the match query evaluated once (a search's query can hold hundreds of
semantic members' ids, and each facet's terms walk evaluates it again); in an older one the terms of
each facet's raw field restricted to the match query (`Searcher.terms_with_prefix`) and a range
aggregation for price buckets. Exact at any catalog size either way.

Family counts (`families=True`, when a search shows each family once): a value's families are the
`family` buckets of the set's members with that value, asked only for the values
`engine.lexical.family_facets` names: one round's values of a facet in one aggregation (a terms
aggregation over `family` under each) where the facet fields are fast, else one value at a time.
tantivy's cost follows the bucket count an aggregation is allowed, so each is allowed what it can
need: a value has no more families than products. The search pipeline counts the families of a small
set from its product cache instead (`engine.pipeline.search`); this is the way for larger sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engine.lexical import tantivy_generation
from engine.lexical.facets import TERMS_FIELDS, attribute_name, price_buckets, price_ranges, top_buckets
from engine.lexical.family_facets import top_families
from engine.lexical.tantivy_generation import Generation, family_buckets, price_counts
from engine.lexical.tantivy_schema import ATTR_SEPARATOR, tantivy
from engine.records import FAMILY_ATTRIBUTE, FacetCounts, family_count

LISTED = 1_024  # values one aggregation lists at first; all of them when that was too few

Counter = Callable[[Sequence[str]], dict[str, int]]


def family_members(gen: Generation, searcher: Any, query: Any, most: int | None = None) -> dict[str, int]:
    """Members per family among the documents `query` matches (`most`: how many families there can be
    at most, which bounds the aggregation): the `family` fast field's buckets (cost in proportion to
    the set), else, in a generation written before that field or a set with more families than one
    aggregation returns, the family attribute's terms walked (cost in proportion to the catalog's
    families)."""
    if gen.family_field:
        found = family_buckets(searcher, query, most)
        if found is not None:
            return found
    prefix = f"{FAMILY_ATTRIBUTE}{ATTR_SEPARATOR}"
    terms = searcher.terms_with_prefix("attr", prefix, filter_query=query)
    return {value[len(prefix) :]: n for value, n in terms if n > 0}


def facet_counts(
    gen: Generation,
    query: Any,
    fields: Sequence[str],
    size: int,
    edges: Sequence[float],
    families: bool = False,
) -> FacetCounts:
    """Counts per value of each facet among the documents `query` matches, the top `size`: products,
    or with `families` the families with a member there."""
    searcher = gen.index.searcher()
    together = aggregated_counts(searcher, query, fields, edges) if gen.facet_fast else {}
    result: FacetCounts = {}
    for name in fields:
        counts = together.get(name)
        if counts is None:
            counts = product_counts(searcher, query, name, edges)
        if not families:
            result[name] = top_buckets(counts, size)
            continue
        count = value_counter(gen, searcher, query, name, edges, counts)
        if gen.facet_fast and gen.family_field:
            count = nested_counter(searcher, query, name, edges, counts, count)
        result[name] = top_families(counts, count, size)[0]  # every value listed: certain
    return result


def product_counts(searcher: Any, query: Any, name: str, edges: Sequence[float]) -> dict[str, int]:
    """Products per value of facet `name` among the documents `query` matches, every value, from the
    field's terms."""
    attr = attribute_name(name)
    if name == "price":
        return price_counts(searcher, query, edges)
    if attr is not None:
        prefix = f"{attr}{ATTR_SEPARATOR}"
        terms = searcher.terms_with_prefix("attr", prefix, filter_query=query)
        return {value[len(prefix) :]: n for value, n in terms}
    return dict(searcher.terms_with_prefix(TERMS_FIELDS[name], "", filter_query=query))


def aggregated_counts(
    searcher: Any, query: Any, fields: Sequence[str], edges: Sequence[float]
) -> dict[str, dict[str, int]]:
    """Products per value of each facet among the documents `query` matches, from one aggregation over
    the fast facet fields, listing `LISTED` values, then all (`tantivy_generation.FAMILY_BUCKETS`)
    for the facets that have more; a facet it cannot hold is left out, for the caller to count from
    the field's terms."""
    found: dict[str, dict[str, int]] = {}
    for listed in (LISTED, tantivy_generation.FAMILY_BUCKETS):
        wanted = [name for name in fields if name not in found]
        if not wanted:
            break
        request = {f"v{i}": _values(name, edges, listed) for i, name in enumerate(wanted)}
        try:
            answer = searcher.aggregate(query, request)
        except ValueError:  # more buckets than one aggregation may hold
            break
        for i, name in enumerate(wanted):
            if not answer[f"v{i}"].get("sum_other_doc_count"):
                found[name] = {value: n for value, n in _buckets(answer[f"v{i}"], name) if n > 0}
    return found


def _values(name: str, edges: Sequence[float], listed: int, only: Sequence[str] = ()) -> dict[str, Any]:
    """The aggregation of facet `name`'s values (`only`: just these)."""
    attr = attribute_name(name)
    if name == "price":
        ranges = price_ranges(edges)
        return {"range": {"field": "price", "ranges": [r for r in ranges if not only or r["key"] in only]}}
    field, prefix = ("attr", f"{attr}{ATTR_SEPARATOR}") if attr is not None else (TERMS_FIELDS[name], "")
    terms: dict[str, Any] = {"field": field, "size": listed}
    if only:
        terms["include"] = _literal(prefix) + "(?:" + "|".join(_literal(v) for v in only) + ")"
    elif prefix:
        terms["include"] = _literal(prefix) + ".*"
    return {"terms": terms}


def _buckets(answer: Mapping[str, Any], name: str) -> list[tuple[str, int]]:
    """(value, documents) of an aggregation answer of `_values`, the attribute name cut off."""
    attr = attribute_name(name)
    cut = len(attr) + len(ATTR_SEPARATOR) if attr is not None else 0
    return [(str(b["key"])[cut:], int(b["doc_count"])) for b in answer["buckets"]]


def _literal(text: str) -> str:
    """`text` as a regular expression matching it literally."""
    return re.sub(r"([\\.+*?()|\[\]{}^$#&~-])", r"\\\1", text)


def nested_counter(
    searcher: Any,
    query: Any,
    name: str,
    edges: Sequence[float],
    products: Mapping[str, int],
    one_by_one: Counter,
) -> Counter:
    """The family counter of facet `name` for `top_families`: a round's values in one aggregation, a
    `family` terms aggregation under each, allowed as many families as the most products of them
    (`one_by_one` where that is more buckets than one aggregation may hold)."""

    def count(values: Sequence[str]) -> dict[str, int]:
        family = {"family": {"terms": {"field": "family", "size": max(products[v] for v in values)}}}
        request = {"v": {**_values(name, edges, len(values), values), "aggs": family}}
        try:
            answer = searcher.aggregate(query, request)["v"]
        except ValueError:
            return one_by_one(values)
        found = {}
        for bucket in answer["buckets"]:
            value = _buckets({"buckets": [bucket]}, name)[0][0]
            sizes = {str(b["key"]): int(b["doc_count"]) for b in bucket["family"]["buckets"]}
            found[value] = family_count(int(bucket["doc_count"]), sizes)
        return {v: found.get(v, 0) for v in values}

    return count


def value_counter(
    gen: Generation,
    searcher: Any,
    query: Any,
    name: str,
    edges: Sequence[float],
    products: Mapping[str, int],
) -> Counter:
    """The family counter of facet `name` for `top_families`: each value's members' families, an
    aggregation each (or a terms walk), allowed as many families as the value has products."""

    def count(values: Sequence[str]) -> dict[str, int]:
        found = {}
        for value in values:
            both = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, value_query(gen, name, value, edges))]
            )
            found[value] = family_count(products[value], family_members(gen, searcher, both, products[value]))
        return found

    return count


def value_query(gen: Generation, name: str, value: str, edges: Sequence[float]) -> Any:
    """The documents with `value` in facet `name` (a price bucket's label: its half-open range)."""
    attr = attribute_name(name)
    if name == "price":
        lo, hi = next((lo, hi) for label, lo, hi in price_buckets(edges) if label == value)
        return tantivy.Query.range_query(
            gen.schema, "price", tantivy.FieldType.Float, lo, hi, include_upper=hi is None
        )
    if attr is not None:
        return tantivy.Query.term_query(gen.schema, "attr", f"{attr}{ATTR_SEPARATOR}{value}")
    return tantivy.Query.term_query(gen.schema, TERMS_FIELDS[name], value)
