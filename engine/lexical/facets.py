"""Facet names, price buckets and ordering shared by both lexical backends and the search pipeline.

A facet is one of "brand", "category" (top level), "category_path" (full path), "availability", "price"
or "attr.<name>". Both backends count a product once per facet value, drop empty buckets and order
buckets by count descending, then by value, so their answers compare equal.

Price buckets are half-open: a product with price p is in ["lo-hi"] when lo <= p < hi; "*-10" has no lower
bound and "500-*" no upper bound. Products without a price are in no bucket. The edges follow the
catalog's prices (`price_edges_of`, stored in the index manifest at build): round numbers spaced
evenly by ratio from its cheap end to its dear end, so a hardware shop's 2 € screws and 300 € drills
are both spread over several buckets instead of all the tools sharing "50-*", and a yen shop's ¥5,000
products are not all "500-*". An index built before that kept `PRICE_EDGES` times a power of ten
(`price_scale`).
Attribute values are compared as `str(value)`, the same as `Filters.matches`; products without the
attribute are in no bucket.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence

from engine.errors import InvalidInput

PLAIN_FACETS = ("brand", "category", "category_path", "availability", "price")
# The indexed field of each facet counted by its terms, the same name in both backends' documents.
TERMS_FIELDS = {
    "brand": "brand",
    "category": "category_top",
    "category_path": "category_path",
    "availability": "availability",
}
ATTRIBUTE_PREFIX = "attr."

PRICE_EDGES: tuple[float, ...] = (10, 25, 50, 100, 250, 500)
_CENTRE = 70.0  # about the geometric middle of the base edges
_SCALES = range(-2, 7)


def price_scale(prices: Iterable[float | None]) -> int:
    """The power of ten by which `PRICE_EDGES` are scaled so that a catalog's median price sits among
    the middle buckets: 0 for prices around 10-500 (a median of 20 to 220), 2 for a median of ¥5,000
    (edges 1,000-50,000), -1 for a shop of small parts around 5 (edges 1-50)."""
    known = sorted(p for p in prices if p is not None and p > 0 and math.isfinite(p))
    if not known:
        return 0
    median = known[len(known) // 2]
    return max(_SCALES[0], min(_SCALES[-1], round(math.log10(median / _CENTRE))))


# The round numbers of each power of ten that price edges are taken from.
ROUND_PRICES = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.5)
PRICE_EDGE_COUNT = 6  # seven buckets, as many as a facet shows
PRICE_ENDS = 0.05  # the cheap and the dear end: the prices this share of products lies under / over


def price_edges_of(prices: Iterable[float | None]) -> tuple[float, ...]:
    """A catalog's price edges: `PRICE_EDGE_COUNT` prices spaced evenly by ratio from its cheap end to
    its dear end (the 5th and 95th percentiles, so one odd price does not stretch them), each rounded
    to the nearest `ROUND_PRICES` number by ratio, duplicates dropped. Prices vary over orders of
    magnitude and shoppers compare them by ratio ("under 20", "100 to 200"), so a catalog of screws
    and drills gets buckets for both. Fewer than two distinct prices: the base edges scaled to them
    (`price_scale`)."""
    known = sorted(p for p in prices if p is not None and p > 0 and math.isfinite(p))
    if not known or known[0] == known[-1]:
        return price_edges(price_scale(known))
    low, high = (known[int(share * (len(known) - 1))] for share in (PRICE_ENDS, 1 - PRICE_ENDS))
    if high <= low:
        low, high = known[0], known[-1]
    step = (high / low) ** (1 / (PRICE_EDGE_COUNT - 1))
    return tuple(sorted({_round_price(low * step**k) for k in range(PRICE_EDGE_COUNT)}))


def _round_price(price: float) -> float:
    """The `ROUND_PRICES` number times a power of ten nearest to `price` by ratio (12.9 -> 15, 89 -> 100)."""
    power = math.floor(math.log10(price))
    candidates = [r * 10.0**p for p in (power - 1, power, power + 1) for r in ROUND_PRICES]
    nearest: float = min(candidates, key=lambda c: abs(math.log(c / price)))
    return round(nearest, 2)


def price_edges(scale: int = 0) -> tuple[float, ...]:
    """`PRICE_EDGES` times 10 ** `scale` (rounded to cents, so 0.1 is not 0.10000000000000001)."""
    return tuple(round(edge * 10.0**scale, 2) for edge in PRICE_EDGES)


def _fmt(value: float) -> str:
    return f"{value:.12g}"


def price_buckets(edges: Sequence[float] = PRICE_EDGES) -> list[tuple[str, float | None, float | None]]:
    """(label, lower bound inclusive, upper bound exclusive) for every price bucket, cheapest first."""
    bounds: list[float | None] = [None, *edges, None]
    buckets = []
    for lo, hi in itertools.pairwise(bounds):
        label = f"{'*' if lo is None else _fmt(lo)}-{'*' if hi is None else _fmt(hi)}"
        buckets.append((label, lo, hi))
    return buckets


def price_ranges(edges: Sequence[float] = PRICE_EDGES) -> list[dict[str, object]]:
    """The price buckets as a range aggregation's ranges ({"key", "from", "to"}; open ends omitted),
    the form both OpenSearch and tantivy take."""
    ranges: list[dict[str, object]] = []
    for label, lo, hi in price_buckets(edges):
        bucket: dict[str, object] = {"key": label}
        if lo is not None:
            bucket["from"] = lo
        if hi is not None:
            bucket["to"] = hi
        ranges.append(bucket)
    return ranges


def price_label(price: float | None, edges: Sequence[float] = PRICE_EDGES) -> str | None:
    """The bucket label of one price (None when the product has no price)."""
    if price is None:
        return None
    for label, lo, hi in price_buckets(edges):
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
