"""Variant options as shop exports write them, read as attributes named by the option.

Shopify's `products_export.csv` writes a variant's options as numbered column pairs, `Option1 Name` /
`Option1 Value` (up to three), the names on the product's first row only; WooCommerce's export writes
`Attribute 1 name` / `Attribute 1 value(s)` (plus `visible`, `global` and `default` flags) on every row.
Read as they come, every catalog got attributes called "Option1 Value" and "Attribute 1 visible", so a
size facet or a colour filter was impossible. Here each pair becomes one attribute, `{"Storlek": "M"}`,
the name taken from the family's first row where the row leaves it empty (`family` is its key); the
flags go. Shopify's placeholder for a product without variants (`Title` / `Default Title`) is no option.
A WooCommerce variable product lists all its variations' values in one cell ("30 ml, 50 ml, 100 ml"):
that list describes its variations, which carry one value each, so it is not kept on the product.
An option named like a field the record already has (a `color` column) leaves that field as it is.
The option values together, as Shopify titles a variant ("12 kg", "M / Rojo"), also become the
record's `variant` attribute (`VARIANT_ATTRIBUTE`), which is searched by default: a shopper typing
"pienso 12 kg" asks for the 12 kg bags, whose titles are those of their family.
"""

from __future__ import annotations

import re
from typing import Any

from engine.records import VARIANT_ATTRIBUTE
from engine.schema_checks import missing

_NAME = re.compile(r"^(?:option\s*(\d+)\s+name|attribute\s+(\d+)\s+name)$", re.IGNORECASE)
_VALUE = re.compile(r"^(?:option\s*(\d+)\s+value|attribute\s+(\d+)\s+value\(s\))$", re.IGNORECASE)
_FLAG = re.compile(r"^attribute\s+\d+\s+(?:visible|global|default)$", re.IGNORECASE)
_TYPE = "Type"  # WooCommerce's product type column: simple, variable, variation, grouped
# WooCommerce's product types as its export writes them: how a record is stored, no word a shopper types.
_RECORD_TYPES = frozenset({"simple", "variable", "variation", "grouped", "external"})
_PLACEHOLDER = ("title", "default title")


class VariantOptions:
    """Option names seen per family, for the rows that leave them to the family's first row."""

    def __init__(self) -> None:
        self._names: dict[str, dict[str, str]] = {}  # family key -> {slot: option name}

    def names(self, family: str | None) -> set[str]:
        """The option names seen for `family`, lower-cased (a variant keeps its own options)."""
        return {name.lower() for name in self._names.get(family, {}).values()} if family else set()

    def read(self, raw: dict[str, Any], family: str | None) -> dict[str, Any]:
        """`raw` with its option columns replaced by one attribute per option; a value whose option
        has no name here or on its family's first row stays under its column's name. WooCommerce's
        record type (`Type`: simple, variable, variation) is read here and not kept: it is how the
        export is laid out, no fact of the product to list or search."""
        record_type = str(raw.get(_TYPE, "")).strip().lower()
        variable = record_type == "variable"
        if record_type in _RECORD_TYPES:
            raw = {k: v for k, v in raw.items() if k != _TYPE}
        names: dict[str, str] = {}  # slot -> the column holding its name
        values: dict[str, str] = {}  # slot -> the column holding its value
        flags: set[str] = set()
        for key in raw:
            if not isinstance(key, str):
                continue
            if match := _NAME.match(key.strip()):
                names[match.group(1) or match.group(2)] = key
            elif match := _VALUE.match(key.strip()):
                values[match.group(1) or match.group(2)] = key
            elif _FLAG.match(key.strip()):
                flags.add(key)
        if not names and not values and not flags:
            return raw
        known = self._names.setdefault(family, {}) if family else {}
        read = {k: v for k, v in raw.items() if k not in flags and k not in names.values()}
        told: list[str] = []  # the option values, in their slots' order
        for slot, column in sorted(values.items(), key=lambda item: int(item[0])):
            given = raw.get(names[slot]) if slot in names else None
            if not missing(given) and family:
                known.setdefault(slot, str(given).strip())
            name = str(given).strip() if not missing(given) else known.get(slot)
            value = raw[column]
            if name is None or missing(value):
                continue
            del read[column]
            text = str(value).strip()
            if (name.lower(), text.lower()) == _PLACEHOLDER or (variable and "," in text):
                continue
            told.append(text)
            if missing(read.get(name)):
                read[name] = value
        if told and missing(read.get(VARIANT_ATTRIBUTE)):
            read[VARIANT_ATTRIBUTE] = " / ".join(told)
        return read
