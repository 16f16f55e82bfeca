"""The words a product is spelt with: what typos are measured against on both lexical backends (the
`spell` field, `engine.lexical.typo_terms`).

Each searchable word as written: lowercased, without accents, each once ("cortazr" is one edit from
"cortazar", two from "cortázar"; queries are folded alike, `engine.lexical.matching.spell_forms`).
Stop words are left out: a query never matches one as typed, so a typo must not land on one either
("hand" is one edit from "and", "hund" from "und", which would make them match most of a catalog's
descriptions).

In a catalog of another language than English each word's stem is a spelling too, where it differs:
there a noun is often written only inflected, so a typo of its bare form was two edits or more from
every product that has it. A Turkish shop writes "Çocuk Bornozu" (a child's bathrobe) and "Bebek
Battaniyesi" (a baby's blanket); "bornos" is two edits from "bornozu" but one from its stem "bornoz",
"battanye" one from "battaniye"; a Russian shop's "холодильники" gives "холодильник", one edit from
"халадильник". English inflects little, and its stems ("batteri") are no words a shopper types. In the
compounding languages (German, Dutch, the Nordic ones) the spellings are also what a compound's end is
matched against (`engine.lexical.matching.compound_ends`), where stems would let "schrauber" (a
driver) reach "Holzschrauben" (wood screws) through "holzschraub"; those keep their words as written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from engine.charset import fold_diacritics
from engine.lexical.analysis import is_cjk, make_analyzer, stopwords, tokenize


def spelling(texts: Iterable[str], language: str, stems: bool) -> str:
    """The spellings of `texts` (a product's searchable fields), space-separated; with `stems`, their
    stems where they differ (see the module's docstring for the languages that want them)."""
    stop = stopwords(language)
    folded = (fold_diacritics(w) for text in texts for w in tokenize(text) if not is_cjk(w) and w not in stop)
    written = dict.fromkeys(w for w in folded if w not in stop)
    if stems:
        stem = _analyzer(language)
        for word in list(written):
            terms = stem(word)
            if len(terms) == 1 and terms[0] != word:
                written.setdefault(terms[0], None)
    return " ".join(written)


@functools.cache
def _analyzer(language: str) -> Callable[[str], list[str]]:
    return make_analyzer(language)
