"""Codes a trade writes one way and shoppers another, read both ways (`engine.lexical.readings`).

- An oil's SAE grade typed without its hyphen: "5w30" also reads "5w 30", the catalog's "5W-30"
  (`grade_rewrites`).
- A tyre's size as a shopper types it: "205 55 16", "205/55r16", "205/55 16" also read "205 55 r16" and
  "205 55r16", the catalog's "205/55 R16 91V" or "205/55R16" (width, aspect ratio, rim: 125-355,
  25-95, 10-24 inches) (`tyre_rewrites`).
- A model's generation in Roman or Arabic numerals: "golf 7" also reads "golf vii" (the catalog's "VW
  Golf VII"), "octavia iii" "octavia 3" (`numeral_rewrites`). Only a number from 2 to 39 right after a
  word of letters, and only numerals of two letters or more written with I, V and X, so a size "M", an
  "XL" or a "V" for volts is never a number.

Each reading stands for the words it rewrites and is matched as written, as a size reading is.
"""

from __future__ import annotations

import re

from engine.lexical.rewrite import Rewrite, reading
from engine.lexical.sizes import UNIT_SPELLINGS

_GRADE = re.compile(r"(\d{1,2}w)(\d{2,3})")  # SAE grades: "5w30", "10w40", "75w90"
_NUMBER = re.compile(r"\d{1,3}")
_RIM = re.compile(r"r?(\d{2})")  # "16", "r16"
_ASPECT_RIM = re.compile(r"(\d{2})r(\d{2})")  # "55r16"
_NUMERAL = re.compile(r"(x{0,3})(ix|iv|v?i{0,3})")
_ONES = {"": 0, "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9}
_ONES_WRITTEN = {value: text for text, value in _ONES.items()}
MIN_NUMERAL, MAX_NUMERAL = 2, 39


def code_rewrites(tokens: list[str]) -> list[Rewrite]:
    """The grade, tyre-size and numeral readings of a tokenized query."""
    return [*grade_rewrites(tokens), *tyre_rewrites(tokens), *numeral_rewrites(tokens)]


def grade_rewrites(tokens: list[str]) -> list[Rewrite]:
    rewrites = []
    for position, token in enumerate(tokens):
        if grade := _GRADE.fullmatch(token):
            rewrites.append(reading(tokens, position, position, " ".join(grade.groups()), False))
    return rewrites


def tyre_rewrites(tokens: list[str]) -> list[Rewrite]:
    rewrites = []
    for position, token in enumerate(tokens):
        if not (_NUMBER.fullmatch(token) and 125 <= int(token) <= 355):
            continue
        after = tokens[position + 1 : position + 3]
        joined = _ASPECT_RIM.fullmatch(after[0]) if after else None
        if joined:
            aspect, rim, last = joined.group(1), joined.group(2), position + 1
        elif len(after) == 2 and _NUMBER.fullmatch(after[0]) and (fitted := _RIM.fullmatch(after[1])):
            aspect, rim, last = after[0], fitted.group(1), position + 2
        else:
            continue
        if 25 <= int(aspect) <= 95 and 10 <= int(rim) <= 24:
            for form in (f"{token} {aspect} r{rim}", f"{token} {aspect}r{rim}"):
                if form != " ".join(tokens[position : last + 1]):
                    rewrites.append(reading(tokens, position, last, form, False))
    return rewrites


def numeral_rewrites(tokens: list[str]) -> list[Rewrite]:
    rewrites = []
    for position in range(1, len(tokens)):
        token, before = tokens[position], tokens[position - 1]
        if not before.isalpha() or len(before) < 2 or before in UNIT_SPELLINGS:
            continue
        following = tokens[position + 1] if position + 1 < len(tokens) else ""
        if token.isdigit() and MIN_NUMERAL <= int(token) <= MAX_NUMERAL and following not in UNIT_SPELLINGS:
            rewrites.append(reading(tokens, position, position, roman(int(token)), False))
        elif len(token) >= 2 and (value := arabic(token)) is not None:
            rewrites.append(reading(tokens, position, position, str(value), False))
    return rewrites


def roman(number: int) -> str:
    """1-39 in Roman numerals: 7 -> "vii"."""
    return "x" * (number // 10) + _ONES_WRITTEN[number % 10]


def arabic(token: str) -> int | None:
    """A Roman numeral from 2 to 39 as a number ("vii" -> 7), None for any other word."""
    numeral = _NUMERAL.fullmatch(token)
    if numeral is None:
        return None
    tens, ones = numeral.groups()
    value = 10 * len(tens) + _ONES.get(ones, -100)
    return value if MIN_NUMERAL <= value <= MAX_NUMERAL else None
