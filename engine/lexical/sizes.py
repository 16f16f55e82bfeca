"""Sizes in a query, and the words a product must match because of them.

A query's minimum-should-match rule (`engine.lexical.matching.required_matches`) lets a product miss one
word of three or four. A size is never that word: "cable 2.5 mm2" must not find the 1.5 mm² cable by
"cable" and "mm2", nor "vis 4 x 40" the 4 x 30 screws, nor "foret 8 mm" a spanner by "8 mm". So a size
(a word with a digit, the unit words written after it, "x" and the next number: "8 mm", "4 x 40 mm",
"1/2 in", "m8 x 40") counts as one word of the query and all of its words must match; the rule applies
to the query's other words, with each size counted as one of the words matched (`Needed`). Both lexical
backends build their membership queries from it, and so do the readings of a query
(`engine.lexical.readings.Rewrite`), which never match more loosely than the query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.lexical.matching import required_matches


@dataclass(frozen=True)
class Unit:
    """A unit of measure: the word written out (singular first; none for "mah", "btu", which are
    only written short) and its abbreviations."""

    words: tuple[str, ...]
    short: tuple[str, ...] = ()


UNITS = (
    Unit(("volt", "volts"), ("v",)),
    Unit(("watt", "watts"), ("w",)),
    Unit(("amp", "amps", "ampere", "amperes"), ("a",)),
    Unit(("inch", "inches"), ("in",)),
    Unit(("foot", "feet"), ("ft",)),
    Unit(("gallon", "gallons"), ("gal",)),
    Unit(("pound", "pounds"), ("lb", "lbs")),
    Unit(("ounce", "ounces"), ("oz",)),
    Unit(("millimeter", "millimeters", "millimetre", "millimetres"), ("mm",)),
    Unit(("centimeter", "centimeters", "centimetre", "centimetres"), ("cm",)),
    Unit(("liter", "liters", "litre", "litres"), ("l",)),
    Unit(("kilogram", "kilograms"), ("kg",)),
    Unit(("gram", "grams"), ("g",)),
    Unit(("meter", "meters", "metre", "metres"), ("m",)),
    Unit(("gauge",), ("ga",)),
    Unit(("quart", "quarts"), ("qt",)),
    Unit(("piece", "pieces"), ("pc", "pcs")),
    Unit(("pack", "packs"), ("pk",)),
    Unit(("gigabyte", "gigabytes"), ("gb",)),
    Unit(("terabyte", "terabytes"), ("tb",)),
    Unit(("megabyte", "megabytes"), ("mb",)),
    Unit(("gigahertz",), ("ghz",)),
    Unit(("megahertz",), ("mhz",)),
    Unit(("hertz",), ("hz",)),
    Unit(("kilowatt", "kilowatts"), ("kw",)),
    Unit((), ("mah",)),
    Unit((), ("btu",)),
    Unit((), ("mm2",)),  # a cable's cross-section, "2,5 mm²" (folded, "²" is "2")
    Unit((), ("m2",)),
    Unit((), ("m3",)),
)
UNIT_SPELLINGS = {spelling: unit for unit in UNITS for spelling in (*unit.words, *unit.short)}
TIMES = "x"  # between two numbers: a dimension ("4 x 40")


def _has_digit(word: str) -> bool:
    return any(c.isdigit() for c in word)


def size_spans(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """(first, last) token of each size in a query's tokens (as `tokenize` writes them): a word with a
    digit and what continues it: more numbers ("1/2" is "1", "2"), unit words ("8 mm", "1/2 in"), "x"
    and a number ("4 x 40")."""
    spans = []
    position = 0
    while position < len(tokens):
        if not _has_digit(tokens[position]):
            position += 1
            continue
        last = position
        while last + 1 < len(tokens):
            following = tokens[last + 1]
            if _has_digit(following) or following in UNIT_SPELLINGS:
                last += 1
            elif following == TIMES and last + 2 < len(tokens) and _has_digit(tokens[last + 2]):
                last += 2
            else:
                break
        spans.append((position, last))
        position = last + 1
    return spans


def size_words(tokens: Sequence[str]) -> frozenset[str]:
    """The tokens that are part of a size (see `size_spans`)."""
    return frozenset(token for first, last in size_spans(tokens) for token in tokens[first : last + 1])


@dataclass(frozen=True)
class Needed:
    """What a product must match of a query: every word of its sizes (`sizes`, as written), and
    `others` of its remaining words."""

    sizes: frozenset[str]
    others: int

    @classmethod
    def of(cls, tokens: Sequence[str], words: Sequence[str]) -> Needed:
        """For a query's `tokens` and its distinct `words` (those with terms, as written): each size
        counts as one word of the minimum-should-match rule and is matched in full."""
        spans = size_spans(tokens)
        sizes = frozenset(token for first, last in spans for token in tokens[first : last + 1])
        others = sum(1 for word in words if word not in sizes)
        return cls(sizes, max(0, required_matches(others + len(spans)) - len(spans)))
