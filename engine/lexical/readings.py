"""Other readings of a query that its match set includes, defined once for both lexical backends.

- A run of query words equal to a multi-word synonym entry, replaced by each other entry of its set:
  with ["drill driver", "akkuschrauber"], "cordless drill driver" also reads "cordless akkuschrauber"
  (`phrase_rewrites`; one-word entries are handled word by word in `engine.lexical.matching`).
- Two adjacent words of letters written as one: "fire pit" also reads "firepit", "wi fi" "wifi"
  (`joined_rewrites`), because shoppers and catalogs split and join compounds differently.

A product matching a reading matches the query, but a reading never matches more loosely than the query
itself: its replacement must match, and counts for the words it stands for in the minimum-should-match
rule (`Rewrite.rest_needed`). Each backend turns a `Rewrite` into one more clause of the membership query.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from engine.lexical.analysis import is_cjk, tokenize
from engine.lexical.matching import required_matches

MAX_PHRASE_WORDS = 4  # the longest synonym entry looked up in a query; longer ones only match products
MAX_REWRITES = 8  # readings of a query, at most: each is one more clause of its membership query
MIN_JOINED_CHARS = 2  # adjacent words joined into one from this length each ("wi fi" -> "wifi")


@dataclass(frozen=True)
class Rewrite:
    """Another reading of a query: `replaced` of its words read as `replacement` (another entry of a
    synonym set, or two words written as one), the other words (`rest`) as they were. A product matches
    the reading when it matches every word of `replacement` and enough of `rest` that, the replacement
    counting for the words it stands for, the query's minimum-should-match is met: a reading never
    matches more loosely than the query. The replacement is matched as written (the shop wrote the
    synonym; a joined word is the shopper's two words); `rest_typos=False` matches the rest as written
    too."""

    text: str  # the whole reading, for people and tests
    replacement: str
    rest: str
    replaced: int
    rest_typos: bool = True

    def rest_needed(self, words: int) -> int:
        """How many words of `rest` a product must match, for a query of `words` words."""
        return max(0, required_matches(words) - self.replaced)


def query_rewrites(
    text: str,
    analyzer: Callable[[str], list[str]],
    synonyms: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] | None,
    limit: int = MAX_REWRITES,
) -> list[Rewrite]:
    """The readings of `text` its match set includes besides the query itself: multi-word synonyms
    (`phrase_rewrites`) first, then adjacent words written as one (`joined_rewrites`), at most `limit`."""
    return [*phrase_rewrites(text, analyzer, synonyms), *joined_rewrites(text, analyzer)][:limit]


def _slots(tokens: list[str], analyzer: Callable[[str], list[str]]) -> list[tuple[int, str]]:
    """(position, analysed term) of the tokens that are one plain word each (stop words and CJK left out)."""
    slots = []
    for position, token in enumerate(tokens):
        terms = analyzer(token)
        if len(terms) == 1 and not is_cjk(token):
            slots.append((position, terms[0]))
    return slots


def _reading(
    tokens: list[str], first: int, last: int, replacement: str, replaced: int, rest_typos: bool
) -> Rewrite:
    before, after = tokens[:first], tokens[last + 1 :]
    text = " ".join([*before, replacement, *after])
    return Rewrite(text, replacement, " ".join([*before, *after]), replaced, rest_typos)


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
                reading = _reading(tokens, run[0][0], run[-1][0], alternative, length, True)
                rewrites.setdefault(reading.text, reading)
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
        rewrites.append(_reading(tokens, first, last, a + b, 2, False))
    return rewrites
