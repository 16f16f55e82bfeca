"""Text analysis shared by both lexical backends: English by default, eleven more languages, CJK bigrams.

OpenSearch analyses title, description, brand and category with the `aisle_english` analyser defined in
`engine.lexical.mapping`: standard tokenizer, possessive removal, lowercase, Lucene's English stop words,
a small table of irregular plurals (the Porter stemmer leaves "knives" as "knive", so "knives" would never
meet "knife") and the Porter stemmer. The embedded backend runs `EnglishAnalyzer`, which follows the same
steps in Python so both backends match the same words:

- the tokenizer is a regular expression close to Unicode word segmentation (words may contain inner
  apostrophes and dots, "3.5" and "u.s.a" stay whole, and a dot between a letter and a digit ends a word:
  "No.4" is "no" "4", as OpenSearch's standard tokenizer reads it); a decimal comma is read as a point
  ("2,5 mm²" is "2.5", as a shopper types it; OpenSearch's `aisle_decimal` character filter), a
  multiplication sign as an "x" ("4×40" is "4x40") and "²", "³" as digits ("mm²" is "mm2"; `aisle_signs`);
  a run of CJK ideographs, kana or hangul is one token that the analyzers turn into overlapping character
  bigrams (OpenSearch's `cjk_bigram`), so Chinese and Japanese text is searchable without a dictionary;
- stemming is the Porter algorithm from PyStemmer (`pip install PyStemmer`), the same algorithm as
  OpenSearch's `porter_stem`;
- accents do not matter where shoppers leave them out (`ACCENT_FREE_LANGUAGES`): a word is folded to
  ASCII before its stop words and stem (`ascii_fold`, OpenSearch's `asciifolding`), so "cle a molette"
  finds "Clé à molette" and "fumee" "fumée" as written, not as a typo (a word under four letters has
  none). German's Snowball reads its umlauts itself ("duebel" is "dübel"), and the Nordic languages'
  å, ä, ö, æ, ø are letters of their own ("kök" is a kitchen, "kok" a cook), so those keep them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

from engine.charset import LETTERS_TO_ASCII, WIDE_FORMS, composed, widened_kana
from engine.lexical import czech, polish
from engine.lexical.rule_stemmer import RuleStemmer
from engine.lexical.stop_lists import ENGLISH_STOPWORDS, STOPWORDS
from engine.lexical.turkish import TurkishStemmer

# Catalog languages whose words are matched without their accents (see the module's docstring).
ACCENT_FREE_LANGUAGES = frozenset(
    {"english", "french", "spanish", "italian", "dutch", "portuguese", "turkish", "polish", "czech"}
)

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

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(
    rf"[{_CJK}]+"  # a run of ideographs / kana / hangul: bigrammed by the analyzers
    rf"|[^\W_{_CJK}]+(?:['’.][^\W_{_CJK}]+)*",
)
_CJK_RUN = re.compile(rf"[{_CJK}]+")
# A dot between a letter and a digit separates two words, as in Unicode's word segmentation (UAX #29),
# which OpenSearch's standard tokenizer follows: "No.4" is "no" "4" (a shopper types "olaplex no 4"),
# while "v1.2" (digits both sides) and "st.gallen" (letters both sides) stay whole.
_LETTER_DIGIT_DOT = re.compile(r"(?<=[^\W\d_])\.(?=\d)|(?<=\d)\.(?=[^\W\d_])")
# Initials written with points ("J.R.R.", "E.T.A.", "U.S.A.") are one word of their letters, as Lucene's
# classic filter writes an acronym: a bookshop's "J.R.R. Tolkien" is found by "jrr tolkien" and by
# "j.r.r. tolkien". Single letters only: "st.gallen" and "v1.2" stay as they are. OpenSearch's
# `aisle_initials` token filter removes the same points (`INITIALS_POINT`, Java's syntax).
_INITIALS = re.compile(r"[^\W\d_](?:\.[^\W\d_])+")
INITIALS_POINT = r"(?<=^\p{L}(?:\.\p{L}){0,31})\.(?=\p{L}(?:\.\p{L}){0,31}$)"
# Initials written with spaces, as German typesetting writes them ("J. R. R. Tolkien"), are closed up
# first ("J.R.R. Tolkien"): a letter standing alone with its point, before another such letter. The
# pattern is the same in Java's syntax for OpenSearch's `aisle_spaced_initials` char filter.
_SPACED_INITIALS = re.compile(r"(?<![^\W_])([^\W\d_])\. +(?=[^\W\d_]\.)")
SPACED_INITIALS = r"(?<![\p{L}\p{N}])(\p{L})\. +(?=\p{L}\.)"
# An ampersand between two letters is part of a name ("M&M's", "H&M", "AT&T") and goes: read as a
# separator it left "m" and "m", and a query "m&m" matched every word beginning with "m". Letters are
# ASCII, so the pattern is the same in Java's syntax for OpenSearch's `aisle_ampersand` char filter.
AMPERSAND = r"(?<=[A-Za-z])&(?=[A-Za-z])"
_AMPERSAND = re.compile(AMPERSAND)
POSSESSIVE = re.compile(r"['’]s$")  # in every language; OpenSearch's `aisle_possessive` outside English
DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")  # read as a point; OpenSearch's `aisle_decimal` too
# Read as the letter or digit a shopper types for them; full-width forms as ASCII (`narrowed`).
# "ё" is written "е" in most Russian text and typed so: both read as "е". Turkish "İ" is "i" (lowercased
# alone it is "i" and a combining dot, which split "İPEK" into "i" and "pek").
SIGNS = {"×": "x", "²": "2", "³": "3", "ё": "е", "Ё": "Е", "İ": "i", **WIDE_FORMS}
_SIGNS = str.maketrans(SIGNS)
# An inch mark after a number is the word: `55"` (also `55''`, `55″`, `55”`) reads "55 inch", so a television
# titled `55"` is found by "55 inch", and by "55 zoll" through the size's readings (`engine.lexical.sizes`).
# OpenSearch's `aisle_inch` char filter writes the same.
_INCH_MARKS = ('"', "''", "\u2033", "\u201d")
INCH_MARK = re.compile(f"(?<=\\d)(?:{'|'.join(map(re.escape, _INCH_MARKS))})")
INCH = " inch"


def irregular_plural_rules() -> list[str]:
    """The plural table as OpenSearch synonym rules ("knives => knife")."""
    return [f"{plural} => {singular}" for plural, singular in sorted(IRREGULAR_PLURALS.items())]


def tokenize(text: str) -> list[str]:
    """Lowercased tokens with possessives removed, before stop words and stemming. Text is composed
    first (NFC): a combining accent is no word character, so "Dübel" written as "u" plus a combining
    diaeresis would split in two."""
    text = composed(text)
    if "," in text:
        text = DECIMAL_COMMA.sub(".", text)
    text = text.translate(_SIGNS).lower()
    if not text.isascii():
        text = widened_kana(text)
    if any(mark in text for mark in _INCH_MARKS):
        text = INCH_MARK.sub(INCH, text)
    if ". " in text:
        text = _SPACED_INITIALS.sub(r"\1.", text)
    if "&" in text:
        text = _AMPERSAND.sub("", text)
    tokens: list[str] = _TOKEN.findall(text)
    if "." in text:
        tokens = [t.replace(".", "") if _INITIALS.fullmatch(t) else t for t in tokens]
        tokens = [part for t in tokens for part in (_LETTER_DIGIT_DOT.split(t) if "." in t else (t,))]
    if "'" in text or "’" in text:
        tokens = [t for t in (POSSESSIVE.sub("", t) for t in tokens) if t]
    return tokens


def ascii_fold(token: str) -> str:
    """`token` in ASCII where its letters have an ASCII form, as OpenSearch's `asciifolding` writes it:
    accents dropped ("clé" -> "cle"), "œ" -> "oe", "ß" -> "ss", "²" -> "2"; a letter of another script
    ("й", "ά") stays as it is, and CJK is never passed here (kana would lose its voicing marks)."""
    if token.isascii():
        return token
    out = []
    for char in token:
        if not char.isascii():
            plain = LETTERS_TO_ASCII.get(char)
            if plain is None:
                base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
                plain = base if base and base.isascii() else char
            char = plain
        out.append(char)
    return "".join(out)


def _folded(tokens: list[str]) -> list[str]:
    return [token if is_cjk(token) else ascii_fold(token) for token in tokens]


def cjk_bigrams(tokens: list[str]) -> list[str]:
    """Replace each CJK run by its characters and overlapping character bigrams (OpenSearch's
    `cjk_bigram` with `output_unigrams`): a one-character query finds the character, a longer one
    matches by bigrams (`engine.lexical.matching.query_words` keeps only those)."""
    out: list[str] = []
    for token in tokens:
        if len(token) > 1 and _CJK_RUN.fullmatch(token):
            out.extend(token)
            out.extend(token[i : i + 2] for i in range(len(token) - 1))
        else:
            out.append(token)
    return out


def is_cjk(token: str) -> bool:
    return bool(_CJK_RUN.fullmatch(token))


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

    language = "english"

    def __call__(self, text: str) -> list[str]:
        tokens = _folded(tokenize(text))
        words = [IRREGULAR_PLURALS.get(t, t) for t in tokens if t not in ENGLISH_STOPWORDS]
        return cjk_bigrams(self._stem_words(words)) if words else []


# Languages stemmed by their own suffix rules in both backends, not by Snowball (see each module).
RULE_STEMMERS: dict[str, Callable[[], TurkishStemmer | RuleStemmer]] = {
    "turkish": TurkishStemmer,
    "polish": functools.partial(RuleStemmer, polish.RULES),
    "czech": functools.partial(RuleStemmer, czech.RULES),
}
LANGUAGES = ("english", *STOPWORDS)


@functools.cache
def stopwords(language: str) -> frozenset[str]:
    """The stop words of a catalog language (English: Lucene's set), also as folded where accents do not
    matter ("à" and "a"). Kept per language: `SearchFields.spelling` asks for every product it writes."""
    words = ENGLISH_STOPWORDS if language == "english" else STOPWORDS.get(language, frozenset())
    if language in ACCENT_FREE_LANGUAGES:
        return words | {ascii_fold(word) for word in words}
    return words


class SnowballAnalyzer:
    """Text -> index terms for a non-English catalog: tokenize, fold accents (`ACCENT_FREE_LANGUAGES`),
    stop words, Snowball stemming (PyStemmer; Turkish, Polish and Czech: suffix rules,
    `engine.lexical.turkish`, `engine.lexical.polish`, `engine.lexical.czech`).

    The OpenSearch side uses the same tokenizer family, the language's stop list and stemmer
    (`engine.lexical.mapping`), so the two backends stem a word to the same root in almost all cases.
    """

    def __init__(self, language: str) -> None:
        if language not in STOPWORDS:
            raise ValueError(f"no analyzer for language {language!r}; use one of {', '.join(LANGUAGES)}")
        try:
            import Stemmer  # type: ignore[import-not-found]
        except ImportError as exc:
            from engine.errors import MissingDependency

            raise MissingDependency("PyStemmer", f"{language} stemming") from exc
        self.language = language
        self._fold = language in ACCENT_FREE_LANGUAGES
        self._stopwords = stopwords(language)
        rules = RULE_STEMMERS.get(language)
        self.stemmer = rules() if rules else Stemmer.Stemmer(language)  # `stemWords`, as PyStemmer's

    def __call__(self, text: str) -> list[str]:
        tokens = _folded(tokenize(text)) if self._fold else tokenize(text)
        words = [t for t in tokens if t not in self._stopwords]
        return cjk_bigrams(self.stemmer.stemWords(words)) if words else []


def make_analyzer(language: str = "english") -> Callable[[str], list[str]]:
    """The analyzer of a catalog language (`AISLE_CATALOG_LANGUAGE`)."""
    if language == "english":
        return EnglishAnalyzer()
    return SnowballAnalyzer(language)
