"""Partial product updates: change the fields given, keep every other one.

A patch is a JSON object (or a CSV row) naming the product by `id` plus the fields to change:

- a schema field with a value replaces it (`"price": 12.5`, `"availability": "out_of_stock"`, or the
  flag `"available": false`);
- `sale_price` starts or changes a sale (the price becomes it, the regular one is kept) and null ends it;
  `sale_percent` or `sale_amount` gives it as a discount off the price, 0 ending it; a sale with an end
  keeps it (`sale_ends`) until a patch gives the sale anew (`sale_price`, `sale_to`, ...), and a patch
  after its end finds it over;
- `category` replaces every category path (a cell listing several, with `AISLE_CATEGORY_LISTS`, gives
  them all; its levels and root read as `AISLE_CATEGORY_LEVELS` and `AISLE_CATEGORY_ROOT` say, in
  `indexer upsert --partial`);
- a schema field set to null goes back to its default (`"image": null` removes the picture); `title`
  cannot be removed;
- `attributes` merges key by key, and an attribute set to null is removed (`{"attributes": {"year":
  null}}`); any other field is an attribute, as in a full record;
- `stock` (an attribute) also moves a product in or out of stock when the patch gives no availability:
  `"stock": 0` takes an in-stock product out of stock and `"stock": 12` puts it back, while a
  preorder, backorder or discontinued product keeps what the shop said of it;
- an empty CSV cell means "not given", as everywhere in the schema.

The merged record is validated like a full one (`engine.product_schema.validate_record`), so a patch can never
store what a full upsert would refuse; the error names the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from engine.feed_values import availability_of_flag
from engine.product_schema import (
    ALIASES,
    DEFAULT_LIMITS,
    KNOWN_FIELDS,
    REGULAR_PRICE,
    SALE_ATTRIBUTES,
    SALE_FIELDS,
    STOCK,
    Limits,
    RecordError,
    Unpublished,
    validate_record,
)
from engine.records import Product
from engine.schema_sale import sale_fields
from indexer.problems import Problem
from indexer.readers import Malformed, RawRecord

# The patch that changes no field: the record is read again as of now, so a sale whose start or end has
# come since it was written starts or ends (`indexer.sales`). Applied to the record as stored when the
# writers' lock is held, it keeps whatever another writer stored meanwhile.
REREAD: Mapping[str, Any] = MappingProxyType({})


def apply_patch(
    product: Product, patch: Mapping[str, Any], limits: Limits = DEFAULT_LIMITS, now: datetime | None = None
) -> Product:
    """`product` with `patch` applied (`RecordError` naming the field when the result is invalid), its
    fields read under `limits` as a full record's (how the shop's files write categories), its sale as
    of `now` (default: the current time)."""
    if not isinstance(patch, Mapping):
        raise RecordError("expected an object with the fields to change")
    given_id = patch.get("id")
    if given_id is not None and str(given_id).strip() != product.id:
        raise RecordError(f"id: {given_id!r} does not match the product being changed ({product.id!r})")
    changes = {k: v for k, v in patch.items() if k != "id" and not _blank(v)}
    if not changes and patch is not REREAD:
        raise RecordError("no fields to change: give at least one field besides id")
    raw = product.to_dict()
    if "category" in changes:  # the new cell names all its paths
        raw.pop("more_categories", None)
    attributes: dict[str, Any] = dict(raw["attributes"])
    raw |= _stored_sale(raw, attributes, changes)
    counted = STOCK in changes  # a new stock count, given as a field or as an attribute
    for name, value in changes.items():
        if name == "attributes":
            for key, item in _attribute_patch(value).items():
                _set(attributes, str(key), item)
                counted = counted or str(key) == STOCK
        elif name == "available":  # the flag form of availability: it replaces the stored one
            _set(raw, "availability", _flag(value))
        elif name in KNOWN_FIELDS or name in ALIASES:  # `sale_price`, `published`; a null sale price ends it
            _set(raw, name, value)
        else:
            _set(attributes, name, value)
    raw["attributes"] = attributes
    stated = "availability" in changes or "available" in changes
    if counted and not stated and raw.get("availability") in ("in_stock", "out_of_stock"):
        raw.pop("availability", None)  # the new count decides it (`validate_record`)
    try:
        return validate_record(raw, limits, now)
    except Unpublished:
        raise RecordError(
            "published: a partial update cannot take a product off the shop; delete it (indexer delete, "
            "DELETE /v1/products/{id}) or send its whole record"
        ) from None


def _stored_sale(
    raw: dict[str, Any], attributes: dict[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The fields that give again the sale `attributes` keep (taken out of them), as the full record
    said it: a running sale's price and regular price, a scheduled sale's price, their dates. A patch's
    sale price or discount replaces the stored one (a discount of 0 ends it), and any sale field of the
    patch its dates."""
    stored = sale_fields(attributes)
    regular = attributes.get(REGULAR_PRICE)
    for name in SALE_ATTRIBUTES:
        attributes.pop(name, None)
    if regular is not None and raw.get("price") is not None:  # on sale
        stored |= {"sale_price": raw["price"], "price": regular}
    if any(f in changes for f in ("sale_price", "sale_percent", "sale_amount")):
        stored.pop("sale_price", None)
    if any(f in changes for f in SALE_FIELDS):
        stored = {k: v for k, v in stored.items() if k in ("sale_price", "price")}
    return stored


def _flag(value: Any) -> str | None:
    """`available` in a patch as the availability it sets (null: back to the default)."""
    if value is None:
        return None
    availability = availability_of_flag(value)
    if availability is None:
        raise RecordError(f"available: expected true or false, got {value!r}")
    return availability


def _attribute_patch(value: Any) -> Mapping[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise RecordError("attributes: expected a JSON object string") from None
    if not isinstance(value, Mapping):
        raise RecordError("attributes: expected an object of attribute -> value (null removes one)")
    return value


def _set(target: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        target.pop(name, None)
    else:
        target[name] = value


def _blank(value: Any) -> bool:
    """An empty string: a CSV cell left empty, i.e. "not given" (JSON null is an explicit removal)."""
    return isinstance(value, str) and not value.strip()


@dataclass
class LoadedPatches:
    """Patches by product id (file order), plus every record that could not be used."""

    source: str
    patches: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def inline_records(value: object) -> list[RawRecord]:
    """One patch object or a list of them given inline (`--json`), numbered from 1 like lines."""
    items = value if isinstance(value, list) else [value]
    return [
        (n, item if isinstance(item, dict) else Malformed("expected an object with id and fields"))
        for n, item in enumerate(items, start=1)
    ]


def load_patches(
    records: Iterable[RawRecord],
    source: str,
    current: Callable[[list[str]], Mapping[str, Product]],
    limits: Limits = DEFAULT_LIMITS,
) -> LoadedPatches:
    """Check patches against the products they change (`current` looks them up by id).

    A record without an id, a second patch for the same id, an unknown id or a patch that leaves an
    invalid product is a `Problem` of its line; the others are returned, ready for `IndexUpdater.patch`.
    """
    loaded = LoadedPatches(source)
    lines: dict[str, int] = {}
    for line, raw in records:
        if isinstance(raw, Malformed):
            loaded.problems.append(Problem(source, line, raw.message))
            continue
        pid = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(pid, bool) or not isinstance(pid, (str, int)) or not str(pid).strip():
            loaded.problems.append(Problem(source, line, "id: required (the product to change)"))
            continue
        pid = str(pid).strip()
        if pid in lines:
            message = f"duplicate id {pid!r} (first seen on line {lines[pid]})"
            loaded.problems.append(Problem(source, line, message, pid))
            continue
        lines[pid] = line
        loaded.patches[pid] = raw
    found = current(list(loaded.patches))
    for pid in list(loaded.patches):
        problem = None
        if pid not in found:
            problem = f"no product with id {pid!r} to change"
        else:
            try:
                apply_patch(found[pid], loaded.patches[pid], limits)
            except RecordError as exc:
                problem = exc.message
        if problem is not None:
            del loaded.patches[pid]
            loaded.problems.append(Problem(source, lines[pid], problem, pid))
    loaded.problems.sort(key=lambda p: p.line)
    return loaded
