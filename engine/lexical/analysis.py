"""English text analysis shared by both lexical backends.

OpenSearch analyses title, description, brand and category with the `aisle_english` analyser defined in
`engine.lexical.mapping`: standard tokenizer, possessive removal, lowercase, Lucene's English stop words,
a small table of irregular plurals (the Porter stemmer leaves "knives" as "knive", so "knives" would never
meet "knife") and the Porter stemmer. The embedded backend runs `EnglishAnalyzer`, which follows the same
steps in Python so both backends match the same words:

- the tokenizer is a regular expression close to Unicode word segmentation (words may contain inner
  apostrophes and dots, "3.5" and "u.s.a" stay whole; CJK ideographs and hiragana become one token per
  character, as OpenSearch's standard tokenizer does);
- stemming is the Porter algorithm from PyStemmer (`pip install PyStemmer`), the same algorithm as
  OpenSearch's `porter_stem`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Lucene's English stop word set (`_english_` in OpenSearch).
_STOPWORDS = (
    "a an and are as at be but by for if in into is it no not of on or such that the their then there"
)
ENGLISH_STOPWORDS = frozenset((_STOPWORDS + " these they this to was will with").split(" "))

# Plurals the Porter stemmer does not bring back to their singular. Applied before stemming on both
# sides (index and query), so "knives" and "knife" meet.
IRREGULAR_PLURALS: dict[str, str] = {
    "knives": "knife",
    "wives": "wife",
    "leaves": "leaf",
    "shelves": "shelf",
    "halves": "half",
    "loaves": "loaf",
    "scarves": "scarf",
    "wolves": "wolf",
    "calves": "calf",
    "thieves": "thief",
    "hooves": "hoof",
    "men": "man",
    "women": "woman",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "geese": "goose",
    "children": "child",
    "people": "person",
    "dice": "die",
}

_TOKEN = re.compile(
    r"[\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"  # one token per ideograph / hiragana
    r"|[^\W_]+(?:['’.][^\W_]+)*",
)
_POSSESSIVE = re.compile(r"['’]s$")


def irregular_plural_rules() -> list[str]:
    """The plural table as OpenSearch synonym rules ("knives => knife")."""
    return [f"{plural} => {singular}" for plural, singular in sorted(IRREGULAR_PLURALS.items())]


def tokenize(text: str) -> list[str]:
    """Lowercased tokens with possessives removed, before stop words and stemming."""
    tokens: list[str] = _TOKEN.findall(text.lower())
    if "'" in text or "’" in text:
        tokens = [t for t in (_POSSESSIVE.sub("", t) for t in tokens) if t]
    return tokens


class EnglishAnalyzer:
    """Text -> index terms, the embedded counterpart of the `aisle_english` OpenSearch analyser.

    Stemming is Porter from PyStemmer (a required dependency); without it the analyser refuses to
    start (`MissingDependency`) rather than index with another stemmer than OpenSearch's.
    """

    def __init__(self) -> None:
        try:
            import Stemmer  # type: ignore[import-not-found]  # PyStemmer
        except ImportError:
            from engine.errors import MissingDependency

            raise MissingDependency("PyStemmer", "Porter stemming in the embedded lexical index") from None
        self.stemmer_name = "porter"
        self._stem_words: Callable[[list[str]], list[str]] = Stemmer.Stemmer("porter").stemWords

    def __call__(self, text: str) -> list[str]:
        words = [IRREGULAR_PLURALS.get(t, t) for t in tokenize(text) if t not in ENGLISH_STOPWORDS]
        return self._stem_words(words) if words else []
