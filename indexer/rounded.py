"""Identifier values a spreadsheet rounded: an ISBN or EAN column opened and saved in a spreadsheet
becomes "9.78315E+12", its digits gone, so no shopper's code finds the product by it. The product itself
is valid (its title and price are fine), so this is a note for `indexer check` and `indexer build`,
naming the attribute and the first product, not a bad record."""

from __future__ import annotations

import re
from collections.abc import Iterable

from engine.records import Product

# A long number a spreadsheet rounded and wrote in scientific notation ("9.78315E+12" for an ISBN).
_ROUNDED = re.compile(r"\d(?:[.,]\d+)?E\+?\d+", re.IGNORECASE)


def rounded_identifiers(
    products: Iterable[Product], identifiers: frozenset[str]
) -> dict[str, tuple[int, str]]:
    """Per identifier attribute (`identifiers`: lower-cased names), how many of `products` hold a value
    written in scientific notation, and the first such product's id."""
    found: dict[str, tuple[int, str]] = {}
    for product in products:
        for name, value in product.attributes.items():
            if name.lower() in identifiers and value is not None and _ROUNDED.fullmatch(str(value).strip()):
                count, first = found.get(name, (0, product.id))
                found[name] = (count + 1, first)
    return found


def rounded_note(name: str, count: int, first: str) -> str:
    """What `indexer check` and `indexer build` say of an attribute `rounded_identifiers` found."""
    return (
        f"{count} {name} value(s) a spreadsheet rounded into scientific notation (first: product {first}): "
        "their digits are lost; format the column as text and export again"
    )
