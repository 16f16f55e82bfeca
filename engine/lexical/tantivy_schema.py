"""The tantivy schema of the embedded index and the product -> document conversion.

Text is analysed in Python (`engine.lexical.analysis`, the same steps as the OpenSearch analysers) when
a product is written, and stored as space-separated terms in fields tokenised on whitespace, so tantivy
indexes exactly our terms and scores them with its BM25 (k1 1.2, b 0.75, Lucene's IDF). Opening an index
reads tantivy's segments; nothing is re-tokenised.

Fields:
- `id` (raw, indexed): deletes, id sets, listing the ids of a match set (`Searcher.terms_with_prefix`);
  `key` (u64 fast): a 63-bit hash of the id, read from the fast field to name search hits without
  loading stored documents;
- `s_<field>` per searchable field (`SearchFields`), `ident` (normalised identifiers), `spell` (the
  searchable words as written, lowercased and unstemmed: typo tolerance compares what shoppers type
  with surface forms, since the stem of a misspelt word can be far from the stem of the right one);
  `joined` (the name's adjacent words written as one, analysed: `engine.lexical.joined`; absent from
  generations written before it: `Generation.joined_field`); `head` (the title's words before its first
  preposition, analysed: `engine.lexical.title_head`; absent before it: `Generation.head_field`);
- `brand`, `category_top`, `category_path`, `category_prefixes`, `availability` (raw, indexed): filters
  and facet counts; `attr` ("name\\x1fvalue") and `attr_name`: attribute filters and facets; the facet
  fields (`FACET_FIELDS`) are fast too, so one aggregation counts every facet of a set (absent from
  generations written before: `Generation.facet_fast`);
- `price` (f64 indexed + fast): range filters and price buckets; `price_up`/`price_down`: sort keys
  with a missing price last in either direction;
- `family` (raw, fast): the product's family (`Product.family`), counted per match set by a terms
  aggregation, whose cost follows the set's size where walking the family terms follows the catalog's
  (absent from generations written before it: `Generation.family_field`);
- `source` (stored bytes): the product as JSON, for `get`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from engine.errors import MissingDependency
from engine.lexical.field_names import attribute_slug
from engine.lexical.joined import JOINED_FIELD, joined_words
from engine.lexical.mapping import category_prefixes
from engine.lexical.matching import SearchFields
from engine.lexical.title_head import HEAD_FIELD, product_head
from engine.records import CATEGORY_SEPARATOR, Product, attribute_values

try:
    import tantivy
except ImportError as exc:  # pragma: no cover - tantivy is a core dependency
    raise MissingDependency("tantivy", "the embedded lexical index") from exc

ATTR_SEPARATOR = "\x1f"
FACET_FIELDS = ("brand", "category_top", "category_path", "availability", "attr")
NO_PRICE = 1e300
SCHEMA_VERSION = 2


def id_key(product_id: str) -> int:
    """The u64 fast-field key of a product id (63-bit blake2b; collisions are checked on write)."""
    return int.from_bytes(hashlib.blake2b(product_id.encode("utf-8"), digest_size=8).digest(), "big") >> 1


@lru_cache(maxsize=1024)
def field_name(search_field: str) -> str:
    """The tantivy field of a searchable field: "title" -> "s_title", "attr.Model No" -> "s_attr_model_no"
    (`engine.lexical.field_names`).
    Cached: every query names each searched field once per term."""
    return "s_" + attribute_slug(search_field)


def build_schema(fields: SearchFields) -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("key", fast=True)
    for name in fields.weights:
        builder.add_text_field(field_name(name), tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("ident", tokenizer_name="whitespace", index_option="basic")
    builder.add_text_field("spell", tokenizer_name="whitespace", index_option="basic")
    builder.add_text_field(JOINED_FIELD, tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field(HEAD_FIELD, tokenizer_name="whitespace", index_option="basic")
    builder.add_text_field("category_prefixes", tokenizer_name="raw", index_option="basic")
    for raw in FACET_FIELDS:  # fast too: one aggregation counts every facet of a set
        builder.add_text_field(raw, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_text_field("attr_name", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("family", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_float_field("price", indexed=True, fast=True)
    builder.add_float_field("price_up", fast=True)
    builder.add_float_field("price_down", fast=True)
    builder.add_bytes_field("source", stored=True)
    return builder.build()


def to_document(
    product: Product,
    fields: SearchFields,
    analyzer: Callable[[str], list[str]],
    family_field: bool = True,
    joined_field: bool = True,
    head_field: bool = True,
) -> Any:
    """The tantivy document of `product`; `family_field`, `joined_field`, `head_field`: the generation's
    schema has `family`, `joined`, `head` (generations written before them lack them)."""
    doc = tantivy.Document()
    doc.add_text("id", product.id)
    doc.add_unsigned("key", id_key(product.id))
    for name in fields.weights:
        terms = analyzer(fields.text(product, name))
        if terms:
            doc.add_text(field_name(name), " ".join(terms))
    spelling = fields.spelling(product)
    if spelling:
        doc.add_text("spell", spelling)
    joined = analyzer(" ".join(joined_words(product))) if joined_field else []
    if joined:
        doc.add_text(JOINED_FIELD, " ".join(joined))
    head = analyzer(product_head(product, fields.language)) if head_field else []
    if head:
        doc.add_text(HEAD_FIELD, " ".join(head))
    identifiers = fields.identifier_values(product)
    if identifiers:
        doc.add_text("ident", " ".join(identifiers))
    if product.brand:
        doc.add_text("brand", product.brand)
    for top in dict.fromkeys(path[0] for path in product.category_paths):
        doc.add_text("category_top", top)
    for path in product.category_paths:
        doc.add_text("category_path", CATEGORY_SEPARATOR.join(path))
        for prefix in category_prefixes(path):
            doc.add_text("category_prefixes", prefix)
    doc.add_text("availability", product.availability)
    for name, value in product.attributes.items():
        values = attribute_values(value)  # each of a list's: a product is in each value's facet
        for each in values:
            doc.add_text("attr", f"{name}{ATTR_SEPARATOR}{each}")
        if values:
            doc.add_text("attr_name", str(name))
    if family_field and product.family is not None:
        doc.add_text("family", product.family)
    if product.price is not None:
        doc.add_float("price", float(product.price))
    doc.add_float("price_up", NO_PRICE if product.price is None else float(product.price))
    doc.add_float("price_down", -NO_PRICE if product.price is None else float(product.price))
    doc.add_bytes("source", json.dumps(product.to_dict(), ensure_ascii=False).encode("utf-8"))
    return doc


def from_source(raw: bytes) -> Product:
    return Product.from_dict(json.loads(raw))
