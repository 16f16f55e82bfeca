"""Checks for the JSON fields of merchandising rules: each raises `InvalidInput` naming the field as
`<where>.<field>` and what was expected, so a shop editing its rules sees exactly what to fix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import InvalidInput
from engine.ranking.stats import normalise_query
from engine.records import CATEGORY_SEPARATOR, Filters


def parse_filter(raw: Any, where: str) -> Filters:
    """A rule's product filter: brand, category (path prefix), price_min/price_max, attributes."""
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where}: expected an object, got {kind_of(raw)}")
    no_extra(raw, where, {"brand", "category", "price_min", "price_max", "attributes"})
    brands = strings_field(raw.get("brand"), f"{where}.brand")
    category = category_field(raw.get("category"), f"{where}.category")
    low = price_field(raw.get("price_min"), f"{where}.price_min")
    high = price_field(raw.get("price_max"), f"{where}.price_max")
    if low is not None and high is not None and low > high:
        raise InvalidInput(f"{where}.price_min: {low:g} is above price_max {high:g}")
    attributes_raw = raw.get("attributes") or {}
    if not isinstance(attributes_raw, Mapping):
        raise InvalidInput(f"{where}.attributes: expected an object, got {kind_of(attributes_raw)}")
    attributes = {
        str(name): strings_field(values, f"{where}.attributes.{name}")
        for name, values in attributes_raw.items()
    }
    for name, values in attributes.items():
        if not values:
            raise InvalidInput(f"{where}.attributes.{name}: give at least one value")
    built = Filters(category=category, brands=brands, price_min=low, price_max=high, attributes=attributes)
    if built.is_empty:
        raise InvalidInput(
            f"{where}: empty; a rule filter needs brand, category, a price bound or attributes"
        )
    return built


def query_field(raw: Any, where: str, required: bool) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip() and not required):
        if required:
            raise InvalidInput(f"{where}: required for pins")
        return None
    if not isinstance(raw, str) or len(raw) > 512:
        raise InvalidInput(f"{where}: expected a query string of at most 512 characters")
    normal = normalise_query(raw)
    if not normal:
        raise InvalidInput(f"{where}: blank")
    return normal


def strings_field(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    values = [raw] if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) else raw
    if not isinstance(values, list) or not all(
        isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in values
    ):
        raise InvalidInput(f"{where}: expected a string or a list of strings, got {kind_of(raw)}")
    out = tuple(str(v).strip() for v in values)
    if any(not v for v in out):
        raise InvalidInput(f"{where}: empty value")
    return out


def category_field(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    parts = raw.split(CATEGORY_SEPARATOR.strip()) if isinstance(raw, str) else raw
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise InvalidInput(f"{where}: expected a list of strings or an 'A > B' string, got {kind_of(raw)}")
    path = tuple(p.strip() for p in parts)
    if not path or any(not p for p in path):
        raise InvalidInput(f"{where}: has an empty level")
    return path


def price_field(raw: Any, where: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw < 0 or raw != raw:
        raise InvalidInput(f"{where}: expected a number >= 0, got {raw!r}")
    return float(raw)


def no_extra(raw: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    extra = sorted(str(k) for k in raw if k not in allowed)
    if extra:
        prefix = f"{where}." if where else ""
        raise InvalidInput(
            f"{prefix}{extra[0]}: unknown field (expected one of {', '.join(sorted(allowed))})"
        )


def kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    names: tuple[tuple[type, str], ...] = (
        (dict, "an object"),
        (list, "a list"),
        (str, "a string"),
        (type(None), "null"),
    )
    return next((name for kind, name in names if isinstance(value, kind)), type(value).__name__)
