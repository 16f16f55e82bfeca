"""Words as the ranker's text features compare them in a catalog of another language than English: their
stems in the catalog language, so a query and a title that write one word in two forms still match.

The title, brand and category matches (`engine.ranking.features`: the fusion's title bonus and the
ranker's `title_overlap`, `title_phrase`, `brand_match`, `category_match`) compared words as written,
lowercased and without accents. In English that is close enough ("shelf" and "shelves" are the
exception). In the inflecting languages it is not: Polish "półki" (shelves) is not the title's "Półka",
Turkish "havlular" not "Havlusu", Russian "холодильники" not "Холодильник", German "Tische" not
"Tisch"; the lexical match found each, but the ranker saw no title match and put a product that
mentions shelves in its description first. Here each token (already lowercased and folded,
`engine.ranking.features.tokenize`) is stemmed as the catalog's lexical analysis stems it: PyStemmer's
Snowball algorithm of the language, or the suffix rules of Turkish and Polish. English keeps its words
as written: the dev sets' ranking was fitted to them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from engine.lexical.analysis import SnowballAnalyzer

# Tokens -> their forms (`engine.ranking.features.WordForms`, which this layer does not import).
WordForms = Callable[[tuple[str, ...]], tuple[str, ...]]


@functools.cache
def word_forms(language: str) -> WordForms | None:
    """The stemmer of `language`'s text features (see the module's docstring); None for English. One
    function per language, so the feature builder's caches key on it."""
    if language == "english":
        return None
    stem_words = SnowballAnalyzer(language).stemmer.stemWords  # the lexical analysis's own stemmer

    def forms(tokens: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(stem_words(list(tokens)))

    return forms
