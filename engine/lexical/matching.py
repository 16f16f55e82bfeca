"""What a query matches, defined once for both lexical backends.

A product matches a query lexically when

- enough of the query's words occur in its searchable fields: every word for one or two words, all but
  one for three or four, 75% (rounded up) from five (`required_matches`), where a word may be misspelt
  by up to one edit when it has 4-7 characters and two from 8 (`typo_distance`; never for words with a
  digit, which are numbers, sizes and model numbers). A word matches exactly through its analysed
  (stemmed) terms, or with typos against the words as written in the product (`SearchFields.spelling`), or
- in a catalog whose language writes compounds as one word (German, Dutch: `COMPOUNDING_LANGUAGES`), a
  word also matches the words as written that end with it, or with its stem, after at least
  `MIN_COMPOUND_MODIFIER` more letters (`compound_ends`): "weegschaal" finds "Keukenweegschaal",
  "hout" finds "eikenhout", "Schrauber" finds "Bohrschrauber"; or
- the query, or one whitespace-separated part of it, equals one of its identifiers (the id and the
  attributes named in `AISLE_IDENTIFIER_FIELDS`) once case, spaces and dashes are removed
  (`normalize_identifier`): "978-0-14-143951-8" finds ISBN "9780141439518", and "DM-0761" the model
  "KAI Shun DM-0761" (`model_number_parts`).

With `prefix_last` (the search API's default, as in search-as-you-type boxes) the query's last word also
matches as the beginning of a word as written in the product ("hobb" finds "Hobbit"; a query of one
word from `MIN_PREFIX_CHARS` characters, so "a" does not match everything), and the query's trailing
parts as the beginning of an identifier (from `MIN_IDENTIFIER_PREFIX_CHARS` normalised characters:
"dcd791" finds model "DCD791D2").

A query also matches as its other readings (`engine.lexical.readings`): a multi-word synonym entry in it
as each other entry of its set, and two adjacent words as one ("fire pit" also matches "firepit").

The search pipeline adds the products whose dense similarity clears a threshold, and, when those and the
lexical matches are few, those that share at least one query word (`NEAR_WORDS`, each word matched as
above) and clear a looser one (`engine.pipeline.matchset`, docs/relevance.md). Which fields are
searchable, with which weights, and the catalog's language come from the settings (`SearchFields`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.charset import fold_diacritics, narrowed
from engine.errors import ConfigError
from engine.feed_values import attribute_words
from engine.lexical.analysis import is_cjk, tokenize
from engine.lexical.isbn import other_forms
from engine.lexical.spelling import spelling
from engine.records import VARIANT_ATTRIBUTE, Filters, Product

if TYPE_CHECKING:
    from engine.config import Settings

PLAIN_FIELDS = ("title", "description", "brand", "category")
DEFAULT_WEIGHTS = {"title": 3.0, "description": 1.0, "brand": 2.0, "category": 1.0, "attr.variant": 2.0}
DEFAULT_IDENTIFIERS = ("sku", "isbn", "gtin", "ean", "ean13", "jan", "upc", "barcode", "mpn", "model")
ATTRIBUTE_PREFIX = "attr."
_IDENTIFIER_NOISE = re.compile(r"[\s\-_./]+")
MIN_PREFIX_CHARS = 3
MIN_IDENTIFIER_PREFIX_CHARS = 5
# At most this many products a query names by an exact identifier lead its answer (`MemberHits.identified`):
# an identifier names one product or a handful (variants sharing a model number).
IDENTIFIED_LIMIT = 10
# Query words a `MatchQuery.near_ids` product must match at any query length (its similarity does the rest)
NEAR_WORDS = 1


@dataclass(frozen=True)
class MatchQuery:
    """The set of products a search is about: those matching `text` lexically (None = every product),
    plus `also_ids` (semantic matches), plus those of `near_ids` (close in meaning, below the semantic
    threshold) that share a word with `text`, all passing `filters`."""

    text: str | None = None
    filters: Filters | None = None
    also_ids: frozenset[str] = frozenset()
    lexical: bool = True  # False: only `also_ids` (a dense-only search)
    prefix_last: bool = False  # the last word may be the beginning of a word (search as you type)
    near_ids: frozenset[str] = frozenset()
    typos: bool = True  # False: words match exactly only (a suggestion prefers such readings)
    every_word: bool = False  # True: every word (unit) of `text`, no minimum-should-match relaxing
    head: bool | None = None  # True/False: only members whose title head has/lacks every word (title_head)


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: its analysed terms (usually one; CJK runs give bigrams) and allowed typos."""

    word: str
    terms: tuple[str, ...]
    typos: int
    # Synonyms: (text, analysed terms) of each equivalent entry; a phrase needs all its terms.
    alternatives: tuple[tuple[str, tuple[str, ...]], ...] = ()
    prefix: bool = False  # also matches words that begin with `word` (the last word, as you type)
    joined: bool = False  # may be a name the catalog writes apart (`engine.lexical.joined`)


def required_matches(words: int) -> int:
    """How many of a query's words a product must match (minimum-should-match)."""
    if words <= 2:
        return words
    if words <= 4:
        return words - 1
    return math.ceil(0.75 * words)


def typo_distance(word: str) -> int:
    """Edits allowed for a query word: 0 below 4 characters or with a digit, 1 up to 7, 2 from 8."""
    if any(c.isdigit() for c in word) or len(word) < 4:
        return 0
    return 1 if len(word) <= 7 else 2


# Languages writing a compound as one word whose last part names the thing ("Keukenweegschaal": a kitchen
# scale). Matching a word as such an end needs no dictionary; the modifier's minimum length keeps "pan"
# from "span", but a word can end another by chance ("rot" ends "Vollkornbrot"), at a correction's score.
COMPOUNDING_LANGUAGES = frozenset({"german", "dutch", "swedish", "danish", "norwegian"})
MIN_COMPOUND_MODIFIER = 3
MIN_COMPOUND_HEAD = 3


def compound_ends(word: QueryWord, language: str) -> tuple[str, ...]:
    """The endings a compound holding `word` as its last part has among the words as written (folded
    like `SearchFields.spelling`): the word as typed and its stem ("pannen" -> "pannen", "pan"); none
    outside `COMPOUNDING_LANGUAGES`, for CJK, numbers and words under `MIN_COMPOUND_HEAD` letters."""
    digits = any(c.isdigit() for c in word.word)
    if language not in COMPOUNDING_LANGUAGES or len(word.terms) != 1 or is_cjk(word.word) or digits:
        return ()
    forms = dict.fromkeys(fold_diacritics(form) for form in (word.word, word.terms[0]))
    return tuple(form for form in forms if len(form) >= MIN_COMPOUND_HEAD)


# Raised when products are written into the lexical index differently; older ones are re-analysed. 9: full
# width, 10: inches, 11: kana, 12-13: initials, 14: "&", "'", 15: "No.4", 16: "5w30" joined, 17: "ё", 18:
# "İ", "ı" and stems spelt, 19: not in the compounding languages, 20: "ł", "ø", "æ", "ß", 21: the head,
# 22: the variant in the head.
ANALYSIS_VERSION = 22


def normalize_identifier(value: object) -> str:
    """Case, spaces and dashes do not count in identifiers: "ISBN 978-0-14" -> "isbn978014"."""
    return _IDENTIFIER_NOISE.sub("", narrowed(str(value))).lower()


def model_number_parts(value: str, max_parts: int = 8) -> list[str]:
    """The runs of whitespace-separated parts of an identifier written in several parts that hold a
    letter and a digit, normalised: a feed's model "KAI Shun DM-0761" is also "dm0761" and
    "shundm0761", since shoppers type a model number without the brand or series before it. Runs of
    digits alone are left out (the parts of an EAN written "8 700000 000018" name nothing)."""
    parts = value.split()
    if not 2 <= len(parts) <= max_parts:
        return []
    runs = (" ".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))
    forms = dict.fromkeys(normalize_identifier(run) for run in runs)
    return [f for f in forms if len(f) >= 4 and any(c.isdigit() for c in f) and any(c.isalpha() for c in f)]


def spell_forms(word: str) -> tuple[str, ...]:
    """The forms of a query word looked up among the words as written (the `spell` field, for typos
    and unfinished words): without accents, as `SearchFields.spelling` writes them, and as typed where
    that differs, for an index written before spellings lost their accents."""
    folded = fold_diacritics(word)
    return (folded,) if folded == word else (folded, word)


def query_words(
    text: str,
    analyzer: Callable[[str], list[str]],
    synonyms: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] | None = None,
    prefix_last: bool = False,
    typos: bool = True,
) -> list[QueryWord]:
    """The query's distinct words with their analysed terms; stop words (no terms) are left out.
    `typos=False` allows no misspelling in any word.

    A CJK run gives one word per bigram, the rule's one unit matched by most of them (`sizes.unit_needs`):
    "吾輩は猫" does not match every text holding one of its characters, nor "ステンレス 鍋" any steel.
    With `prefix_last`, the last token is marked `prefix` unless it is CJK or a stop word (a trailing
    "for" would otherwise become a required word), or is shorter than `MIN_PREFIX_CHARS` and alone or
    holding a digit ("a" alone would match nearly everything, and "pvc 4" means size 4, not 40 or 48;
    "scratching p" is narrowed by its other word).
    """
    words: list[QueryWord] = []
    seen: set[tuple[str, ...]] = set()
    tokens = tokenize(text)
    for position, token in enumerate(tokens):
        last = position == len(tokens) - 1
        prefix = prefix_last and last and _may_be_unfinished(token, alone=len(tokens) == 1)
        groups: list[tuple[str, ...]]
        if len(token) > 1 and is_cjk(token):
            groups = [(token[i : i + 2],) for i in range(len(token) - 1)]
        else:
            groups = [tuple(dict.fromkeys(analyzer(token)))]
        for terms in groups:
            if not terms or (terms in seen and not prefix):
                continue
            if terms in seen:  # the unfinished last word replaces its earlier twin
                words = [w for w in words if w.terms != terms]
            seen.add(terms)
            allowed = typo_distance(token) if typos and len(groups) == 1 else 0
            alternatives = synonyms.get(terms[0], ()) if synonyms and len(terms) == 1 else ()
            words.append(QueryWord(token, terms, allowed, alternatives, prefix))
    return words


def _may_be_unfinished(token: str, alone: bool) -> bool:
    """Whether the last token may be the beginning of a word: not CJK, and from `MIN_PREFIX_CHARS`
    characters when it is the only word or holds a digit (a stop word has no terms and drops out)."""
    short = len(token) < MIN_PREFIX_CHARS and (alone or any(c.isdigit() for c in token))
    return not short and not is_cjk(token)


def identifier_prefixes(text: str, max_parts: int = 8) -> list[str]:
    """Normalised forms the end of a query may be the beginning of an identifier in: every run of
    parts ending with the last one ("drill DCD791" -> "dcd791", "drilldcd791"), from
    `MIN_IDENTIFIER_PREFIX_CHARS` characters."""
    parts = text.split()[-max_parts:]
    runs = (" ".join(parts[i:]) for i in range(len(parts)))
    return [
        n
        for n in dict.fromkeys(normalize_identifier(r) for r in runs)
        if len(n) >= MIN_IDENTIFIER_PREFIX_CHARS
    ]


def identifier_candidates(text: str, max_parts: int = 8) -> list[str]:
    """Normalised forms a query may be an identifier in: every run of consecutive whitespace-separated
    parts ("ISBN 978 0 14 143951 8" holds "9780141439518"), for queries of up to `max_parts` parts."""
    parts = text.split()
    if len(parts) > max_parts:
        parts = [text]
    runs = (" ".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))
    return [n for n in dict.fromkeys(normalize_identifier(r) for r in runs) if len(n) >= 3]


@dataclass(frozen=True)
class SearchFields:
    """Searchable fields with their weights, identifier attributes and the catalog language."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    identifiers: tuple[str, ...] = DEFAULT_IDENTIFIERS
    language: str = "english"

    def __post_init__(self) -> None:
        for name, weight in self.weights.items():
            attribute = name[len(ATTRIBUTE_PREFIX) :] if name.startswith(ATTRIBUTE_PREFIX) else None
            if name not in PLAIN_FIELDS and not (attribute and attribute.strip()):
                known = ", ".join(PLAIN_FIELDS)
                raise ConfigError(f"AISLE_SEARCH_FIELDS: unknown field {name!r}; use {known} or attr.<name>")
            if not weight > 0:
                raise ConfigError(f"AISLE_SEARCH_FIELDS: the weight of {name!r} must be > 0, got {weight}")
        if not self.weights:
            raise ConfigError("AISLE_SEARCH_FIELDS: at least one searchable field is needed")

    @classmethod
    def from_settings(cls, settings: Settings) -> SearchFields:
        return cls(dict(settings.search_fields), tuple(settings.identifier_fields), settings.catalog_language)

    def analysis(self) -> str:
        """What decides how products are written into the lexical index (the fields searched, the
        identifier attributes, the language, and `ANALYSIS_VERSION`), as one string; weights are read
        at query time."""
        return json.dumps([sorted(self.weights), sorted(self.identifiers), self.language, ANALYSIS_VERSION])

    def text(self, product: Product, name: str) -> str:
        """The text of one searchable field of `product` ("" when it has none)."""
        if name == "title":
            return product.title
        if name == "description":
            return product.description
        if name == "brand":
            return product.brand
        if name == "category":
            return " ".join(part for path in product.category_paths for part in path)
        attribute = name[len(ATTRIBUTE_PREFIX) :]
        value = product.variant if attribute == VARIANT_ATTRIBUTE else product.attributes.get(attribute)
        return attribute_words(attribute, value)  # a yes/no by its name: "vegan" for `vegan: Yes`

    def spelling(self, product: Product) -> str:
        """The searchable words as written, and their stems outside English and the compounding
        languages (`engine.lexical.spelling`)."""
        stems = self.language != "english" and self.language not in COMPOUNDING_LANGUAGES
        return spelling((self.text(product, name) for name in self.weights), self.language, stems)

    def identifier_names(self) -> frozenset[str]:
        """The identifier attributes, lower-cased: an attribute is one whatever the case it is written in."""
        return frozenset(name.lower() for name in self.identifiers)

    def identifier_values(self, product: Product) -> list[str]:
        """Normalised identifiers of `product`: its id and the identifier attributes it has."""
        values = [product.id]
        wanted = self.identifier_names()
        for name, value in product.attributes.items():
            if str(name).lower() in wanted and value is not None:
                values.extend(map(str, value) if isinstance(value, list | tuple) else [str(value)])
        forms = [normalize_identifier(v) for v in values]
        forms += [other for form in forms for other in other_forms(form)]  # a book's ISBN-10 and -13
        forms += [part for value in values for part in model_number_parts(value)]
        return [n for n in dict.fromkeys(forms) if n]
