"""SKUs and price rules written as rows under their product's row (BigCommerce's Bulk Edit export).

BigCommerce's Bulk Edit template writes a product as a row whose `Item Type` is "Product", followed by
a row per SKU ("  SKU", indented by two spaces) and a row per price rule ("  Rule"). A SKU row has no
product id and no title: its `Product Name` cell holds its options, each with the way the page shows
it in brackets ("[RT]Size=Long", "[S]Size=M,[CS]Color=Black"), and its own SKU code, barcode and stock.
A rule row names a SKU by its code and changes its price ("[ADD]20.0000", "[REMOVE]5.0000",
"[FIXED]199.9500") or hides it. `Track Inventory` says which count is the stock: "none" (the count,
then 0, means nothing), "by product" (one count for every SKU) or "by option" (each SKU's own, the
product's their sum). Read as they come, every SKU and rule row was refused for its missing id, so a
shopper could find no size and no length, and an untracked product read as sold out.

With the export's `Item Type` mapped to `row_type` (and `Track Inventory` to `inventory_tracking`), a
SKU becomes a member of its product's family (`indexer.families`: its title, description, brand,
categories and custom fields are its product's): its id is its SKU code, its options are attributes
named by the option (`Size`: "Long") and together its `variant` ("Long / Black"), its price the
product's with its rule's change (and so its sale price), its stock as the tracking says. A row whose
type, rule or price change cannot be read is reported by its line; the rest of the file is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.feed_values import read_number
from engine.product_schema import STOCK
from engine.records import VARIANT_ATTRIBUTE
from engine.schema_checks import missing
from indexer.families import GROUP
from indexer.malformed import Malformed
from indexer.readers import RawRecord

ROW_TYPE = "row_type"
TRACKING = "inventory_tracking"
_PRODUCT, _SKU, _RULE = "product", "sku", "rule"
# BigCommerce's tracking in the Bulk Edit export ("by option") and in its newer one ("variant").
_UNTRACKED = frozenset({"none", "no", "false"})
_BY_PRODUCT = frozenset({"by product", "product"})
_OPTION = re.compile(r"\[(\w+)\]\s*([^=\[]+?)\s*=\s*([^\[]*?)\s*(?:,\s*(?=\[)|$)")
_CHANGE = re.compile(r"^\[(ADD|REMOVE|FIXED)\]\s*(.+)$", re.IGNORECASE)
_PRICES = ("price", "sale_price")
# What a SKU row leaves to its product's that the families do not complete (they are no attributes).
_FROM_PRODUCT = ("purchasable", "currency")
_RULE_CHANGE = "_rule_change"  # a SKU's price change, kept on it until its family is finished


@dataclass
class _Family:
    """A product's row and the SKU rows read after it, held until the next product's row."""

    line: int
    product: dict[str, Any]
    skus: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    bad: list[tuple[int, Malformed]] = field(default_factory=list)


class SkuRows:
    """Turns SKU and rule rows into their product's family members (records without `row_type` pass)."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    def ordered(self, records: Iterator[RawRecord]) -> Iterator[RawRecord]:
        family: _Family | None = None
        for line, raw in records:
            kind = None if isinstance(raw, Malformed) else _kind(raw.pop(ROW_TYPE, None))
            if isinstance(raw, Malformed) or kind is None:
                yield line, raw
            elif kind == _PRODUCT:
                if family is not None:
                    yield from self._finished(family)
                family = _Family(line, raw)
            elif kind not in (_SKU, _RULE):
                yield line, Malformed(f"{ROW_TYPE}: expected Product, SKU or Rule, got {kind!r}")
            elif family is None:
                yield line, Malformed(f"{ROW_TYPE}: a {kind.upper()} row before any product's row")
            elif kind == _SKU:
                family.skus.append((line, raw))
            else:
                problem = _apply_rule(family, raw)
                if problem:
                    family.bad.append((line, Malformed(problem)))
        if family is not None:
            yield from self._finished(family)

    def _finished(self, family: _Family) -> Iterator[RawRecord]:
        """The product's row, then each SKU as its family's member, then the rows that could not be read."""
        product = family.product
        tracking = str(product.pop(TRACKING, "") or "").strip().lower()
        if tracking in _UNTRACKED:
            product.pop(STOCK, None)
        yield family.line, product
        for line, sku in family.skus:
            yield line, self._member(sku, product, tracking)
        yield from sorted(family.bad, key=lambda bad: bad[0])

    def _member(
        self, sku: dict[str, Any], product: dict[str, Any], tracking: str
    ) -> dict[str, Any] | Malformed:
        sku.pop(TRACKING, None)
        code = sku.get("sku")
        if missing(code):
            return Malformed("sku: a SKU row needs its SKU code, its id")
        options = [(name, value) for _, name, value in _OPTION.findall(str(sku.pop("title", "") or ""))]
        member = {**sku, "id": str(code).strip(), GROUP: f"id:{product.get('id', '')}"}
        for name, value in options:
            if value and missing(member.get(name)):
                member[name] = value
        if options:
            member[VARIANT_ATTRIBUTE] = " / ".join(value for _, value in options if value)
        change = member.pop(_RULE_CHANGE, None)
        for name in _PRICES:
            price = self._changed(product.get(name), change, sale=name != "price")
            if price is not None and missing(sku.get(name)):
                member[name] = price
        for name in _FROM_PRODUCT:
            if missing(member.get(name)) and not missing(product.get(name)):
                member[name] = product[name]
        if tracking in _UNTRACKED:
            member.pop(STOCK, None)
        elif tracking in _BY_PRODUCT:
            member[STOCK] = product.get(STOCK)
        return member

    def _changed(self, written: Any, change: tuple[str, float] | None, sale: bool) -> str | None:
        """The product's price (`sale`: its sale price) `written`, with a rule's `change`; None where
        there is none: no price, one the schema reports on the product's row, "0.0000" (no sale), or a
        sale a rule's fixed price replaces."""
        if missing(written):
            return None
        try:
            price = read_number(written, self.currency)
        except ValueError:
            return None
        if price == 0 and sale:
            return None
        if change is None:
            return f"{price:.2f}"
        how, amount = change
        if how == "fixed":
            return None if sale else f"{amount:.2f}"
        return f"{price + amount if how == 'add' else price - amount:.2f}"


def _kind(value: Any) -> str | None:
    return None if missing(value) else str(value).strip().lower()


def _apply_rule(family: _Family, rule: dict[str, Any]) -> str | None:
    """Give the SKU the rule names its price change and visibility; what is wrong with the rule instead."""
    code = str(rule.get("sku") or "").strip()
    target = next((sku for _, sku in family.skus if str(sku.get("sku") or "").strip() == code), None)
    if target is None:
        return f"sku: a price rule for {code or 'no SKU'!r}, which the product above does not have"
    written = rule.get("price")
    if not missing(written):
        found = _CHANGE.match(str(written).strip())
        if found is None:
            return f"price: expected [ADD], [REMOVE] or [FIXED] and an amount, got {str(written)!r}"
        try:
            amount = read_number(found.group(2))
        except ValueError:
            return f"price: expected an amount after {found.group(1)}, got {found.group(2)!r}"
        target[_RULE_CHANGE] = (found.group(1).lower(), amount)
    for name in ("published", "purchasable"):
        if not missing(rule.get(name)):
            target[name] = rule[name]
    return None
