"""The product schema shops send us, and its validation into `engine.records.Product`.

It lives in the engine because both the ingest pipeline (`indexer`) and the gateway's upserts validate
with it.

Fields (see docs/ingest.md for the full table): `id` (string or integer, kept as a string), `title`
(required), `description`, `brand`, `category` (a list or an "A > B > C" string), `price`, `currency` (ISO
4217 code), `availability`, `attributes` (a map of string, number or list values,
`engine.schema_attributes`; a JSON object string is accepted, which is how CSV carries it), `image` (path
relative to the catalog file, or http(s) URL) and `popularity`. `available` (true/false, as many feeds carry
stock) is read as `availability` when that is not given, and so is a `stock` count (kept as the `stock`
attribute: 0 or less is out of stock), the quantity PrestaShop, Magento and Shopify export and stock feeds
send. `purchasable` (yes/no: BigCommerce's "Allow Purchases?", PrestaShop's "Available for order") says
whether the shop takes orders for it at all: one it does not is out of stock, whatever its count, unless
`availability` says otherwise (a preorder). Any other field is kept as an attribute, so nothing a shop
sends is silently lost.

Validation reports every wrong field of a record in one message, naming the field and what was expected,
because the person reading it is fixing an export script, not debugging Python. CSV cells arrive as
strings, so numbers are also accepted in their text form and an empty cell means "not given". Text
written as HTML, as shop systems export descriptions, is read as its words (`engine.markup`).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from engine.charset import composed
from engine.errors import InvalidInput
from engine.feed_values import (
    availability_of_flag,
    currency_code,
    first_image,
    published_of_flag,
    read_number,
)
from engine.markup import plain_text
from engine.records import AVAILABILITY_VALUES, BUYABLE, CATEGORY_SEPARATOR, Product
from engine.schema_attributes import read_attributes
from engine.schema_checks import DEFAULT_LIMITS, FieldChecker, Limits, kind, missing, show
from engine.schema_sale import REGULAR_PRICE, SALE_ATTRIBUTES, SALE_ENDS, read_sale

__all__ = [
    "DEFAULT_LIMITS",
    "KNOWN_FIELDS",
    "REGULAR_PRICE",
    "SALE_ATTRIBUTES",
    "SALE_ENDS",
    "SALE_FIELDS",
    "STOCK",
    "Limits",
    "RecordError",
    "Unpublished",
    "validate_record",
]

# The schema's fields, in the order a record lists them.
KNOWN_FIELDS: tuple[str, ...] = ("id", "title", "description", "brand", "category", "price", "currency")
KNOWN_FIELDS += ("availability", "attributes", "image", "popularity")


# Fields read into another one rather than kept as attributes: the `available` flag is `availability`, a
# sale (`sale_price`, or a discount off the price, PrestaShop's `sale_percent` and `sale_amount`, while its
# dates say it runs) is the price (the regular one kept as the `regular_price` attribute, the moment the
# sale ends as `sale_ends`; a sale not begun as `engine.schema_sale` says); `published` decides whether
# the record is a product of the shop at all;
# `more_categories` are category paths after the first.
SALE_FIELDS = ("sale_price", "sale_percent", "sale_amount", "sale_from", "sale_to", "sale_dates")
ALIASES = ("available", *SALE_FIELDS, "published", "more_categories", "purchasable")
STOCK = "stock"  # a count on hand, kept as an attribute; without `availability` it decides it


class RecordError(InvalidInput):
    """A raw record is not a valid product; `message` lists every wrong field."""


class Unpublished(Exception):
    """The record is a product the shop does not show (`published` false: a draft, a private or hidden
    product, an archived one). Not an error: such a product is left out of the index, or taken out of
    it by an update, and its other fields are not checked (a draft may lack a title)."""

    def __init__(self, product_id: str) -> None:
        super().__init__(product_id)
        self.product_id = product_id


def validate_record(raw: Any, limits: Limits = DEFAULT_LIMITS, now: datetime | None = None) -> Product:
    """Turn one raw record (a JSON object, CSV row or Parquet row) into a `Product`, its sale read as of
    `now` (default: the current time).

    Raises `RecordError` naming every wrong field; unknown fields become attributes.
    """
    if not isinstance(raw, dict):
        raise RecordError(f"expected an object with product fields, got {kind(raw)}")
    check = FieldChecker(limits)
    product_id = _product_id(raw.get("id"), check)
    _publication(raw.get("published"), product_id, check)
    title = check.text(raw, "title", limits.title_chars, required=True)
    description = check.text(raw, "description", limits.description_chars)
    brand = check.text(raw, "brand", limits.brand_chars)
    category, more_categories = category_paths(raw.get("category"), raw.get("more_categories"), check)
    currency = _currency(raw.get("currency"), check, limits.currency)
    price, sale = read_sale(check, raw, currency, now or datetime.now(UTC))
    popularity = check.number(raw, "popularity") or 0.0
    image = check.text({"image": first_image(raw.get("image"))}, "image", limits.image_chars) or None
    attributes = read_attributes(raw, check, (*KNOWN_FIELDS, *ALIASES))
    attributes |= sale
    stock = _stock(attributes.get(STOCK), check)
    availability = _availability(raw.get("availability"), raw.get("available"), stock, check)
    orderable = _purchasable(raw.get("purchasable"), check)  # read, and refused if wrong, in any case
    if missing(raw.get("availability")) and not orderable:
        availability = "out_of_stock"
    if check.errors:
        raise RecordError("; ".join(check.errors))
    return Product(
        id=product_id,
        title=title,
        description=description,
        brand=brand,
        category=category,
        price=price,
        currency=currency,
        availability=availability,
        attributes=attributes,
        image=image,
        popularity=popularity,
        more_categories=more_categories,
    )


def _purchasable(flag: Any, check: FieldChecker) -> bool:
    """Whether the shop takes orders for the product (`purchasable` not given: it does)."""
    if missing(flag):
        return True
    said = availability_of_flag(flag)
    if said is None:
        check.fail("purchasable", f"expected yes or no, got {show(flag)}")
    return said != "out_of_stock"


def _product_id(value: Any, check: FieldChecker) -> str:
    if missing(value):
        check.fail("id", "required")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        check.fail("id", f"expected a string or integer, got {kind(value)}")
        return ""
    text = str(value).strip()
    if not text:
        check.fail("id", "must not be empty")
    elif len(text) > check.limits.id_chars:
        check.fail("id", f"too long ({len(text)} characters, at most {check.limits.id_chars})")
    elif any(ch in text for ch in "\n\r\t"):
        check.fail("id", "must not contain tabs or line breaks")
    else:
        check.characters("id", text)
    return text


def _publication(value: Any, product_id: str, check: FieldChecker) -> None:
    """Raise `Unpublished` for a product the shop does not show (once its id is known)."""
    if missing(value):
        return
    shown = published_of_flag(value)
    if shown is None:
        check.fail(
            "published", f"expected true or false (or draft, private, hidden, archived), got {show(value)}"
        )
    elif not shown and product_id and not check.errors:
        raise Unpublished(product_id)


def category_paths(
    value: Any, more: Any, check: FieldChecker
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """(the main category path, the further ones) of a record's `category` and `more_categories`.

    `category` is one path (a list of names or an "A > B > C" string, its levels separated by
    `Limits.category_levels`: "Default Category/Skin/Serums" in Magento's; a first level that is
    `Limits.category_root` left out), a list of paths (lists), or,
    with `Limits.category_lists` set (", " for WooCommerce's "Hund > Reisen, Katze > Reisen"), a
    string of paths separated by it, where a separator escaped with a backslash ("Hats\\, Caps") is
    part of a name; `more_categories` adds paths (as `Product.to_dict` writes them). Repeated paths
    count once."""
    levels = check.limits.category_levels
    paths = [(v, levels) for v in _path_values(value, check.limits.category_lists)]
    paths += [(v, CATEGORY_SEPARATOR.strip()) for v in _path_values(more, "", each=True)]  # as stored
    found = list(dict.fromkeys(p for p in (_category(v, check, by) for v, by in paths) if p))
    if len(found) > check.limits.category_paths:
        check.fail("category", f"too many paths ({len(found)}, at most {check.limits.category_paths})")
        return (), ()
    return (found[0], tuple(found[1:])) if found else ((), ())


def _path_values(value: Any, separator: str, each: bool = False) -> list[Any]:
    """The paths one field holds, each as `_category` reads a path (`each`: a list is of paths, also
    of "A > B" strings)."""
    if missing(value):
        return []
    listed = isinstance(value, (list, tuple)) and bool(value)
    if listed and (each or all(isinstance(p, (list, tuple)) for p in value)):
        return list(value)
    if isinstance(value, str) and separator:
        parts = re.split(rf"(?<!\\){re.escape(separator)}", value)
        return [p.replace("\\" + separator.strip(), separator.strip()) for p in parts if p.strip()]
    return [value]


def _category(value: Any, check: FieldChecker, levels: str) -> tuple[str, ...]:
    """One path: a list of names, or a string of them separated by `levels`."""
    if missing(value):
        return ()
    if isinstance(value, str):
        parts = value.split(levels)
    elif isinstance(value, (list, tuple)) and all(isinstance(p, str) for p in value):
        parts = list(value)
    else:
        check.fail(
            "category",
            f"expected a list of strings, a list of such paths or an 'A > B > C' string, got {kind(value)}",
        )
        return ()
    path = tuple(composed(plain_text(p.strip())) for p in parts)
    limits = check.limits
    if limits.category_root and path and path[0].casefold() == limits.category_root.casefold():
        path = path[1:]  # Magento's "Default Category", the root above every department
        if not path:
            return ()
    if any(not p for p in path):
        check.fail("category", f"has an empty level in {show(value)}")
    elif len(path) > limits.category_depth:
        check.fail("category", f"too deep ({len(path)} levels, at most {limits.category_depth})")
    elif any(len(p) > limits.category_part_chars for p in path):
        check.fail("category", f"a level is longer than {limits.category_part_chars} characters")
    else:
        all(check.characters("category", p) for p in path)
    return path


def _currency(value: Any, check: FieldChecker, default: str) -> str:
    """The record's currency (`currency_code`: an ISO code, an old one, a sign naming one currency)."""
    if missing(value):
        return default
    code = currency_code(value) if isinstance(value, str) else None
    if code is None:
        check.fail(
            "currency", f"expected a 3-letter ISO 4217 code (or a sign of one currency), got {show(value)}"
        )
        return default
    return code


def _stock(value: Any, check: FieldChecker) -> float | None:
    """The `stock` count, if given: a number, negative where a shop system counts what it oversold."""
    if missing(value):
        return None
    try:
        number = None if isinstance(value, bool) else read_number(value)
    except ValueError:
        number = None
    if number is None or not math.isfinite(number):
        check.fail(STOCK, f"expected a number of items in stock, got {show(value)}")
    return number


def _availability(value: Any, flag: Any, stock: float | None, check: FieldChecker) -> str:
    """`availability`, else the `available` flag, else the `stock` count (none left is out of stock),
    else in stock. The first two given must agree (an out-of-stock product must not be shown as
    buyable because two columns disagree); a stated availability outranks the count, since a shop may
    sell on backorder what it has none of."""
    from_flag = None if missing(flag) else availability_of_flag(flag)
    if not missing(flag) and from_flag is None:
        check.fail("available", f"expected true or false, got {show(flag)}")
    if missing(value):
        from_stock = None if stock is None else ("in_stock" if stock > 0 else "out_of_stock")
        return from_flag or from_stock or "in_stock"
    normal = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    if normal not in AVAILABILITY_VALUES:
        check.fail("availability", f"expected one of {', '.join(AVAILABILITY_VALUES)}, got {show(value)}")
        return "in_stock"
    if from_flag is not None and (from_flag == "in_stock") != (normal in BUYABLE):
        check.fail("available", f"{show(flag)} disagrees with availability {normal!r}")
    return normal
