"""Algolia-protocol filters, sorts and records mapped onto the engine's (no HTTP here).

Facet filters are a conjunction of disjunctions: `["brand:Acme", ["brand:Bolt", "brand:Core"]]` means
brand is Acme AND (Bolt OR Core). The engine's `Filters` accept any of several brands or values of one
attribute and one category path prefix, so:

- a disjunction must stay within one attribute (`["brand:A", "category:B"]` is refused);
- a conjunction of several groups on the same attribute intersects them: a product has one brand, so
  `brand:A AND brand:B` can match nothing and `impossible()` says so (the caller answers zero hits);
- `category` filters on the top-level category, `category_path` on a full path ("Home > Kitchen"); a
  category disjunction of more than one path is refused (one path prefix per search);
- `attr.<name>` filters on a catalog attribute, compared as text like everywhere in the engine.

Numeric filters are on `price`: `price>=10`, `price<=100`, `price=20`, the strict `<`/`>` (exact, via the
neighbouring float) and the range form `price:10 TO 100`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from engine.errors import InvalidInput
from engine.lexical.facets import attribute_name
from engine.pipeline.types import Sort
from engine.records import AVAILABILITY_VALUES, CATEGORY_SEPARATOR, Filters, Product

SORT_SUFFIXES: dict[str, Sort] = {"_price_asc": "price_asc", "_price_desc": "price_desc"}
DEFAULT_FACETS = ("brand", "category", "availability", "price")
_NUMERIC = re.compile(r"^\s*([A-Za-z_.]+)\s*(<=|>=|!=|=|<|>)\s*(-?[0-9.eE+-]+)\s*$")
_RANGE = re.compile(r"^\s*([A-Za-z_.]+)\s*:\s*(-?[0-9.eE+-]+)\s+TO\s+(-?[0-9.eE+-]+)\s*$")


def sort_for_index(index: str) -> Sort:
    """Sorted replicas by name, as a sortBy widget lists them: `products_price_asc`, `..._price_desc`."""
    for suffix, sort in SORT_SUFFIXES.items():
        if index.endswith(suffix):
            return sort
    return "relevance"


def facet_fields(names: list[str]) -> tuple[str, ...]:
    """Requested facets; `*` stands for the default set."""
    fields: list[str] = []
    for name in names:
        for item in DEFAULT_FACETS if name == "*" else (name,):
            if item not in fields:
                fields.append(item)
    return tuple(fields)


def _groups(value: str | list[str | list[str]], name: str) -> list[list[str]]:
    """Normalise a filter parameter to a list of OR groups (a bare string is one comma-separated AND)."""
    if isinstance(value, str):
        return [[part.strip()] for part in value.split(",") if part.strip()]
    groups: list[list[str]] = []
    for item in value:
        group = [item] if isinstance(item, str) else list(item)
        if not group:
            continue
        if not all(isinstance(v, str) for v in group):
            raise InvalidInput(f"{name}: every filter must be a string")
        groups.append(group)
    return groups


@dataclass
class FilterBuilder:
    """Accumulates facet and numeric filters; `impossible` once two groups on a field cannot both hold."""

    brands: set[str] | None = None
    availability: set[str] | None = None
    category: tuple[str, ...] | None = None
    attributes: dict[str, set[str]] = field(default_factory=dict)
    price_min: float | None = None
    price_max: float | None = None
    impossible: bool = False

    def add_facet_group(self, group: list[str]) -> None:
        parsed = []
        for item in group:
            attribute, sep, value = item.partition(":")
            if not sep or not attribute.strip():
                raise InvalidInput(f"facetFilters: {item!r} is not 'attribute:value'")
            attribute = attribute.strip()
            if attribute.startswith("-") or value.startswith("-"):
                raise InvalidInput(f"facetFilters: negated filter {item!r} is not supported")
            parsed.append((attribute, value))
        attributes = {a for a, _ in parsed}
        if len(attributes) > 1:
            raise InvalidInput(
                f"facetFilters: an OR group must filter one attribute, got {', '.join(sorted(attributes))}"
            )
        attribute = parsed[0][0]
        values = {v for _, v in parsed}
        if attribute == "brand":
            self.brands = values if self.brands is None else self.brands & values
            self.impossible |= not self.brands
        elif attribute == "availability":
            unknown = sorted(values - set(AVAILABILITY_VALUES))
            if unknown:
                raise InvalidInput(
                    f"facetFilters: availability {unknown[0]!r} is not one of "
                    + ", ".join(AVAILABILITY_VALUES)
                )
            self.availability = values if self.availability is None else self.availability & values
            self.impossible |= not self.availability
        elif attribute in ("category", "category_path"):
            if len(values) > 1:
                raise InvalidInput(
                    f"facetFilters: {attribute} accepts one value per search, got {len(values)}"
                )
            (value,) = values
            path = (
                (value.strip(),)
                if attribute == "category"
                else tuple(p.strip() for p in value.split(CATEGORY_SEPARATOR.strip()) if p.strip())
            )
            self._narrow_category(path)
        elif (attribute_name(attribute) or "").strip():
            name = attribute_name(attribute) or ""
            current = self.attributes.get(name)
            self.attributes[name] = values if current is None else current & values
            self.impossible |= not self.attributes[name]
        else:
            raise InvalidInput(
                f"facetFilters: cannot filter on {attribute!r}; use brand, category, category_path, "
                "availability or attr.<name>"
            )

    def _narrow_category(self, path: tuple[str, ...]) -> None:
        """Two category prefixes hold together only when one extends the other; keep the longer."""
        if self.category is None:
            self.category = path
            return
        short, long = sorted((self.category, path), key=len)
        if long[: len(short)] != short:
            self.impossible = True
        self.category = long

    def add_numeric(self, item: str) -> None:
        match = _RANGE.match(item)
        if match:
            attribute, low, high = match.groups()
            self._check_price(attribute, item)
            self._bound(">=", _number(low, item))
            self._bound("<=", _number(high, item))
            return
        match = _NUMERIC.match(item)
        if not match:
            raise InvalidInput(f"numericFilters: {item!r} is not 'price<op>number' or 'price:low TO high'")
        attribute, op, number = match.groups()
        self._check_price(attribute, item)
        if op == "!=":
            raise InvalidInput(f"numericFilters: {item!r}: != is not supported")
        value = _number(number, item)
        if op == "=":
            self._bound(">=", value)
            self._bound("<=", value)
        elif op in (">", "<"):
            self._bound(op + "=", math.nextafter(value, math.inf if op == ">" else -math.inf))
        else:
            self._bound(op, value)

    @staticmethod
    def _check_price(attribute: str, item: str) -> None:
        if attribute != "price":
            raise InvalidInput(f"numericFilters: {item!r}: only price can be filtered numerically")

    def _bound(self, op: str, value: float) -> None:
        if op == ">=":
            self.price_min = value if self.price_min is None else max(self.price_min, value)
        else:
            self.price_max = value if self.price_max is None else min(self.price_max, value)
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            self.impossible = True

    def build(self) -> Filters:
        return Filters(
            category=self.category or (),
            brands=tuple(sorted(self.brands or ())),
            availability=tuple(sorted(self.availability or ())),
            price_min=self.price_min,
            price_max=self.price_max,
            attributes={name: tuple(sorted(values)) for name, values in self.attributes.items()},
        )


def _number(text: str, item: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"numericFilters: {item!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InvalidInput(f"numericFilters: {item!r}: the number must be finite")
    return value


def to_filters(
    facet_filters: str | list[str | list[str]], numeric_filters: str | list[str | list[str]]
) -> tuple[Filters, bool]:
    """(filters, impossible): `impossible` when the conditions contradict each other (no hit can match)."""
    builder = FilterBuilder()
    for group in _groups(facet_filters, "facetFilters"):
        builder.add_facet_group(group)
    for group in _groups(numeric_filters, "numericFilters"):
        if len(group) > 1:
            raise InvalidInput("numericFilters: OR groups are not supported; send each condition alone")
        builder.add_numeric(group[0])
    return builder.build(), builder.impossible


def to_record(
    product: Product, variants: int | None = None, prices: tuple[float, float] | None = None
) -> dict[str, Any]:
    """A product as an Algolia record: its fields plus `objectID`; standing for its family (`distinct`),
    its `variants` in the answer and, where their prices differ, `price_min` and `price_max`."""
    family: dict[str, Any] = {} if variants is None else {"variants": variants}
    if prices is not None:
        family |= {"price_min": prices[0], "price_max": prices[1]}
    return family | {
        "objectID": product.id,
        "title": product.title,
        "description": product.description,
        "brand": product.brand,
        "category": product.category[0] if product.category else "",
        "category_path": product.category_path,
        "categories": list(product.category),
        "price": product.price,
        "currency": product.currency,
        "availability": product.availability,
        "image": product.image,
        "variant": product.variant,
        "attributes": dict(product.attributes),
    }


def facet_maps(counts: dict[str, list[tuple[str, int]]]) -> dict[str, dict[str, int]]:
    """Engine facet counts (ordered pairs) -> Algolia's `{facet: {value: count}}` (order kept)."""
    return {name: dict(values) for name, values in counts.items()}
