"""The OpenSearch index definition for products, and the product <-> document conversion.

Why each field looks the way it does:

- `title`, `description`: full text with `aisle_english` (see `engine.lexical.analysis`); `title.raw`
  is the exact title as a keyword (sorting, exact match).
- `brand`: keyword for filters and facets; `brand.text` is the analysed form that search matches.
- `category`: the path's names as analysed text (search), with those of a product's further paths
  (`more_categories`, copied in). `category_prefixes` holds every prefix of every path joined with " > "
  ("Home", "Home > Kitchen", ...), so the prefix filter is one `term`; `category_path` (full paths) and
  `category_top` (first levels) are keywords for facets.
- `price`: `double`, so range filters compare exactly the numbers `Filters.matches` compares.
- `attributes`: a nested list of {name, value} keywords. Nested keeps the mapping fixed however many
  attribute names a catalog has (no mapping explosion), supports "name = any of values" filters and
  per-name facets (nested -> filter by name -> terms on value). `attributes_raw` keeps the original
  values (numbers stay numbers) for `get`, without indexing them.
- `attr_text.<name>`: the searchable attributes (`AISLE_SEARCH_FIELDS` attr.<name>) as analysed text,
  mapped by a dynamic template; `ident`: normalised identifiers (keyword); `spell`: the searchable words
  as written (lowercased, unstemmed) that typo tolerance compares with (`engine.lexical.matching`).
- The analyser follows the catalog language: `aisle_english` above, or standard tokenizer, lowercase, a
  possessive's "'s" removed (`aisle_possessive`: "Kellogg's" is "kellogg" in any language, as the embedded
  index reads it), our stop list and the language's Snowball stemmer (the algorithm PyStemmer runs in the
  embedded index; Turkish and Polish: their suffix rules, `engine.lexical.turkish` and
  `engine.lexical.polish`, as `pattern_replace` filters after `asciifolding`); every analyser ends with
  `cjk_bigram` (with unigrams) so CJK text is searchable. Before
  the tokenizer a decimal comma becomes a point, "×" an "x", "²" a "2", a full-width letter its ASCII one, a
  half-width katakana its full-width one, a Turkish "İ" an "i", an inch mark after a number the word
  "inch", and an ampersand between letters goes ("M&M's" is "MM's"; `aisle_decimal`, `aisle_signs`,
  `aisle_inch`, `aisle_ampersand`, as `engine.lexical.analysis.tokenize`); where accents do not matter,
  `asciifolding` follows lowercase.
- `image`: stored only. `dynamic: strict` rejects fields this module does not know about.
"""

from __future__ import annotations

from typing import Any

from engine.charset import HALF_WIDTH_KANA
from engine.lexical import czech, polish
from engine.lexical.analysis import (
    ACCENT_FREE_LANGUAGES,
    AMPERSAND,
    DECIMAL_COMMA,
    INCH,
    INCH_MARK,
    INITIALS_POINT,
    POSSESSIVE,
    SIGNS,
    SPACED_INITIALS,
    irregular_plural_rules,
    stopwords,
)
from engine.lexical.field_names import attribute_slug
from engine.lexical.joined import JOINED_FIELD, joined_words
from engine.lexical.matching import ATTRIBUTE_PREFIX, SearchFields
from engine.lexical.title_head import HEAD_FIELD, product_head
from engine.lexical.turkish import APOSTROPHE_SUFFIX, SUFFIX_RULES
from engine.records import CATEGORY_SEPARATOR, Product, attribute_values

ANALYZER = "aisle_english"
# 4: more_categories; 5: accents folded, decimal commas read as points; 6: joined; 7: head
MAPPING_VERSION = 7
# Lucene's names for the Snowball stemmers that give the stems PyStemmer gives in the embedded index:
# PyStemmer runs Snowball 3, whose German reads "ue" as "ü" (Lucene's German2; its German keeps
# "duebel" apart from "dübel") and whose Dutch is Kraaij-Pohlmann (Lucene's Kp; its Dutch differed on
# 26 of 80 shop words: "schroeven" -> "schroev" where Kp and PyStemmer give "schroef").
SNOWBALL_NAMES = {
    "german": "German2",
    "dutch": "Kp",
    "french": "French",
    "spanish": "Spanish",
    "italian": "Italian",
    "swedish": "Swedish",
    "danish": "Danish",
    "norwegian": "Norwegian",
    "portuguese": "Portuguese",
    "russian": "Russian",
}

_TEXT = {"type": "text", "analyzer": ANALYZER}
_KEYWORD = {"type": "keyword"}


def _escaped(sign: str, to: str) -> str:
    """A mapping char filter rule with both sides as escapes: a full-width "＝" maps to "=", which the
    rule syntax would otherwise read as part of its "=>". Either side may be several characters ("ｶﾞ")."""
    return f"{_escapes(sign)} => {_escapes(to)}"


def _escapes(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


# The languages stemmed by their own suffix rules (`engine.lexical.turkish`, `engine.lexical.polish`,
# `engine.lexical.czech`): (pattern, replacement) in order, each a pattern_replace filter.
RULE_STEMS = {
    "turkish": [(APOSTROPHE_SUFFIX, ""), *SUFFIX_RULES],
    "polish": list(polish.RULES),
    "czech": list(czech.RULES),
}


def _rule_stems(language: str, filters: dict[str, Any]) -> list[str]:
    """`language`'s suffix rules (`RULE_STEMS`) as pattern_replace filters added to `filters`; their
    names in order."""
    names = []
    for number, (pattern, replacement) in enumerate(RULE_STEMS[language]):
        name = f"aisle_{language}_{number}"
        filters[name] = {"type": "pattern_replace", "pattern": pattern, "replacement": replacement}
        names.append(name)
    return names


def analysis_settings(language: str = "english") -> dict[str, Any]:
    filters: dict[str, Any] = {
        "aisle_cjk": {"type": "cjk_bigram", "output_unigrams": True},
        "aisle_initials": {"type": "pattern_replace", "pattern": INITIALS_POINT, "replacement": ""},
    }
    if language == "english":
        filters.update(
            aisle_possessive={"type": "stemmer", "language": "possessive_english"},
            aisle_stop={"type": "stop", "stopwords": "_english_"},
            aisle_plurals={"type": "synonym", "synonyms": irregular_plural_rules()},
        )
        chain = [
            "aisle_possessive", "lowercase", "aisle_initials", "aisle_stop", "aisle_plurals", "porter_stem",
            "aisle_cjk",
        ]  # fmt: skip
    else:
        filters.update(
            aisle_possessive={"type": "pattern_replace", "pattern": POSSESSIVE.pattern, "replacement": ""},
            aisle_stop={"type": "stop", "stopwords": sorted(stopwords(language))},
        )
        if language in RULE_STEMS:
            stems = _rule_stems(language, filters)
        else:
            filters["aisle_stem"] = {"type": "snowball", "language": SNOWBALL_NAMES[language]}
            stems = ["aisle_stem"]
        chain = ["lowercase", "aisle_possessive", "aisle_initials", "aisle_stop", *stems, "aisle_cjk"]
    if language in ACCENT_FREE_LANGUAGES:
        chain.insert(chain.index("lowercase") + 1, "asciifolding")
    signs = [*SIGNS.items(), *HALF_WIDTH_KANA.items()]
    char_filters = {
        "aisle_decimal": {"type": "pattern_replace", "pattern": DECIMAL_COMMA.pattern, "replacement": "."},
        "aisle_signs": {"type": "mapping", "mappings": [_escaped(sign, to) for sign, to in signs]},
        "aisle_inch": {"type": "pattern_replace", "pattern": INCH_MARK.pattern, "replacement": INCH},
        "aisle_ampersand": {"type": "pattern_replace", "pattern": AMPERSAND, "replacement": ""},
        "aisle_spaced_initials": {
            "type": "pattern_replace",
            "pattern": SPACED_INITIALS,
            "replacement": "$1.",
        },
    }
    return {
        "filter": filters,
        "char_filter": char_filters,
        "analyzer": {
            ANALYZER: {
                "type": "custom",
                "char_filter": list(char_filters),
                "tokenizer": "standard",
                "filter": chain,
            },
            "aisle_spell": {"type": "custom", "tokenizer": "whitespace", "filter": []},
        },
    }


def mappings() -> dict[str, Any]:
    return {
        "dynamic": "strict",
        "_meta": {"aisle_mapping_version": MAPPING_VERSION},
        "dynamic_templates": [
            {"attr_text": {"path_match": "attr_text.*", "mapping": {"type": "text", "analyzer": ANALYZER}}}
        ],
        "properties": {
            "id": _KEYWORD,
            "title": {**_TEXT, "fields": {"raw": {"type": "keyword", "ignore_above": 1024}}},
            "description": _TEXT,
            "brand": {**_KEYWORD, "fields": {"text": _TEXT}},
            "category": _TEXT,
            "more_categories": {**_TEXT, "copy_to": "category"},
            "category_prefixes": _KEYWORD,
            "category_path": _KEYWORD,
            "category_top": _KEYWORD,
            "price": {"type": "double"},
            "currency": _KEYWORD,
            "availability": _KEYWORD,
            "attributes": {"type": "nested", "properties": {"name": _KEYWORD, "value": _KEYWORD}},
            "attributes_raw": {"type": "object", "enabled": False},
            "attr_text": {"type": "object", "dynamic": True},
            "ident": _KEYWORD,
            "spell": {"type": "text", "analyzer": "aisle_spell", "index_options": "docs", "norms": False},
            JOINED_FIELD: _TEXT,
            HEAD_FIELD: {**_TEXT, "index_options": "docs", "norms": False},
            "image": {"type": "keyword", "index": False, "doc_values": False},
            "popularity": {"type": "float"},
        },
    }


def missing_fields(live: dict[str, Any]) -> dict[str, Any]:
    """The top-level fields of `mappings()` that `live` (an index's mapping, as OpenSearch returns it)
    lacks: those a newer version writes into an index an older one made. Its mapping is strict, so a
    document naming one is refused until the field is added (`put_mapping` may add a field, never
    change one)."""
    have = live.get("properties", {})
    return {name: field for name, field in mappings()["properties"].items() if name not in have}


def attribute_field(name: str) -> str:
    """The `attr_text` sub-field of a searchable attribute ("attr.Model No" -> "attr_text.model_no")."""
    return "attr_text." + attribute_slug(name[len(ATTRIBUTE_PREFIX) :])


def index_body(shards: int = 1, replicas: int = 0, language: str = "english") -> dict[str, Any]:
    """Settings and mappings for a new physical product index."""
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas},
            "analysis": analysis_settings(language),
        },
        "mappings": mappings(),
    }


def category_prefixes(category: tuple[str, ...]) -> list[str]:
    return [CATEGORY_SEPARATOR.join(category[: i + 1]) for i in range(len(category))]


def to_document(product: Product, fields: SearchFields | None = None) -> dict[str, Any]:
    """The indexed form of a product; `_id` is the product id."""
    fields = fields or SearchFields()
    attr_text = {
        attribute_field(name)[len("attr_text.") :]: text
        for name in fields.weights
        if name.startswith(ATTRIBUTE_PREFIX) and (text := fields.text(product, name))
    }
    paths = product.category_paths
    more = {"more_categories": [list(p) for p in product.more_categories]} if product.more_categories else {}
    return more | {
        "attr_text": attr_text,
        "ident": fields.identifier_values(product),
        "spell": fields.spelling(product),
        JOINED_FIELD: joined_words(product),
        HEAD_FIELD: product_head(product, fields.language),
        "id": product.id,
        "title": product.title,
        "description": product.description,
        "brand": product.brand,
        "category": list(product.category),
        "category_prefixes": [prefix for path in paths for prefix in category_prefixes(path)],
        "category_path": [CATEGORY_SEPARATOR.join(path) for path in paths] or None,
        "category_top": list(dict.fromkeys(path[0] for path in paths)) or None,
        "price": product.price,
        "currency": product.currency,
        "availability": product.availability,
        # A missing value and None read the same way in `Filters.matches` ("None"); index neither.
        "attributes": [
            {"name": str(k), "value": v}
            for k, value in product.attributes.items()
            for v in attribute_values(value)
        ],
        "attributes_raw": dict(product.attributes),
        "image": product.image,
        "popularity": product.popularity,
    }


def from_document(source: dict[str, Any]) -> Product:
    """Inverse of `to_document`: the product's own fields, read (with their defaults) by
    `Product.from_dict`; the attributes come from `attributes_raw`, the indexed ones are name/value
    pairs for filtering."""
    return Product.from_dict(
        {**source, "title": source.get("title") or "", "attributes": source.get("attributes_raw")}
    )
