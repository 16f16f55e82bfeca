"""Facet names, price buckets and ordering shared by both lexical backends and the search pipeline.

A facet is one of "brand", "category" (top level), "category_path" (full path), "availability", "price"
or "attr.<name>". Both backends count a product once per facet value, drop empty buckets and order
buckets by count descending, then by value, so their answers compare equal.

Price buckets are half-open: a product with price p is in ["lo-hi"] when lo <= p < hi; "*-10" has no lower
bound and "500-*" no upper bound. Products without a price are in no bucket. Attribute values are
compared as `str(value)`, the same as `Filters.matches`; products without the attribute are in no bucket.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from engine.errors import InvalidInput

PLAIN_FACETS = ("brand", "category", "category_path", "availability", "price")
ATTRIBUTE_PREFIX = "attr."

PRICE_EDGES: tuple[float, ...] = (10, 25, 50, 100, 250, 500)


def _fmt(value: float) -> str:
    return f"{value:g}"


def price_buckets() -> list[tuple[str, float | None, float | None]]:
    """(label, lower bound inclusive, upper bound exclusive) for every price bucket, cheapest first."""
    bounds: list[float | None] = [None, *PRICE_EDGES, None]
    buckets = []
    for lo, hi in itertools.pairwise(bounds):
        label = f"{'*' if lo is None else _fmt(lo)}-{'*' if hi is None else _fmt(hi)}"
        buckets.append((label, lo, hi))
    return buckets


def price_ranges() -> list[dict[str, object]]:
    """The price buckets as a range aggregation's ranges ({"key", "from", "to"}; open ends omitted),
    the form both OpenSearch and tantivy take."""
    ranges: list[dict[str, object]] = []
    for label, lo, hi in price_buckets():
        bucket: dict[str, object] = {"key": label}
        if lo is not None:
            bucket["from"] = lo
        if hi is not None:
            bucket["to"] = hi
        ranges.append(bucket)
    return ranges


def price_label(price: float | None) -> str | None:
    """The bucket label of one price (None when the product has no price)."""
    if price is None:
        return None
    for label, lo, hi in price_buckets():
        if (lo is None or price >= lo) and (hi is None or price < hi):
            return label
    return None  # NaN


def attribute_name(field: str) -> str | None:
    """The attribute name of an "attr.<name>" facet; None for the plain facets."""
    return field[len(ATTRIBUTE_PREFIX) :] if field.startswith(ATTRIBUTE_PREFIX) else None


def check_fields(fields: Sequence[str]) -> None:
    """Raise `InvalidInput` naming the first facet that no backend can count."""
    for field in fields:
        if field in PLAIN_FACETS or (attribute_name(field) or "").strip():
            continue
        raise InvalidInput(f"unknown facet {field!r}: use one of {', '.join(PLAIN_FACETS)} or attr.<name>")


def top_buckets(counts: Mapping[str, int], size: int) -> list[tuple[str, int]]:
    """Non-empty buckets by count descending, then value; at most `size`."""
    ranked = sorted(((v, c) for v, c in counts.items() if c > 0), key=lambda vc: (-vc[1], vc[0]))
    return ranked[: max(size, 0)]
