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
  OpenSearch's `porter_stem`. Without PyStemmer a small suffix stemmer takes over; it handles plurals
  and the common verb endings, which is what product search needs most, but it is not Porter.
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


def _porter() -> Callable[[list[str]], list[str]] | None:
    try:
        import Stemmer  # type: ignore[import-not-found]  # PyStemmer
    except ImportError:
        return None
    stemmer = Stemmer.Stemmer("porter")
    return stemmer.stemWords  # type: ignore[no-any-return]


_SUFFIXES = (
    ("sses", "ss"),
    ("ies", "y"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("xes", "x"),
    ("ss", "ss"),
    ("us", "us"),
    ("s", ""),
)


def suffix_stem(word: str) -> str:
    """A small English stemmer for when PyStemmer is missing: plurals, -ing, -ed, -ly."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix):
            word = word[: len(word) - len(suffix)] + replacement
            break
    for suffix in ("ing", "ed", "ly"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and any(c in "aeiouy" for c in stem):
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                stem = stem[:-1]  # running -> run
            return stem
    return word


class EnglishAnalyzer:
    """Text -> index terms, the embedded counterpart of the `aisle_english` OpenSearch analyser.

    `stemmer` is "auto" (Porter from PyStemmer when installed, else `suffix_stem`), "porter" (fail
    when PyStemmer is missing) or "suffix".
    """

    def __init__(self, stemmer: str = "auto") -> None:
        porter = _porter() if stemmer in ("auto", "porter") else None
        if stemmer == "porter" and porter is None:
            from engine.errors import MissingDependency

            raise MissingDependency("PyStemmer", "Porter stemming in the embedded lexical index")
        if porter is not None:
            self.stemmer_name = "porter"
            self._stem_words = porter
        else:
            self.stemmer_name = "suffix"
            self._stem_words = lambda words: [suffix_stem(w) for w in words]

    def __call__(self, text: str) -> list[str]:
        words = [IRREGULAR_PLURALS.get(t, t) for t in tokenize(text) if t not in ENGLISH_STOPWORDS]
        return self._stem_words(words) if words else []
