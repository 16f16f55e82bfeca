"""Attribute values that read like codes naming one product each (a shop's reference, a maker's part
number), told apart from measures ("12 kg", "3 lb 2 oz", dimensions "45x56x88 cm") and decimal numbers
(`indexer check`)."""

from __future__ import annotations

import re

from engine.feed_values import written_amount
from engine.lexical.sizes import TIMES, UNIT_SPELLINGS

# A code: letters, digits and separators ("06019H5200", "1-42-920", "87 01 250", "DIN912-M840"), with a
# digit; a decimal number ("12.50") or a size is a measure, not a code.
_CODE = re.compile(r"(?=.*\d)[\w./-]+(?: [\w./-]+){0,3}")
_DECIMAL = re.compile(r"\d+[.,]\d+")
# A count or a grade: a whole number of up to four digits ("800" lumens), or two joined by "/" ("10/15",
# a lock's security grade; "1/2"); a product's own code is longer, or holds a letter or a dash.
_QUANTITY = re.compile(r"[1-9]\d{0,3}(?:/[1-9]\d{0,3})?")
_MEASURE_PART = re.compile(r"\s*(?:(\d+(?:[.,]\d+)?)|([^\W\d_]+))")  # "12 kg", "29 sq ft", "3 lb 2 oz"
MIN_DISTINCT_SHARE = 0.9  # codes name one product each (variants may share a model number)
MIN_CODE_SHARE = 0.9  # a shop's references include a few odd ones ("SILBLA", "440.8")


def reads_like_identifiers(values: list[str]) -> bool:
    """Whether an attribute's values look like codes naming one product each: nearly all distinct and
    nearly all codes of 3 to 40 characters (`_CODE`, not a decimal number nor a size such as a variant's
    "12 kg"), on at least two products."""
    if len(values) < 2 or len(set(values)) < MIN_DISTINCT_SHARE * len(values):
        return False
    codes = sum(
        1
        for v in values
        if 3 <= len(v) <= 40 and _CODE.fullmatch(v) and not plain_number(v) and not written_amount(v)
    )
    return codes >= MIN_CODE_SHARE * len(values)


def plain_number(value: str) -> bool:
    """A decimal number, a count or a grade (`_QUANTITY`: "800", "10/15"), or quantities each with its
    units (`UNIT_SPELLINGS`): "12 kg", "3 lb 2 oz"; or
    dimensions, numbers joined by "x" with or without a unit ("45x56x88 cm", "160x200", "50 × 90 cm"):
    a furniture or textile shop's `Wymiary` or `Ölçü` repeats few values, but is no code to look up."""
    value = value.replace("×", TIMES)
    shape, end = "", 0
    while found := _MEASURE_PART.match(value, end):  # n: a number, u: a unit, x: "x", w: another word
        word = (found[2] or "").lower()
        shape += "n" if found[1] else "x" if word == TIMES else "u" if word in UNIT_SPELLINGS else "w"
        end = found.end()
    measure = end == len(value) and re.fullmatch(r"(nu+)+|n(xn)+u*", shape) is not None
    return measure or bool(_DECIMAL.fullmatch(value) or _QUANTITY.fullmatch(value))
