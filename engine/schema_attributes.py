"""The attributes of a product record (`engine.product_schema`): every field the schema does not name,
checked and kept as text, a number, or a list of texts.

A list holds the values of an attribute a product has several of (a shop's labels "Vegan" and
"Lactosevrij", its allergens): each counts in that attribute's facet and matches a filter on it
(`engine.records.attribute_values`). It comes as a JSON list, or from a catalog file's cell of an
attribute the shop names in `AISLE_LIST_ATTRIBUTES`, which the reader splits (`cell_values`: values
separated by commas as WooCommerce and Shopify write tags).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from engine.charset import composed
from engine.markup import plain_text
from engine.schema_checks import FieldChecker, kind, missing


def read_attributes(raw: dict[str, Any], check: FieldChecker, read: tuple[str, ...]) -> dict[str, Any]:
    """The record's attributes: its `attributes` object (or JSON object string) over every field not
    among `read` (the schema's own fields), each name and value checked against `check`'s limits."""
    given = raw.get("attributes")
    if isinstance(given, str) and given:  # "" is an empty CSV cell; " " is neither empty nor an object
        try:
            given = json.loads(given)
        except json.JSONDecodeError:
            check.fail("attributes", "expected an object or a JSON object string")
            return {}
    if isinstance(given, list) and all(isinstance(i, tuple) and len(i) == 2 for i in given):
        given = dict(given)  # a Parquet map column
    if not missing(given) and not isinstance(given, dict):
        check.fail("attributes", f"expected an object, got {kind(given)}")
        given = {}
    merged: dict[str, Any] = {str(k): v for k, v in raw.items() if k not in read and not missing(v)}
    merged.update({str(k): v for k, v in (given or {}).items() if not missing(v)})
    limits = check.limits
    if len(merged) > limits.attributes:
        check.fail("attributes", f"too many ({len(merged)}, at most {limits.attributes})")
        return {}
    out: dict[str, Any] = {}
    for name, value in merged.items():
        name = name.strip()
        if not name or len(name) > limits.attribute_name_chars:
            check.fail("attributes", f"name {name[:40]!r} must be 1-{limits.attribute_name_chars} characters")
        elif not check.characters("attributes", name):
            continue
        elif isinstance(value, (list, tuple)):
            listed = _listed(name, value, check)
            if listed:
                out[name] = listed
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, (int, float)) and (not isinstance(value, float) or math.isfinite(value)):
            out[name] = value
        elif isinstance(value, str):
            out[name] = _attribute_text(name, value, check)
        else:
            check.fail(f"attributes.{name}", f"expected a string, number or list, got {kind(value)}")
    return out


def _attribute_text(name: str, value: str, check: FieldChecker) -> str:
    text = composed(plain_text(value.strip()))
    if len(text) > check.limits.attribute_value_chars:
        check.fail(
            f"attributes.{name}", f"too long (at most {check.limits.attribute_value_chars} characters)"
        )
    check.characters(f"attributes.{name}", text)
    return text


_LIST_COMMA = re.compile(r"(?<!\\),")


def cell_values(cell: str) -> list[str]:
    """The values a catalog cell lists, separated by commas as WooCommerce and Shopify write tags
    ("Vegan, Lactosevrij"; a comma escaped with a backslash is part of a value, "Noten\\, pinda's")."""
    return [part.replace("\\,", ",").strip() for part in _LIST_COMMA.split(cell)]


def _listed(name: str, value: list[Any] | tuple[Any, ...], check: FieldChecker) -> list[str]:
    """A list attribute's values, each once, its strings and numbers as text."""
    if any(isinstance(v, bool) or not isinstance(v, (str, int, float)) for v in value):
        check.fail(f"attributes.{name}", "expected a list of strings or numbers")
        return []
    values = [_attribute_text(name, str(v), check) for v in value]
    listed = list(dict.fromkeys(v for v in values if v))
    if len(listed) > check.limits.attribute_values:
        check.fail(
            f"attributes.{name}", f"too many values ({len(listed)}, at most {check.limits.attribute_values})"
        )
        return []
    return listed
