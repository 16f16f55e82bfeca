"""A misspelt word takes the synonyms of the word it stands for.

Synonyms are looked up by a query word's analysed terms (`engine.lexical.matching.query_words`), so
"hustlka", a typo of the bicycle shop's "hustilka" (a hand pump), found the hand pump through the typo
tolerance but none of its synonym set's other words ("pumpa", "pumpička"): the stand pump stayed out.
A word the catalog does not have, with typos allowed and no synonym of its own, now takes the synonyms
of the one entry word within its typo distance (optimal string alignment on the analysed terms, the
distance the typo tolerance measures), when exactly one is that close; the entry's own word is still
matched through the typo tolerance. A word the catalog has is a word, not a typo, and keeps no one
else's synonyms ("soda" in a shop whose sofas are "kanapa" too).
"""

from __future__ import annotations

from dataclasses import replace

from rapidfuzz import process
from rapidfuzz.distance import OSA

from engine.lexical.matching import QueryWord
from engine.lexical.readings import KnownTerms
from engine.lexical.synonyms import Expansions


def misspelt_synonyms(
    words: list[QueryWord], synonyms: Expansions | None, known: KnownTerms | None
) -> list[QueryWord]:
    """`words` with a misspelt word's synonyms (see the module's docstring); `known`: which of some
    analysed terms the catalog has, one lookup for the query (None: every word kept as it is)."""
    if not synonyms or known is None:
        return words
    candidates = [w for w in words if w.typos and not w.alternatives and len(w.terms) == 1]
    if not candidates:
        return words
    found = set(known({w.terms[0] for w in candidates}))
    chosen = {}
    for word in candidates:
        term = word.terms[0]
        if term in found:
            continue
        # The two closest entry words within the distance, found by rapidfuzz in one pass over the set.
        close = process.extract(term, list(synonyms), scorer=OSA.distance, score_cutoff=word.typos, limit=2)
        if len(close) == 1:
            chosen[word.word] = synonyms[close[0][0]]
    return [replace(w, alternatives=chosen[w.word]) if w.word in chosen else w for w in words]
