"""Variants that leave their family's fields to the family's first row, as shop exports write them.

WooCommerce's product CSV writes a variable product as one row and each variation as a row of its own
whose `Parent` is `id:101` and whose description, categories, brand and images are empty; Shopify's writes
one row per variant sharing the product's `Handle`, with the title, description, vendor and type only on
the first. Read as they come, the variations have no brand or category (facets and category filters miss
them) and no description (their words do not find them).

A record's `group` field (the export's column mapped to it with `AISLE_CATALOG_COLUMNS`: WooCommerce's
`Parent`, Shopify's `Handle`; a Google feed's `item_group_id` is read as it) names its family: the product
with that id (`id:101` is WooCommerce's way of writing the id 101) unless that product is of another family,
or else the first product of the file with that group. Each field a record leaves empty among `INHERITED` is
taken from that product, so a variation is found, filtered and counted like its family. So is each attribute
it leaves empty (Shopify writes `Type` and `Tags` on a product's first row only; WooCommerce's variation
takes its parent's weight and shipping class), so a filter on one keeps every size, except those naming the
variant itself: an identifier (a GTIN must find one product), its stock, its price before a sale, its
options, and Shopify's per-variant columns (`Variant Grams`). Its id and availability stay its own, and so
does its price where it gives one; a variant giving none (Shopware 6 leaves a variant's price empty when it
is its product's) has its family's price, with the family's sale. The family's product must come earlier in
the same file (both exports write it first); otherwise the record is read as it is. A family's product
without a price of its own (WooCommerce's variable product) takes the lowest of its variants'.

`group` stays on the record as an attribute holding the family's key, which a search shows once
(`engine.pipeline.distinct`): a family named by its product's id (WooCommerce's `id:101`) is keyed by
that id (101), and that product, which names no family itself, is given it, so a variable product and
its variations are one family; a family named by a value they all carry (Shopify's `Handle`, Google's
`item_group_id`) is keyed by that value.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from engine.product_schema import SALE_ATTRIBUTES, SALE_FIELDS, STOCK
from engine.records import FAMILY_ATTRIBUTE, VARIANT_ATTRIBUTE, Product
from engine.schema_checks import missing

GROUP = FAMILY_ATTRIBUTE
INHERITED = ("title", "description", "brand", "category", "image")
# Attributes a variant never takes from its family's product (besides identifiers and its options).
OWN = frozenset(name.lower() for name in (GROUP, VARIANT_ATTRIBUTE, STOCK, *SALE_ATTRIBUTES))
_PER_VARIANT = "variant "  # Shopify's per-variant columns: "Variant Grams", "Variant Inventory Policy"
_ID_PREFIX = "id:"
IN_STOCK = "in_stock"
_PRICED = ("price", *SALE_FIELDS)  # a variant giving none of them has its family's price


class Families:
    """The products read so far by id and by group, to complete the variants that follow them."""

    def __init__(self) -> None:
        self._by_id: dict[str, Product] = {}
        self._by_group: dict[str, Product] = {}
        self._hidden: set[str] = set()  # ids and groups of families the shop does not show
        self._lowest: dict[str, float] = {}  # family head id -> the lowest price among its variants
        self._named: set[str] = set()  # ids of family heads a variant names by id, no family of their own
        self._stocked: set[str] = set()  # ids of family heads with a variant in stock

    def complete(self, raw: dict[str, Any], own: Collection[str] = ()) -> dict[str, Any]:
        """`raw` with its empty `INHERITED` fields and attributes taken from its family's product, and
        its `group` the family's key; `own` names (lower-cased) the attributes it keeps as they are
        besides `OWN`: the identifier attributes and the family's option names."""
        head = self._head(raw.get(GROUP))
        if head is None:
            key = _key(raw.get(GROUP))
            return {**raw, GROUP: key} if key and key != raw.get(GROUP) else raw
        done = dict(raw)
        done[GROUP] = head.family or head.id
        given = head.to_dict()
        for name in INHERITED:
            if _empty(done.get(name)) and not _empty(given.get(name)):
                done[name] = given[name]
        if all(_empty(done.get(name)) for name in _PRICED) and head.price is not None:
            done["price"] = head.price  # Shopware's variant leaves its price to its product, sale and all
            done |= {name: head.attributes[name] for name in SALE_ATTRIBUTES if name in head.attributes}
        given_attributes = raw.get("attributes")
        nested = given_attributes if isinstance(given_attributes, dict) else {}
        for name, value in head.attributes.items():
            lowered = name.lower()
            if lowered in OWN or lowered in own or lowered.startswith(_PER_VARIANT):
                continue
            if _empty(done.get(name)) and _empty(nested.get(name)):
                done[name] = value
        return done

    def extra_picture(self, raw: dict[str, Any]) -> bool:
        """Whether `raw` is only another picture of a family read before: Shopify writes a product's
        second and later images as rows holding the `Handle` and `Image Src` and no variant (no id, no
        title). Such a row is not a product, and not a bad record; the family keeps its first image."""
        no_product = _empty(raw.get("id")) and _empty(raw.get("title"))
        return no_product and not _empty(raw.get("image")) and self._head(raw.get(GROUP)) is not None

    def hide(self, raw: dict[str, Any]) -> None:
        """Remember `raw`, a record the shop does not show, as a hidden family: Shopify writes a draft's
        `Status` on its first row only, so its other rows are hidden with it."""
        self._hidden.update(key for key in (_key(raw.get("id")), _key(raw.get(GROUP))) if key)

    def hidden(self, raw: dict[str, Any]) -> bool:
        """Whether `raw` belongs to a family the shop does not show (its own flag may hide it too)."""
        key = _key(raw.get(GROUP))
        return bool(key) and key in self._hidden

    def add(self, product: Product) -> None:
        """Remember `product` as a possible family head, and its price for its family's."""
        head = self._head(product.attributes.get(GROUP))
        if head is not None and head.id != product.id:
            if head.family is None:
                self._named.add(head.id)
            if product.price is not None:
                self._lowest[head.id] = min(product.price, self._lowest.get(head.id, product.price))
            if product.availability == IN_STOCK:
                self._stocked.add(head.id)
        self._by_id.setdefault(product.id, product)
        group = _key(product.attributes.get(GROUP))
        if group:
            self._by_group.setdefault(group, product)

    def finished(self, product: Product) -> Product:
        """`product` as its family's head, once the file is read: keyed by its id when its variants name
        it by id, and with their lowest price when it has none of its own: WooCommerce writes a variable
        product's row without one, which would show "price on request", sort last and fall outside every
        price filter, though the shop sells it from that price. Such a product (Shopware's too) is
        in stock while one of its variants is: Shopware writes its own stock as 0, the variants holding
        the stock, which read as the family sold out."""
        if product.id in self._named:
            product = replace(product, attributes={**product.attributes, GROUP: product.id})
            if product.id in self._stocked and product.availability != IN_STOCK:
                product = replace(product, availability=IN_STOCK)
        lowest = self._lowest.get(product.id)
        return product if product.price is not None or lowest is None else replace(product, price=lowest)

    def _head(self, group: Any) -> Product | None:
        """The product a family key names: the product with that id, unless it belongs to another
        family (Ticimax numbers its cards and their variants apart, so card 5's key is also the id of
        a variant of card 1), else the first product of that family."""
        key = _key(group)
        if not key:
            return None
        named = self._by_id.get(key)
        if named is not None and _key(named.attributes.get(GROUP)) in ("", key):
            return named
        return self._by_group.get(key)


def family_of(raw: dict[str, Any]) -> str | None:
    """The family key a raw record names (`id:101` read as 101), None when it names none."""
    return _key(raw.get(GROUP)) or None


def _key(group: Any) -> str:
    text = str(group).strip() if isinstance(group, (str, int)) and not isinstance(group, bool) else ""
    return text[len(_ID_PREFIX) :].strip() if text.lower().startswith(_ID_PREFIX) else text


def _empty(value: Any) -> bool:
    """Not given, as the schema reads a field (`missing`), or an empty list or object."""
    return missing(value) or (isinstance(value, (list, tuple, dict)) and not value)
