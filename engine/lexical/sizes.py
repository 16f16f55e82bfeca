"""Sizes in a query, and how the minimum-should-match rule counts them.

A query's minimum-should-match rule (`engine.lexical.matching.required_matches`) lets a product miss one
word of three or four. Counted word by word, a size's parts could stand in for the query's other
words: "cable 2.5 mm2" found the 1.5 mm² cable by "cable" and "mm2", "vis 4 x 40" the 4 x 30 screws,
"foret 8 mm" a spanner by "8 mm". So a size (a word with a digit, the unit words written after it, "x"
and the next number: "8 mm", "4 x 40 mm", "1/2 in", "m8 x 40") is one unit of the rule, matched with
all its words or not at all, and every other word a unit of its own (`Units`): "foret 8 mm" is two
units and needs both, while "foret beton 8" (three) still finds the other sizes of concrete drill bit
by "foret beton", below the 8 mm one. A CJK run is one unit too, matched by as many of its character
bigrams as the rule asks of that many words (`unit_needs`): counted bigram by bigram, "ステンレス 鍋"
(five bigrams, four needed) found a stainless mug by its four "ステンレス" bigrams alone. Both lexical
backends build their membership queries from it, and so do the readings of a query (`Units.rest`),
which never match more loosely than the query.

A number on its own also matches a dimension written as one word that begins with it
(`dimension_start`): "plášť 29" finds the tyre "29x2,25", "duše 20" the tube "20x1,75", "materac 160"
the mattress "160x200": shoppers type the size a product is known by (a wheel's diameter, a mattress's
width) and leave the rest of the label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from engine.lexical.matching import required_matches

T = TypeVar("T")


@dataclass(frozen=True)
class Unit:
    """A unit of measure: the word written out (singular first; none for "mah", "btu", which are
    only written short), its abbreviations, and the word it is also read as (`same_as`: a catalog's
    `55"` is indexed as "55 inch", so "55 zoll" also reads "55 inch")."""

    words: tuple[str, ...]
    short: tuple[str, ...] = ()
    same_as: tuple[str, ...] = ()


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
    Unit(("gigabyte", "gigabytes"), ("gb",), same_as=("гб",)),  # a Russian catalog's "256 ГБ"
    Unit(("terabyte", "terabytes"), ("tb",), same_as=("тб",)),
    Unit(("megabyte", "megabytes"), ("mb",)),
    Unit(("gigahertz",), ("ghz",)),
    Unit(("megahertz",), ("mhz",)),
    Unit(("hertz",), ("hz",)),
    Unit(("kilowatt", "kilowatts"), ("kw",)),
    Unit((), ("mah",)),
    Unit((), ("ah",)),  # a battery's ampere-hours, "74 Ah"
    Unit((), ("wh", "kwh")),
    Unit((), ("btu",)),
    Unit((), ("mm2",)),  # a cable's cross-section, "2,5 mm²" (folded, "²" is "2")
    Unit((), ("m2",)),
    Unit((), ("m3",)),
    Unit(("square",), ("sq",)),  # before another unit: "29 sq ft", "1.5 fl oz", "1.7 cu ft"
    Unit(("fluid",), ("fl",)),
    Unit(("cubic",), ("cu",)),
    Unit(("month", "months")),  # an age: a cheese's "24 months", a balsamic's "12 years", a warranty
    Unit(("year", "years"), ("yr", "yrs")),
)
# The catalog languages' own words for the same units (read in a catalog of any language), each a unit of
# its own, so a size typed together reads apart in its own language ("55zoll" as "55 zoll", the catalog's
# "55 Zoll"). Without them "fernseher 55 zoll" counted "55" and "zoll" as two words of the rule, and
# the 43 and 65 Zoll televisions matched it by "fernseher zoll". Accented words are listed as typed
# and, where shoppers often leave the accent out, without it; a word that follows a number as a plain
# word in another language is left out ("chili", Italian kilograms).
LANGUAGE_UNITS = (
    Unit(("zoll",), same_as=("inch",)),  # inch: German
    Unit(("pouce", "pouces"), same_as=("inch",)),  # French
    Unit(("pulgada", "pulgadas"), same_as=("inch",)),  # Spanish
    Unit(("pollice", "pollici"), same_as=("inch",)),  # Italian
    Unit(("duim",), same_as=("inch",)),  # Dutch
    Unit(("tum",), same_as=("inch",)),  # Swedish
    Unit(("tomme", "tommer"), same_as=("inch",)),  # Danish, Norwegian
    Unit(("polegada", "polegadas"), same_as=("inch",)),  # Portuguese
    Unit(("gramm",)),  # the metric units: German, Spanish and Portuguese, Italian, French
    Unit(("gramo", "gramos", "grama", "gramas")),
    Unit(("grammo", "grammi")),
    Unit(("gramme", "grammes")),
    Unit(("kilogramm",)),
    Unit(("kilogramo", "kilogramos", "quilograma", "quilogramas")),
    Unit(("chilogrammo", "chilogrammi")),
    Unit(("kilogramme", "kilogrammes")),
    Unit(("kilo", "kilos")),
    Unit(("metro", "metros", "metri")),
    Unit(("mètre", "mètres")),
    Unit(("litro", "litros", "litri")),
    Unit(("zentimeter",)),
    Unit(("centímetro", "centímetros", "centimetro", "centimetros", "centimetri")),
    Unit(("centimètre", "centimètres")),
    Unit(("milímetro", "milímetros", "milimetro", "milimetros", "millimetro", "millimetri")),
    Unit(("millimètre", "millimètres")),
    Unit(("stück", "stueck"), ("stk",)),  # piece
    Unit(("pièce", "pièces")),
    Unit(("pieza", "piezas")),
    Unit(("pezzo", "pezzi")),
    Unit(("stuk", "stuks")),
    Unit(("mese", "mesi")),  # month and year: Italian, German, Spanish and Portuguese, Dutch, French
    Unit(("anno", "anni")),
    Unit(("monat", "monate")),
    Unit(("jahr", "jahre")),
    Unit(("mes", "meses")),
    Unit(("año", "años", "ano", "anos")),
    Unit(("maand", "maanden")),
    Unit(("jaar",)),
    Unit(("mois",)),
    Unit(("дюйм", "дюйма", "дюймов"), same_as=("inch",)),  # Russian: inch, then the metric short forms
    Unit((), ("кг",)),
    Unit((), ("г", "гр")),
    Unit((), ("л",)),
    Unit((), ("мл",)),
    Unit((), ("мм",)),
    Unit((), ("см",)),
    Unit((), ("м",)),
    Unit((), ("вт", "квт")),
    Unit((), ("шт",)),
    Unit((), ("гб",), same_as=("gb",)),
    Unit((), ("тб",), same_as=("tb",)),
)
UNIT_SPELLINGS = {
    spelling: unit for unit in (*UNITS, *LANGUAGE_UNITS) for spelling in (*unit.words, *unit.short)
}
TIMES = "x"  # between two numbers: a dimension ("4 x 40")


_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def dimension_start(word: str) -> str | None:
    """How a dimension written as one word begins when the query's `word`, a number on its own, is its
    first side ("29" -> "29x", which "29x2.25" begins: the words as written hold the decimal point); None
    for any other word."""
    return f"{word}{TIMES}" if _NUMBER.fullmatch(word) else None


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


@dataclass(frozen=True)
class Units:
    """A query's words as its minimum-should-match rule counts them: each size one unit whose words all
    match, each CJK run one unit (its bigrams share the run's text), every other word a unit of its own
    (`units`, each the words as written); a product matches `needed` of them."""

    units: tuple[tuple[str, ...], ...]
    every: bool = False  # every unit needed (`MatchQuery.every_word`), not the rule's count

    @classmethod
    def of(cls, tokens: Sequence[str], words: Sequence[str], every: bool = False) -> Units:
        """For a query's `tokens` and its `words` (those with terms, as written; a CJK run is one word
        per character bigram, so its text comes once per bigram, and the run is one unit)."""
        present = set(words)
        sizes = [
            tuple(dict.fromkeys(t for t in tokens[first : last + 1] if t in present))
            for first, last in size_spans(tokens)
        ]
        sized = {word for size in sizes for word in size}
        units = [size for size in dict.fromkeys(sizes) if size]
        units += [(word,) for word in dict.fromkeys(words) if word not in sized]
        return cls(tuple(units), every)

    @property
    def needed(self) -> int:
        return len(self.units) if self.every else required_matches(len(self.units))

    def rest(self, words: Sequence[str]) -> Rest:
        """What a reading's `words` besides its replacement must match (`engine.lexical.readings`):
        the units wholly among them, enough that with the units the replacement stands for (those not
        wholly among them) the query's `needed` is met, and every word of a size the replacement
        stands for in part ("mm" of "4 x 40 mm" read as "4x40 mm")."""
        present = set(words)
        whole = [unit for unit in self.units if present.issuperset(unit)]
        partly = [w for unit in self.units if not present.issuperset(unit) for w in unit if w in present]
        replaced = len(self.units) - len(whole)
        known = {w for unit in self.units for w in unit}
        whole += [(word,) for word in words if word not in known]  # none, as readings are written
        return Rest(tuple(whole), tuple(dict.fromkeys(partly)), max(0, self.needed - replaced))


@dataclass(frozen=True)
class Rest:
    """A reading's other words: `units` (a size's words all, or one word), of which `needed` must
    match, and `whole` words that must (what is left of a size the replacement stands for in part)."""

    units: tuple[tuple[str, ...], ...]
    whole: tuple[str, ...]
    needed: int


def unit_words(units: Sequence[Sequence[str]], words: Sequence[T], text: Callable[[T], str]) -> list[list[T]]:
    """The `words` of each unit, in the units' order: a size's words, or the words of that text (one, or
    a CJK run's bigrams, which share their run's text)."""
    by_text: dict[str, list[T]] = {}
    for word in words:
        by_text.setdefault(text(word), []).append(word)
    grouped = []
    for unit in units:
        if len(unit) == 1:
            grouped.append(by_text.get(unit[0], []))
        else:
            grouped.append([by_text[t][0] for t in unit if t in by_text])
    return [group for group in grouped if group]


def unit_needs(group: Sequence[T], text: Callable[[T], str]) -> int:
    """How many of a unit's words (`unit_words`) a product must match: every word of a size, and of a
    CJK run's bigrams as many as the rule asks of that many words (`required_matches`), so a run
    typed without spaces ("ステンレス鍋", whose "ス鍋" no product writes) still finds what most of it
    names."""
    if len(group) > 1 and len({text(word) for word in group}) == 1:
        return required_matches(len(group))
    return len(group)
