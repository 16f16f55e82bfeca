"""A word the catalog has as written is corrected by one edit at most.

Typo tolerance allows two edits from eight letters (`engine.lexical.matching.typo_distance`). In a
catalog that has the word as typed, the second edit mostly lands on another real word of the catalog:
a French hardware shop's tools ending in "-euse" are two edits apart, so "perceuse" matched the
sanders ("Ponceuse") and "visseuse" every screw and nut filed under "Visserie" (41 products in
`total`, the brand facet and a price sort). A word the catalog does not have keeps both edits, so a
misspelling still finds what it misspells. Measured on the dev sets: nDCG@10 and Recall@100 unchanged,
the mean match set 0.1-0.6% smaller (BENCHMARKS.md, "A French hardware shop").

Both backends ask which of a query's long words occur as written (the `spell` field): the embedded
index its term dictionary, OpenSearch one `filters` aggregation kept a second (`KnownTerms`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace

from engine.lexical.matching import QueryWord, spell_forms

Spelt = Callable[[Collection[str]], Collection[str]]  # the forms some product has as written


def held_to_one_edit(words: list[QueryWord], spelt: Spelt | None) -> list[QueryWord]:
    """`words` with those allowed two edits held to one where the catalog has one of their
    `spell_forms` as written (`spelt`: which forms it has; None keeps every word as it is)."""
    long = [w for w in words if w.typos > 1]
    if not long or spelt is None:
        return words
    forms = {w.word: spell_forms(w.word) for w in long}
    found = set(spelt({form for each in forms.values() for form in each}))
    return [replace(w, typos=1) if w.typos > 1 and found.intersection(forms[w.word]) else w for w in words]
