"""`indexer check FILE`: what the engine would read from a catalog file, without writing anything.

A shop preparing its export runs it before the first build, and again after changing the export or the
feed settings (`AISLE_CATALOG_COLUMNS`, `AISLE_CATALOG_ENCODING`, `AISLE_CURRENCY`): how many records
are valid, every bad one by line, how often each field is filled, which attributes the products carry
and whether a search reads them (identifier or searchable attribute, or neither; an attribute not read
whose values look like codes, one per product, is named with the setting that matches it exactly: a
PrestaShop "Reference" or "EAN13" the shopper types into the search box; those not read whose values
are words, such as a bookshop's author, are named with the search setting; an export's variant options
are read as its variant), identifier values a spreadsheet rounded ("9.78315E+12": the ISBN's digits are
gone), the currencies, the products filed under several category paths (and those whose one path reads
like a list of paths, with the setting that would split them), fields holding ids where names are
meant (Shopware's categories and properties, with the setting naming them), the price buckets the
build would choose, and the first valid product as the index would store it. It reads the file only: no model
server, no index, so it runs where the export is made.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.feed_values import availability_of_flag, written_amount
from engine.lexical.facets import price_buckets, price_edges_of
from engine.lexical.matching import ATTRIBUTE_PREFIX, SearchFields
from engine.product_schema import STOCK, Limits
from engine.records import FAMILY_ATTRIBUTE, VARIANT_ATTRIBUTE, VARIANT_FIELDS, Product, attribute_text
from engine.schema_checks import DEFAULT_CURRENCY
from engine.schema_sale import REGULAR_PRICE, SALE_ATTRIBUTES, SALE_ENDS, SALE_STARTS, SCHEDULED_SALE_PRICE
from indexer.code_values import plain_number, reads_like_identifiers
from indexer.hints import (
    export_notes,
    lists_values,
    lists_variants,
    reads_like_paths,
    repeated_ids,
    row_type_column,
    row_type_note,
    says_yes_or_no,
    shared_root,
    tracking_column,
    tracking_note,
    writes_pairs,
)
from indexer.language_hint import catalog_language, language_note
from indexer.loading import load_catalog
from indexer.named_ids import id_columns, ids_note
from indexer.problems import BadRecords, Problem, refuse_bad
from indexer.readers import FeedFormat
from indexer.rounded import rounded_identifiers, rounded_note
from indexer.variant_ids import family_ids_note

_FIELDS = ("title", "description", "brand", "category", "price", "image")
NOT_SEARCHED, VARIANT_OPTION = "not searched", "searched as the variant"
HINTED = 6  # attributes a search-field hint names, most varied first
_SALE_KEPT = {REGULAR_PRICE: "price before the sale", SALE_ENDS: "when the sale ends"}
_SALE_KEPT |= {SALE_STARTS: "when the sale starts", SCHEDULED_SALE_PRICE: "the sale's price from its start"}
LIKE_IDENTIFIER = "not searched, reads like an identifier"


@dataclass
class CatalogCheck:
    """The summary `indexer check` prints (or writes as JSON)."""

    source: str
    valid: int
    problems: list[Problem]
    fields: dict[str, int] = field(default_factory=dict)  # products with each schema field filled
    availability: dict[str, int] = field(default_factory=dict)
    currencies: dict[str, int] = field(default_factory=dict)
    attributes: dict[str, tuple[int, str]] = field(default_factory=dict)  # name -> (products, how read)
    price_buckets: list[str] = field(default_factory=list)
    first: dict[str, Any] | None = None
    unpublished: int = 0  # records a build leaves out: the shop does not show them
    several_categories: int = 0  # products filed under more than one category path
    listed_categories: int = 0  # products whose one path reads like a list of paths ("A > B, C > D")
    identifiers: list[str] = field(default_factory=list)  # the attributes matched as identifiers now
    # Attributes not searched whose values are words, most distinct values first: what the hint names.
    wordy: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # yes/no attributes not searched: searched by name
    # Attributes not searched holding one value in every product: a shop system's bookkeeping, as a rule.
    constant: list[str] = field(default_factory=list)
    # Attributes whose cells list values ("Vegan, Lactosevrij" where another product has "Lactosevrij").
    listed: list[str] = field(default_factory=list)
    # Identifier values a spreadsheet rounded ("9.78315E+12"): attribute -> (how many, first product id).
    rounded: dict[str, tuple[int, str]] = field(default_factory=dict)
    other_views: dict[str, int] = field(default_factory=dict)  # store view -> its rows, not read
    root: str | None = None  # the first level every category path shares (Magento's "Default Category")
    paired: list[str] = field(default_factory=list)  # attributes whose cells write "name=value" pairs
    variants: list[str] = field(default_factory=list)  # attributes listing a family's variants by sku
    row_type: str | None = None  # the attribute saying "Product" on every product (BigCommerce's Item Type)
    tracking: str | None = None  # the attribute saying how stock is tracked (BigCommerce's Track Inventory)
    id_columns: list[str] = field(default_factory=list)  # fields holding ids only (Shopware's categories)
    unnamed: dict[str, int] = field(default_factory=dict)  # field -> ids no names file names
    family_ids: list[str] = field(default_factory=list)  # ids made for a family's rows without one
    language: str | None = None  # the catalog language its words read as (`indexer.language_hint`)
    language_set: str = "english"  # AISLE_CATALOG_LANGUAGE
    currency_set: bool = True  # AISLE_CURRENCY given: else a price naming no currency reads as USD

    @property
    def build_refusal(self) -> str | None:
        """Why `indexer build` (default `--max-bad`) would publish nothing from this file, or None."""
        try:
            refuse_bad(self.problems, self.valid, strict=False)
        except BadRecords as refused:
            return f"{len(self.problems)} {refused.what}"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "valid": self.valid,
            "unpublished": self.unpublished,
            "bad": [{"line": p.line, "message": p.message} for p in self.problems],
            "build_refusal": self.build_refusal,
            "fields": self.fields,
            "availability": self.availability,
            "currencies": self.currencies,
            "attributes": {name: {"products": n, "read": how} for name, (n, how) in self.attributes.items()},
            "price_buckets": self.price_buckets,
            "first": self.first,
            "several_categories": self.several_categories,
            "listed_categories": self.listed_categories,
            "constant_attributes": self.constant,
            "listed_attributes": self.listed,
            "yes_no_attributes": self.flags,
            "other_store_views": self.other_views,
            "category_root": self.root,
            "pair_attributes": self.paired,
            "variant_lists": self.variants,
            "row_type": self.row_type,
            "inventory_tracking": self.tracking,
            "id_columns": self.id_columns,
            "unnamed_ids": self.unnamed,
            "ids_from_families": len(self.family_ids),
            "reads_as_language": self.language,
            "rounded_identifiers": {
                name: {"values": n, "first": pid} for name, (n, pid) in self.rounded.items()
            },
        }


def check_catalog(path: Path, limits: Limits, feed: FeedFormat, search: SearchFields) -> CatalogCheck:
    """Read and validate `path` as `build` would (`InvalidInput` when the file itself is unusable)."""
    loaded = load_catalog(path, limits, feed)
    products = loaded.products
    report = CatalogCheck(str(path), len(products), loaded.problems, unpublished=len(loaded.unpublished))
    report.identifiers = list(search.identifiers)
    report.fields = {name: sum(1 for p in products if _filled(p, name)) for name in _FIELDS}
    report.availability = dict(Counter(p.availability for p in products).most_common())
    report.currencies = dict(Counter(p.currency for p in products if p.price is not None).most_common())
    values: dict[str, list[str]] = {}
    options: Counter[str] = Counter()  # per attribute: products whose variant its value is part of
    lists: set[str] = set()  # attributes read as lists already (`AISLE_LIST_ATTRIBUTES`)
    for product in products:
        parts = set((product.variant or "").split(" / "))
        for name, value in product.attributes.items():
            if isinstance(value, list):
                lists.add(name)
            text = attribute_text(value).strip()
            values.setdefault(name, []).append(text)
            options[name] += int(text in parts and name != VARIANT_ATTRIBUTE)
    names = Counter({name: len(given) for name, given in values.items()})
    report.attributes = {name: (n, _how(name, values[name], search)) for name, n in names.most_common()}
    if f"{ATTRIBUTE_PREFIX}{VARIANT_ATTRIBUTE}" in search.weights:  # a shop export's option, in the variant
        for name, (n, how) in report.attributes.items():
            if how in (NOT_SEARCHED, LIKE_IDENTIFIER) and options[name] == n:
                report.attributes[name] = (n, VARIANT_OPTION)
    read = {name: how for name, (_, how) in report.attributes.items()}
    unsearched = [name for name, how in read.items() if how == NOT_SEARCHED]
    report.paired = [name for name, given in values.items() if writes_pairs(given)]
    report.variants = [name for name, given in values.items() if lists_variants(given)]
    report.id_columns, report.unnamed = id_columns(products), dict(loaded.unnamed)
    report.family_ids = loaded.family_ids
    written_apart = report.paired + report.variants + report.id_columns
    report.wordy = _wordy([n for n in unsearched if n not in written_apart], values)
    report.flags = [name for name in unsearched if says_yes_or_no(values[name], len(products))]
    everywhere = [name for name, how in read.items() if how == NOT_SEARCHED and names[name] == len(products)]
    constant = [name for name in everywhere if len(products) > 1 and len(set(values[name])) == 1]
    report.row_type = row_type_column(constant, values, [p.message for p in report.problems])
    report.constant = [name for name in constant if name != report.row_type]
    report.tracking = tracking_column(values)
    report.listed = [name for name, given in values.items() if name not in lists and lists_values(given)]
    report.rounded = rounded_identifiers(products, search.identifier_names())
    edges = price_edges_of(p.price for p in products)
    report.price_buckets = [label for label, _, _ in price_buckets(edges)]
    report.first = products[0].to_dict() if products else None
    report.several_categories = sum(1 for p in products if p.more_categories)
    report.listed_categories = sum(1 for p in products if reads_like_paths(p.category))
    report.other_views = dict(loaded.other_views)
    report.root = shared_root(products)
    report.language, report.language_set = catalog_language(products), search.language
    return report


def _wordy(names: list[str], values: dict[str, list[str]]) -> list[str]:
    """Of `names`, the attributes a shopper could type words of (an author, a material, a shop's tags):
    at least two distinct values with letters, none of them a yes/no, a web address, an amount or a
    size (attributes whose values read like codes are named as identifiers instead); most distinct
    values first, so the hint names an author before a language."""
    counts = {}
    for name in names:
        distinct = set(values[name])
        if len(distinct) >= 2 and all(_a_word(v) for v in distinct):
            counts[name] = len(distinct)
    return sorted(counts, key=lambda name: -counts[name])


def _a_word(value: str) -> bool:
    # a yes/no as feeds write it (`availability_of_flag` reads it as one), a web address, no letter
    if availability_of_flag(value) is not None or "://" in value or not any(c.isalpha() for c in value):
        return False
    return not (written_amount(value) or plain_number(value))


def _filled(product: Product, name: str) -> bool:
    value = getattr(product, name)
    return value is not None and value != "" and value != ()


def _how(attribute: str, values: list[str], search: SearchFields) -> str:
    """How a search reads an attribute: as an identifier, as searchable text, or not at all (saying
    when its values read like identifiers)."""
    if attribute in (STOCK, *SALE_ATTRIBUTES):
        return "stock count" if attribute == STOCK else _SALE_KEPT[attribute]
    if attribute == FAMILY_ATTRIBUTE:
        return "family"
    if attribute.lower() in search.identifier_names():
        return "identifier"
    if f"{ATTRIBUTE_PREFIX}{attribute}" in search.weights:
        return "searchable"
    if attribute.lower() in VARIANT_FIELDS and f"{ATTRIBUTE_PREFIX}{VARIANT_ATTRIBUTE}" in search.weights:
        return VARIANT_OPTION  # `Product.variant`
    return LIKE_IDENTIFIER if reads_like_identifiers(values) else NOT_SEARCHED


def print_check(report: CatalogCheck) -> None:
    """The summary as lines for a person."""
    hidden = f", {report.unpublished} not published (left out)" if report.unpublished else ""
    print(f"{report.source}: {report.valid} valid products, {len(report.problems)} bad records{hidden}")
    refusal = report.build_refusal
    if refusal is not None:
        print(f"              (a build publishes nothing from this file: {refusal}; fix the lines below")
        print("              first, or give `indexer build` a higher --max-bad)")
    print("fields:       " + ", ".join(f"{name} {n}" for name, n in report.fields.items()))
    print("availability: " + ", ".join(f"{name} {n}" for name, n in report.availability.items()))
    print("currencies:   " + (", ".join(f"{c} {n}" for c, n in report.currencies.items()) or "no prices"))
    if not report.currency_set and DEFAULT_CURRENCY in report.currencies:  # Heureka's feed names none
        print(
            f"              (AISLE_CURRENCY is unset: a price naming no currency reads as {DEFAULT_CURRENCY};"
        )
        print("              set the shop's, as AISLE_CURRENCY=CZK)")
    attributes = [f"{name} {n} ({how})" for name, (n, how) in report.attributes.items()]
    print("attributes:   " + (", ".join(attributes) or "none"))
    codes = [name for name, (_, how) in report.attributes.items() if how == LIKE_IDENTIFIER]
    if codes:
        named = json.dumps([*report.identifiers, *codes], ensure_ascii=False)
        by = " or ".join(codes)
        print(f"              (to find a product by its {by}: AISLE_IDENTIFIER_FIELDS='{named}')")
    if report.wordy:
        named = ", ".join(f'"attr.{name}": 1' for name in report.wordy[:HINTED])
        print(f"              (to search what a shopper types of them, add {named} to AISLE_SEARCH_FIELDS)")
    pad = " " * 14
    if report.flags:
        named = ", ".join(f'"attr.{name}": 1' for name in report.flags[:HINTED])
        print(f'{pad}(yes/no, found by name where yes, "vegan shampoo": add {named} to AISLE_SEARCH_FIELDS)')
    if report.constant:
        named = json.dumps(dict.fromkeys(report.constant), ensure_ascii=False)
        print(f"{pad}(one value in every product: {', '.join(report.constant)}; a shop system's")
        print(f"{pad}bookkeeping as a rule, left out when AISLE_CATALOG_COLUMNS maps it to null: {named})")
    if report.listed:
        named = json.dumps(report.listed, ensure_ascii=False)
        print(f'{pad}(cells listing values, "A, B": {", ".join(report.listed)}; to count each in its facet')
        print(f"{pad}and match a filter on any: AISLE_LIST_ATTRIBUTES='{named}')")
    for name, (count, first) in report.rounded.items():
        print(f"identifiers:  {rounded_note(name, count, first)}")
    if report.several_categories:
        print(f"categories:   {report.several_categories} products filed under several paths")
    if report.listed_categories:
        print(f"categories:   {report.listed_categories} products have a category that reads like several "
              "paths (a level holds ', ': \"Hund > Reisen, Katze > Reisen\"); if the export lists paths "
              "so, as WooCommerce's does, set AISLE_CATEGORY_LISTS=', '")  # fmt: skip
    repeated = repeated_ids([p.message for p in report.problems], report.valid)
    notes = export_notes(report.paired, report.variants, repeated, report.root, report.other_views)
    notes += ids_note(report.id_columns, report.unnamed) + family_ids_note(report.family_ids)
    notes += language_note(report.language, report.language_set)
    for line in notes + row_type_note(report.row_type) + tracking_note(report.tracking):
        print(line)
    print("price facet:  " + " ".join(report.price_buckets))
    if report.first is not None:
        print("first product, as stored: " + json.dumps(report.first, ensure_ascii=False, sort_keys=True))
