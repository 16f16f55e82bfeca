"""The "Did you mean" of a query that matches nothing: the same query relaxed until it matches.

Kept apart from the match set (`engine.pipeline.matchset`) because it asks the lexical backend about
readings of the query the shopper did not type, one count per reading, and only for empty answers.
"""

from __future__ import annotations

from engine.lexical.base import LexicalIndex
from engine.lexical.matching import MatchQuery
from engine.records import Filters

MAX_RELAXED_WORDS = 8  # longer zero-result queries are not relaxed word by word (cost grows with length)


def relaxed_query(lexical: LexicalIndex, text: str, filters: Filters) -> str | None:
    """A relaxed query that matches where `text` matches nothing.

    First the words that match on their own (a typo beyond the tolerance, or a word the catalog does
    not have, is dropped). When every word matches alone but not together ("cat food" in a shop whose
    cat products never say "food"), the query without one word, then a single word: whichever matches
    the most products, so the shopper is offered the broadest sensible reading rather than nothing.
    A reading whose words match as written beats one that matches only through typo tolerance, however
    many products that finds: in a pet-and-hardware shop "dog food" suggests "dog" (a dog lead), not
    "food" (which reaches "wood" screws by one edit).
    """
    words = text.split()
    flt = None if filters.is_empty else filters

    counted: dict[tuple[str, bool], int] = {}  # each relaxation is asked of the backend once

    def count(words_: list[str], typos: bool = True) -> int:
        key = (" ".join(words_), typos)
        if key not in counted:
            counted[key] = lexical.count_matching(MatchQuery(key[0], flt, typos=typos))
        return counted[key]

    def preference(words_: list[str]) -> tuple[bool, int]:
        return count(words_, typos=False) > 0, count(words_)

    kept = [w for w in words if count([w]) > 0]
    if not kept or len(kept) > MAX_RELAXED_WORDS:
        return None
    if len(kept) < len(words) and count(kept) > 0:
        return " ".join(kept)
    shorter = [kept[:i] + kept[i + 1 :] for i in range(len(kept))] if len(kept) > 2 else []
    singles = [[w] for w in kept] if len(kept) > 1 else []
    for level in (shorter, singles):
        matching = [option for option in level if count(option) > 0]
        if matching:  # first of equals: earlier words are kept
            best: list[str] = max(matching, key=preference)
            return " ".join(best)
    return None
