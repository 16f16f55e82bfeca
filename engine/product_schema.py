"""The product schema shops send us, and its validation into `engine.records.Product`.

It lives in the engine because both the ingest pipeline (`indexer`) and the gateway's upserts validate
with it.

Fields (see docs/ingest.md for the full table): `id` (string or integer, kept as a string), `title`
(required), `description`, `brand`, `category` (a list or an "A > B > C" string), `price`, `currency`
(ISO 4217 code), `availability`, `attributes` (a map of string/number values; a JSON object string is
accepted, which is how CSV carries it), `image` (path relative to the catalog file, or http(s) URL) and
`popularity`. `available` (true/false, as many feeds carry stock) is read as `availability` when that is
not given. Any other field is kept as an attribute, so nothing a shop sends is silently lost.

Validation reports every wrong field of a record in one message, naming the field and what was expected,
because the person reading it is fixing an export script, not debugging Python. CSV cells arrive as
strings, so numbers are also accepted in their text form and an empty cell means "not given". Text
written as HTML, as shop systems export descriptions, is read as its words (`engine.markup`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from engine.charset import bad_character, composed
from engine.errors import InvalidInput
from engine.feed_values import availability_of_flag, first_image, read_number
from engine.markup import plain_text
from engine.records import AVAILABILITY_VALUES, BUYABLE, CATEGORY_SEPARATOR, Product

# The schema's fields, in the order a record lists them.
KNOWN_FIELDS: tuple[str, ...] = ("id", "title", "description", "brand", "category", "price", "currency")
KNOWN_FIELDS += ("availability", "attributes", "image", "popularity")


# Fields read into another one rather than kept as attributes: the `available` flag is `availability`.
ALIASES = ("available",)


@dataclass(frozen=True)
class Limits:
    """Upper bounds on field sizes; a record beyond them is rejected, never truncated silently. And
    `currency`, the currency of a record that names none (the shop's `AISLE_CURRENCY`, else USD).

    They keep one broken export (a description holding a whole HTML page, a million attributes) from
    bloating the index or the encoder's input.
    """

    id_chars: int = 256
    title_chars: int = 1_000
    description_chars: int = 20_000
    brand_chars: int = 200
    category_depth: int = 10
    category_part_chars: int = 200
    attributes: int = 200
    attribute_name_chars: int = 100
    attribute_value_chars: int = 1_000
    image_chars: int = 2_048
    record_bytes: int = 1 << 20
    currency: str = "USD"

    @classmethod
    def for_shop(cls, currency: str | None) -> Limits:
        """The default limits with the shop's currency (`Settings.currency`; None: USD)."""
        return cls(currency=currency.upper()) if currency else cls()


DEFAULT_LIMITS = Limits()


class RecordError(InvalidInput):
    """A raw record is not a valid product; `message` lists every wrong field."""


class _Checker:
    """Collects field errors for one record so they can be reported together."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.errors: list[str] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append(f"{field}: {message}")

    def text(self, raw: dict[str, Any], field: str, max_chars: int, required: bool = False) -> str:
        """`field` as text, HTML read as its words (`engine.markup`)."""
        value = raw.get(field)
        if _missing(value):
            if required:
                self.fail(field, "required")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(field, f"expected a string, got {_kind(value)}")
            return ""
        text = composed(plain_text(str(value).strip()))
        if required and not text:
            self.fail(field, "must not be empty")
        if len(text) > max_chars:
            self.fail(field, f"too long ({len(text)} characters, at most {max_chars})")
        self.characters(field, text)
        return text

    def characters(self, field: str, text: str) -> bool:
        """Fail `field` when `text` holds a character no backend can store (see `engine.charset`)."""
        problem = bad_character(text)
        if problem is not None:
            self.fail(field, problem)
        return problem is None

    def number(self, raw: dict[str, Any], field: str, currency: str | None = None) -> float | None:
        """`field` as a number >= 0; with `currency`, a price that may carry that currency's sign."""
        value = raw.get(field)
        if _missing(value):
            return None
        if isinstance(value, bool):
            self.fail(field, "expected a number, got a boolean")
            return None
        try:
            number = read_number(value, currency)
        except ValueError as exc:
            self.fail(field, f"{exc}, got {_show(value)}")
            return None
        if not math.isfinite(number) or number < 0:
            self.fail(field, f"must be a finite number >= 0, got {_show(value)}")
            return None
        return number


def validate_record(raw: Any, limits: Limits = DEFAULT_LIMITS) -> Product:
    """Turn one raw record (a JSON object, CSV row or Parquet row) into a `Product`.

    Raises `RecordError` naming every wrong field; unknown fields become attributes.
    """
    if not isinstance(raw, dict):
        raise RecordError(f"expected an object with product fields, got {_kind(raw)}")
    check = _Checker(limits)
    product_id = _product_id(raw.get("id"), check)
    title = check.text(raw, "title", limits.title_chars, required=True)
    description = check.text(raw, "description", limits.description_chars)
    brand = check.text(raw, "brand", limits.brand_chars)
    category = _category(raw.get("category"), check)
    currency = _currency(raw.get("currency"), check, limits.currency)
    price = check.number(raw, "price", currency)
    popularity = check.number(raw, "popularity") or 0.0
    availability = _availability(raw.get("availability"), raw.get("available"), check)
    image = check.text({"image": first_image(raw.get("image"))}, "image", limits.image_chars) or None
    attributes = _attributes(raw, check)
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
    )


def _product_id(value: Any, check: _Checker) -> str:
    if _missing(value):
        check.fail("id", "required")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        check.fail("id", f"expected a string or integer, got {_kind(value)}")
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


def _category(value: Any, check: _Checker) -> tuple[str, ...]:
    if _missing(value):
        return ()
    if isinstance(value, str):
        parts = value.split(CATEGORY_SEPARATOR.strip())
    elif isinstance(value, (list, tuple)) and all(isinstance(p, str) for p in value):
        parts = list(value)
    else:
        check.fail("category", f"expected a list of strings or an 'A > B > C' string, got {_kind(value)}")
        return ()
    path = tuple(composed(plain_text(p.strip())) for p in parts)
    limits = check.limits
    if any(not p for p in path):
        check.fail("category", f"has an empty level in {_show(value)}")
    elif len(path) > limits.category_depth:
        check.fail("category", f"too deep ({len(path)} levels, at most {limits.category_depth})")
    elif any(len(p) > limits.category_part_chars for p in path):
        check.fail("category", f"a level is longer than {limits.category_part_chars} characters")
    else:
        all(check.characters("category", p) for p in path)
    return path


def _currency(value: Any, check: _Checker, default: str) -> str:
    if _missing(value):
        return default
    if not isinstance(value, str) or len(value.strip()) != 3 or not value.strip().isalpha():
        check.fail("currency", f"expected a 3-letter ISO 4217 code, got {_show(value)}")
        return default
    return value.strip().upper()


def _availability(value: Any, flag: Any, check: _Checker) -> str:
    """`availability`, else the `available` flag, else in stock. Both given must agree (an
    out-of-stock product must not be shown as buyable because two columns disagree)."""
    from_flag = None if _missing(flag) else availability_of_flag(flag)
    if not _missing(flag) and from_flag is None:
        check.fail("available", f"expected true or false, got {_show(flag)}")
    if _missing(value):
        return from_flag or "in_stock"
    normal = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    if normal not in AVAILABILITY_VALUES:
        check.fail("availability", f"expected one of {', '.join(AVAILABILITY_VALUES)}, got {_show(value)}")
        return "in_stock"
    if from_flag is not None and (from_flag == "in_stock") != (normal in BUYABLE):
        check.fail("available", f"{_show(flag)} disagrees with availability {normal!r}")
    return normal


def _attributes(raw: dict[str, Any], check: _Checker) -> dict[str, Any]:
    given = raw.get("attributes")
    if isinstance(given, str) and given:  # "" is an empty CSV cell; " " is neither empty nor an object
        try:
            given = json.loads(given)
        except json.JSONDecodeError:
            check.fail("attributes", "expected an object or a JSON object string")
            return {}
    if isinstance(given, list) and all(isinstance(i, tuple) and len(i) == 2 for i in given):
        given = dict(given)  # a Parquet map column
    if not _missing(given) and not isinstance(given, dict):
        check.fail("attributes", f"expected an object, got {_kind(given)}")
        given = {}
    read = (*KNOWN_FIELDS, *ALIASES)
    merged: dict[str, Any] = {str(k): v for k, v in raw.items() if k not in read and not _missing(v)}
    merged.update({str(k): v for k, v in (given or {}).items() if not _missing(v)})
    limits = check.limits
    if len(merged) > limits.attributes:
        check.fail("attributes", f"too many ({len(merged)}, at most {limits.attributes})")
        return {}
    out: dict[str, Any] = {}
    for name, value in merged.items():
        name = name.strip()
        if not name or len(name) > limits.attribute_name_chars:
            check.fail("attributes", f"name {name[:40]!r} must be 1-{limits.attribute_name_chars} characters")
        elif not check.characters("attributes", name):
            continue
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, (int, float)) and (not isinstance(value, float) or math.isfinite(value)):
            out[name] = value
        elif isinstance(value, str):
            text = composed(plain_text(value.strip()))
            if len(text) > limits.attribute_value_chars:
                check.fail(
                    f"attributes.{name}", f"too long (at most {limits.attribute_value_chars} characters)"
                )
            check.characters(f"attributes.{name}", text)
            out[name] = text
        else:
            check.fail(f"attributes.{name}", f"expected a string or number, got {_kind(value)}")
    return out


def _missing(value: Any) -> bool:
    """None, an empty CSV cell or a float NaN (how pandas-written Parquet marks a gap)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", tuple: "a list", bool: "a boolean", str: "a string"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
