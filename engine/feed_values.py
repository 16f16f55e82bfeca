"""Values as catalog feeds write them, read into the schema's types (`engine.product_schema`).

Kept apart from the schema's checks because these are about locales and feed conventions, not about
what a product is: a spreadsheet saved where the decimal separator is a comma writes "12,50".
"""

from __future__ import annotations

import re
from typing import Any


class AmbiguousNumber(ValueError):
    """A number whose separators read two ways ("1,250": 1250 or 1.25)."""


_DECIMAL_COMMA = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})*,[0-9]{1,2}|[0-9]+,[0-9]{1,2}")
_THOUSANDS_COMMA = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+")


def parse_number(text: str) -> float:
    """A number as a spreadsheet in any locale writes it: "12.50", "12,50" and "1.234,56" (a decimal
    comma, with dots grouping thousands), "1,234.56" (commas grouping thousands). "1,250" reads two
    ways and raises `AmbiguousNumber`; anything else float() refuses raises ValueError."""
    text = text.strip()
    if _DECIMAL_COMMA.fullmatch(text):
        return float(text.replace(".", "").replace(",", "."))
    if _THOUSANDS_COMMA.fullmatch(text):
        return float(text.replace(",", ""))
    if re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3})+", text):
        raise AmbiguousNumber("ambiguous number (a decimal comma or thousands?): write it without the comma")
    return float(text)


def availability_of_flag(value: Any) -> str | None:
    """`available` as feeds write it (true/false, "yes"/"no", 1/0) as an availability; None when it is
    not such a flag."""
    normal = str(value).strip().lower()
    if value is True or normal in _YES:
        return "in_stock"
    if value is False or normal in _NO:
        return "out_of_stock"
    return None


_YES = frozenset({"true", "yes", "1", "y"})
_NO = frozenset({"false", "no", "0", "n"})
