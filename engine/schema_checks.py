"""Field checks shared by the product schema's parts: the limits a record must keep, a collector of
every wrong field of one record, and how a value is named in a message.

Apart from `engine.product_schema` so that the schema reads as the list of its fields.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from engine.charset import bad_character, composed
from engine.feed_values import read_number
from engine.markup import plain_text

DEFAULT_CURRENCY = "USD"  # a shop's currency when it names none (`Settings.currency` unset)


@dataclass(frozen=True)
class Limits:
    """Upper bounds on field sizes; a record beyond them is rejected, never truncated silently. And
    `currency`, the currency of a record that names none (the shop's `AISLE_CURRENCY`, else USD), and
    `category_lists`, how a cell separates several category paths (`AISLE_CATEGORY_LISTS`), and how it
    writes one (`AISLE_CATEGORY_LEVELS`, `AISLE_CATEGORY_ROOT`).

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
    category_paths: int = 20
    currency: str = DEFAULT_CURRENCY
    category_lists: str = ""  # what separates a cell's category paths (`Settings.category_lists`)
    attribute_values: int = 100  # values one list attribute may hold
    category_levels: str = ">"  # what separates a path's levels in a cell (`Settings.category_levels`)
    category_root: str = ""  # a first level left out of every path (`Settings.category_root`)

    @classmethod
    def for_shop(
        cls, currency: str | None, category_lists: str = "", *, levels: str = ">", root: str = ""
    ) -> Limits:
        """The default limits with the shop's currency (`Settings.currency`; None: USD), category list
        separator (`Settings.category_lists`), path level separator and root (`Settings.category_levels`,
        `Settings.category_root`: how its catalog files write a path)."""
        code = currency.upper() if currency else DEFAULT_CURRENCY
        return cls(currency=code, category_lists=category_lists, category_levels=levels, category_root=root)


DEFAULT_LIMITS = Limits()


class FieldChecker:
    """Collects field errors for one record so they can be reported together."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.errors: list[str] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append(f"{field}: {message}")

    def text(self, raw: dict[str, Any], field: str, max_chars: int, required: bool = False) -> str:
        """`field` as text, HTML read as its words (`engine.markup`)."""
        value = raw.get(field)
        if missing(value):
            if required:
                self.fail(field, "required")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(field, f"expected a string, got {kind(value)}")
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
        if missing(value):
            return None
        if isinstance(value, bool):
            self.fail(field, "expected a number, got a boolean")
            return None
        try:
            number = read_number(value, currency)
        except ValueError as exc:
            self.fail(field, f"{exc}, got {show(value)}")
            return None
        if not math.isfinite(number) or number < 0:
            self.fail(field, f"must be a finite number >= 0, got {show(value)}")
            return None
        return number


def missing(value: Any) -> bool:
    """None, an empty CSV cell or a float NaN (how pandas-written Parquet marks a gap)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", tuple: "a list", bool: "a boolean", str: "a string"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
