"""Other readings of a query that its match set includes, defined once for both lexical backends.

- A run of query words equal to a multi-word synonym entry, replaced by each other entry of its set:
  with ["drill driver", "akkuschrauber"], "cordless drill driver" also reads "cordless akkuschrauber"
  (`phrase_rewrites`; one-word entries are handled word by word in `engine.lexical.matching`).
- Two adjacent words of letters written as one: "fire pit" also reads "firepit", "wi fi" "wifi"
  (`joined_rewrites`), because shoppers and catalogs split and join compounds differently.
- In a catalog whose language writes compounds as one word (German, Dutch, the Scandinavian ones), a
  compound written apart: "hundefutter" also reads "hunde futter" where the catalog has both words (the
  dog food filed under "Hund > Futter" or described as "Futter für Hunde"; `split_rewrites`).
- A size written another way: "18v" also reads "18 volt" (the catalog's "18-Volt"), "18 volt" "18v",
  "5gal" "5 gal" and "5 gallon", "6panel" "6 panel" (`size_rewrites`): a number and its unit are
  written together, apart, hyphenated, abbreviated or in full, and a shopper rarely picks the catalog's way.
- Dimensions written together or apart: "4x40" also reads "4 x 40" and "m8 x 40" "m8x40"
  (`dimension_rewrites`): a screw's, a board's or a rug's sizes, which catalogs write both ways.
- A word typed with the keyboard in its other layout, in a Cyrillic catalog: "vjybnjh" also reads
  "монитор" (`engine.lexical.layouts`).
- An oil's grade, a tyre's size and a model's generation written another way: "5w30" also reads "5w
  30", "205 55 16" "205 55 r16", "golf 7" "golf vii" (`engine.lexical.code_readings`).
- A word spelt as it sounds, in a catalog whose language spells one sound two ways: "moxila" also reads
  "mochila" in a Brazilian catalog (`engine.lexical.sounds`).

A product matching a reading matches the query, but a reading never matches more loosely than the query
itself: its replacement must match, and counts for the words it stands for in the minimum-should-match
rule (`engine.lexical.sizes.Units.rest`, where a size is one unit). Each backend
turns a `Rewrite` into one more clause of the membership query.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Mapping

from engine.lexical.analysis import is_cjk, tokenize
from engine.lexical.code_readings import code_rewrites
from engine.lexical.layouts import layout_rewrites
from engine.lexical.matching import COMPOUNDING_LANGUAGES, MIN_COMPOUND_HEAD, MIN_COMPOUND_MODIFIER
from engine.lexical.rewrite import Rewrite, reading
from engine.lexical.sizes import UNIT_SPELLINGS, Unit
from engine.lexical.sounds import sound_rewrites

__all__ = ["KnownTerms", "Rewrite", "query_rewrites"]

KnownTerms = Callable[[Collection[str]], Collection[str]]  # the analysed terms some product has

MAX_PHRASE_WORDS = 4  # the longest synonym entry looked up in a query; longer ones only match products
MAX_REWRITES = 8  # readings of a query, at most: each is one more clause of its membership query
MIN_JOINED_CHARS = 2  # adjacent words joined into one from this length each ("wi fi" -> "wifi")
MIN_SPLIT_CHARS = 2  # a number's letters split off from this length ("6panel" -> "6 panel", not "4x")


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NUMBER_THEN_LETTERS = re.compile(r"(\d+(?:[.,]\d+)*)([^\W\d_]+[23]?)")  # "18v", "2.5mm2" (a unit only)
# A model's series letters written onto its number: "gsr18v" for the catalog's "GSR 18V-55". From three
# letters: two-letter names are mostly written joined ("ps3", "gu10"), and apart they matched anything
# holding "ps" and "3" (crowdflower's four "ps3" queries, -0.0010 nDCG@10).
MIN_MODEL_LETTERS = 3
_LETTERS_THEN_NUMBER = re.compile(rf"([^\W\d_]{{{MIN_MODEL_LETTERS},}})(\d[^\W_]*)")
# "4x40", "m8x40", "3.5x30", "120x60x75cm": sizes joined by "x", the first perhaps after letters (a
# thread's "M8"), the last perhaps before a unit.
_DIMENSIONS = re.compile(r"([^\W\d_]*\d+(?:\.\d+)?)((?:x\d+(?:\.\d+)?)+)([^\W\d_]*)")
_DIMENSION_START = re.compile(r"[^\W\d_]*\d+(?:\.\d+)?")
_DIMENSION_NEXT = re.compile(r"\d+(?:\.\d+)?")


def query_rewrites(
    text: str,
    analyzer: Callable[[str], list[str]],
    synonyms: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] | None,
    limit: int = MAX_REWRITES,
    language: str = "english",
    known: KnownTerms | None = None,
) -> list[Rewrite]:
    """The readings of `text` its match set includes besides the query itself: multi-word synonyms
    (`phrase_rewrites`) first, then sizes written another way (`size_rewrites`), then dimensions
    written together or apart (`dimension_rewrites`), then grades, tyre sizes and model numerals
    (`engine.lexical.code_readings`), then adjacent words written as one
    (`joined_rewrites`), then compounds written apart (`split_rewrites`, where `known` says which terms
    the catalog has), then words typed in the keyboard's other layout (`engine.lexical.layouts`, the
    same), then words spelt as they sound (`engine.lexical.sounds`, the same), at most `limit`."""
    rewrites = [
        *phrase_rewrites(text, analyzer, synonyms),
        *size_rewrites(text, analyzer),
        *dimension_rewrites(text),
        *code_rewrites(tokenize(text)),
        *joined_rewrites(text, analyzer),
        *(split_rewrites(text, analyzer, language, known) if known is not None else []),
        *(layout_rewrites(text, analyzer, language, known) if known is not None else []),
        *(sound_rewrites(text, analyzer, language, known) if known is not None else []),
    ]
    return rewrites[:limit]


def _slots(tokens: list[str], analyzer: Callable[[str], list[str]]) -> list[tuple[int, str]]:
    """(position, analysed term) of the tokens that are one plain word each (stop words and CJK left out)."""
    slots = []
    for position, token in enumerate(tokens):
        terms = analyzer(token)
        if len(terms) == 1 and not is_cjk(token):
            slots.append((position, terms[0]))
    return slots


def phrase_rewrites(
    text: str,
    analyzer: Callable[[str], list[str]],
    synonyms: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] | None,
    limit: int = MAX_REWRITES,
) -> list[Rewrite]:
    """The query with one run of words that is a multi-word synonym entry ("drill driver") replaced by
    each other entry of its sets ("cordless drill driver" -> "cordless akkuschrauber"). Stop words inside
    the run do not count ("bag of words" is the entry "bag words"); at most `limit` rewrites, one
    replacement each."""
    if not synonyms:
        return []
    tokens = tokenize(text)
    slots = _slots(tokens, analyzer)
    rewrites: dict[str, Rewrite] = {}
    for start in range(len(slots)):
        for length in range(min(MAX_PHRASE_WORDS, len(slots) - start), 1, -1):
            run = slots[start : start + length]
            for alternative, _ in synonyms.get(" ".join(term for _, term in run), ()):
                found = reading(tokens, run[0][0], run[-1][0], alternative, True)
                rewrites.setdefault(found.text, found)
    return list(rewrites.values())[:limit]


def joined_rewrites(text: str, analyzer: Callable[[str], list[str]]) -> list[Rewrite]:
    """The query with two adjacent words written as one: "fire pit" also reads "firepit", "wi fi"
    "wifi", "lawn mower blade" "lawnmower blade". Only words of letters, from `MIN_JOINED_CHARS` each
    (numbers and sizes stay apart: "1/4" is not "14"), and the whole reading as written: no typos in
    the rest either, which keeps a reading as cheap as a few term lookups."""
    tokens = tokenize(text)
    slots = _slots(tokens, analyzer)
    rewrites = []
    for (first, _), (last, _) in itertools.pairwise(slots):
        a, b = tokens[first], tokens[last]
        if last != first + 1 or not (a.isalpha() and b.isalpha()):
            continue
        if min(len(a), len(b)) < MIN_JOINED_CHARS or not analyzer(a + b):
            continue
        rewrites.append(reading(tokens, first, last, a + b, False))
    return rewrites


def split_rewrites(
    text: str, analyzer: Callable[[str], list[str]], language: str, known: KnownTerms
) -> list[Rewrite]:
    """The query with one compound word written as its two parts, where the catalog has both: in a
    German shop "hundefutter" also reads "hunde futter", so the food filed under "Hund > Futter" or
    described as "Futter für Hunde" matches too, and "katzenstreu" reads "katzen streu". Only in the
    languages that write compounds as one word (`COMPOUNDING_LANGUAGES`; the reverse, a compound's last
    part finding it, is `compound_ends`), and only for cuts whose two parts are a word each of at least
    `MIN_COMPOUND_MODIFIER` and `MIN_COMPOUND_HEAD` letters and both analyse to terms the catalog has
    (`known`, one lookup for every cut of the query): "hund efutter" is never a reading. Both parts are
    needed and count for the one word; the rest is matched as written, as in a joined reading."""
    if language not in COMPOUNDING_LANGUAGES:
        return []
    tokens = tokenize(text)
    cuts: list[tuple[int, str, str, str, str]] = []
    for position, token in enumerate(tokens):
        if not token.isalpha() or is_cjk(token):
            continue
        for cut in range(MIN_COMPOUND_MODIFIER, len(token) - MIN_COMPOUND_HEAD + 1):
            modifier, head = analyzer(token[:cut]), analyzer(token[cut:])
            if len(modifier) == 1 and len(head) == 1:
                cuts.append((position, token[:cut], token[cut:], modifier[0], head[0]))
    if not cuts:
        return []
    found = known({term for *_, modifier, head in cuts for term in (modifier, head)})
    return [
        reading(tokens, position, position, f"{first} {last}", False)
        for position, first, last, modifier, head in cuts
        if modifier in found and head in found
    ]


def _size_forms(number: str, unit: Unit) -> list[str]:
    """The ways a catalog writes a size: "18 volt" (also "18-Volt", "18 volts" once analysed), "18v"
    and "18 v" ("10 l", "5 gal"), and "55 inch" for "55 zoll" (`Unit.same_as`: an inch mark's reading)."""
    forms = [f"{number} {unit.words[0]}"] if unit.words else []
    forms += [f"{number} {word}" for word in unit.same_as]
    for short in unit.short:
        forms += [f"{number}{short}", f"{number} {short}"]
    return forms


def _sizes(tokens: list[str]) -> list[tuple[int, int, list[str]]]:
    """(first token, last token, other ways to write it) of each size in a query: a number with letters
    ("18v", "6panel"), a number followed by a unit ("18 volt", "36 in"), or three or more letters
    written onto a number ("gsr18v" as "gsr 18v", "usb3" as "usb 3")."""
    sizes = []
    for position, token in enumerate(tokens):
        together = _NUMBER_THEN_LETTERS.fullmatch(token)
        if together:
            number, letters = together.groups()
            unit = UNIT_SPELLINGS.get(letters)
            if unit is not None:
                sizes.append((position, position, _size_forms(number, unit)))
            elif len(letters) >= MIN_SPLIT_CHARS and letters.isalpha():
                sizes.append((position, position, [f"{number} {letters}"]))
        elif _NUMBER.fullmatch(token) and position + 1 < len(tokens):
            unit = UNIT_SPELLINGS.get(tokens[position + 1])
            if unit is not None:
                sizes.append((position, position + 1, _size_forms(token, unit)))
        elif (model := _LETTERS_THEN_NUMBER.fullmatch(token)) and token not in UNIT_SPELLINGS:
            sizes.append((position, position, [" ".join(model.groups())]))
    return sizes


def size_rewrites(text: str, analyzer: Callable[[str], list[str]]) -> list[Rewrite]:
    """The query with a size written the other ways a catalog may write it: "dewalt 18v battery" also
    reads "dewalt 18 volt battery", "18 volt" "18v", "36in vanity" "36 in vanity", "5gal bucket" "5 gal
    bucket" and "5 gallon bucket", "6panel door" "6 panel door", "bosch gsr18v" "bosch gsr 18v" (the
    catalog's "GSR 18V-55"). A form no looser than the query's own
    words or than another form ("36 inch" next to "36 in", which analyses to "36") adds no member and
    is left out. A form stands for the size, one unit of the query (`engine.lexical.sizes`): "36 inch
    vanity" read as "36 in vanity" (the stop word "in" analyses to nothing) still needs "vanity", so no
    reading matches more loosely than the query. The rest is matched as written, like a
    joined reading's: with typos it cost about 0.7 ms more CPU per size query on homedepot and found no
    more relevant products."""
    tokens = tokenize(text)
    rewrites: dict[str, Rewrite] = {}
    for first, last, forms in _sizes(tokens):
        span = tokens[first : last + 1]
        own = frozenset(term for token in span for term in analyzer(token))
        kept: list[tuple[str, frozenset[str]]] = []
        for form in forms:
            terms = frozenset(analyzer(form))
            if terms and not terms >= own:
                kept = [(f, t) for f, t in kept if not t >= terms]
                if not any(terms >= t for _, t in kept):
                    kept.append((form, terms))
        for form, _ in kept:
            found = reading(tokens, first, last, form, False)
            rewrites.setdefault(found.text, found)
    return list(rewrites.values())


def dimension_rewrites(text: str) -> list[Rewrite]:
    """The query with its dimensions written the other way: "vis 4x40" also reads "vis 4 x 40" (the
    catalog's "Vis 4 x 40 mm"), "4x40mm" "4 x 40 mm", and "m8 x 40" reads "m8x40" (the catalog's
    "M8x40"). A reading stands for the size it rewrites, one unit of the query (`engine.lexical.sizes`;
    a unit word left after it, "mm", is still needed); the rest is matched as written, as in a size
    reading."""
    tokens = tokenize(text)
    rewrites: list[Rewrite] = []
    for position, token in enumerate(tokens):
        together = _DIMENSIONS.fullmatch(token)
        if together:
            first, more, unit = together.groups()
            apart = " x ".join([first, *more[1:].split("x")]) + (f" {unit}" if unit else "")
            rewrites.append(reading(tokens, position, position, apart, False))
    position = 0
    while position + 2 < len(tokens):
        last = position
        while (
            last + 2 < len(tokens)
            and tokens[last + 1] == "x"
            and _DIMENSION_NEXT.fullmatch(tokens[last + 2])
            and (last > position or _DIMENSION_START.fullmatch(tokens[position]))
        ):
            last += 2
        if last > position:
            joined = "".join(tokens[position : last + 1])
            rewrites.append(reading(tokens, position, last, joined, False))
        position = last + 1
    return rewrites
