"""Facet and family counts of the embedded (tantivy) index over a match set.

Product counts: the terms of a facet's raw field restricted to the match query
(`Searcher.terms_with_prefix`), and a range aggregation for price buckets, exact at any catalog size.
Family counts (`families=True`, when a search shows each family once): a value's families are the
family buckets of the set's members with that value (`family_buckets`, a terms aggregation over the
`family` fast field), asked only for the values `engine.lexical.family_facets` names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.lexical.facets import attribute_name, price_buckets, top_buckets
from engine.lexical.family_facets import top_families
from engine.lexical.tantivy_generation import Generation, family_buckets, price_counts
from engine.lexical.tantivy_schema import ATTR_SEPARATOR, tantivy
from engine.records import FAMILY_ATTRIBUTE, FacetCounts, family_count

_RAW_FIELDS = {
    "brand": "brand",
    "category": "category_top",
    "category_path": "category_path",
    "availability": "availability",
}


def family_members(gen: Generation, searcher: Any, query: Any) -> dict[str, int]:
    """Members per family among the documents `query` matches: the `family` fast field's buckets (cost
    in proportion to the set), else, in a generation written before that field or a set with more
    families than one aggregation returns, the family attribute's terms walked (cost in proportion to
    the catalog's families)."""
    if gen.family_field:
        found = family_buckets(searcher, query)
        if found is not None:
            return found
    prefix = f"{FAMILY_ATTRIBUTE}{ATTR_SEPARATOR}"
    terms = searcher.terms_with_prefix("attr", prefix, filter_query=query)
    return {value[len(prefix) :]: n for value, n in terms if n > 0}


def product_counts(searcher: Any, query: Any, name: str, edges: Sequence[float]) -> dict[str, int]:
    """Products per value of facet `name` among the documents `query` matches, every value."""
    attr = attribute_name(name)
    if name == "price":
        return price_counts(searcher, query, edges)
    if attr is not None:
        prefix = f"{attr}{ATTR_SEPARATOR}"
        terms = searcher.terms_with_prefix("attr", prefix, filter_query=query)
        return {value[len(prefix) :]: n for value, n in terms}
    return dict(searcher.terms_with_prefix(_RAW_FIELDS[name], "", filter_query=query))


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
    return tantivy.Query.term_query(gen.schema, _RAW_FIELDS[name], value)


def facet_counts(
    gen: Generation,
    query: Any,
    fields: Sequence[str],
    size: int,
    edges: Sequence[float],
    families: bool = False,
) -> FacetCounts:
    """Counts per value of each facet among the documents `query` matches, the top `size`: products,
    or with `families` the families with a member there (`engine.lexical.family_facets`)."""
    searcher = gen.index.searcher()
    result: FacetCounts = {}
    for name in fields:
        counts = product_counts(searcher, query, name, edges)
        if not families:
            result[name] = top_buckets(counts, size)
            continue

        def count(values: Sequence[str], name: str = name, counts: dict[str, int] = counts) -> dict[str, int]:
            found = {}
            for value in values:
                both = tantivy.Query.boolean_query(
                    [
                        (tantivy.Occur.Must, query),
                        (tantivy.Occur.Must, value_query(gen, name, value, edges)),
                    ]
                )
                found[value] = family_count(counts[value], family_members(gen, searcher, both))
            return found

        result[name] = top_families(counts, count, size)[0]  # every value listed: certain
    return result
