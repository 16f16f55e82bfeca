"""Variants that a family's product lists after them (Magento's configurable products, `variants`).

Magento exports a configurable product's simple children before it, each `Not Visible Individually`
(the shop shows them only through that product), without categories, description or brand, then the
configurable product, which lists them in `configurable_variations` ("sku=AU-1001,volume=50 ml|
sku=AU-1002,volume=340 g") and has no price of its own. Read as they come, each child is a product of
its own, found without its family's words and missing from its category and brand facets, and the
product itself has no price. Mapped to `variants`, the list makes them one family: a row shown only
through its family (`published` "Not Visible Individually") is held until the product listing it
comes, which is passed on first, each child after it with `group` naming it ("id:AU-1003") and the
values the list gives it as its options (`variant` "50 ml"), so `indexer.families` completes them as
it does WooCommerce's variations, the product takes the lowest of their prices, and a search shows the
family once; the stock of 0 Magento writes for the product itself is not kept (its children hold the
stock). A child read after its product (an export sorted otherwise) is completed the same way. A
row shown only through a family that no product lists (a free sample given with an order) is passed
on as it is, after the others: not shown, as the shop does not show it. In an update (`whole` false:
the file holds the products that changed) such a row may be a size of a family the index holds, which
an update must not take out of the shop: it is reported by its line instead, naming what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.feed_values import read_number, shown_only_in_family
from engine.product_schema import STOCK
from engine.records import VARIANT_ATTRIBUTE
from engine.schema_checks import missing
from indexer.columns import PUBLISHED, Rename
from indexer.families import GROUP
from indexer.malformed import Malformed
from indexer.pairs import read_pairs
from indexer.readers import RawRecord, raw_id

VARIANTS = "variants"
_ALONE = (
    "shown only through its family's product (Not Visible Individually), which this file does not list: "
    "upsert it with that product, or change its price or stock with upsert --partial"
)
Options = list[tuple[str, Any]]  # a child's option values as the list gives them, renamed


class ListedVariants:
    """Puts each listed child after the product listing it, as a member of its family."""

    def __init__(self, rename: Rename, whole: bool = True) -> None:
        self.rename = rename
        self.whole = whole  # the whole catalog (a build), not the changed products (an upsert)
        # Children whose product is still to come, each with the later rows repeating its id (a store
        # view's, when views are not read), which stay after it.
        self._held: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._listed: dict[str, tuple[str, Options]] = {}  # child id -> (its product's id, its options)

    def ordered(self, records: Iterator[RawRecord]) -> Iterator[RawRecord]:
        """`records`, each listed child after its product and completed as its family's member."""
        for line, raw in records:
            if isinstance(raw, Malformed):
                yield line, raw
                continue
            row_id = raw_id(raw) or ""
            listing = raw.pop(VARIANTS, None)
            if row_id in self._held:
                self._held[row_id].append((line, raw))
            elif row_id in self._listed:
                yield line, self._member(raw, *self._listed.pop(row_id))
            elif row_id and shown_only_in_family(raw.get(PUBLISHED)):
                self._held[row_id] = [(line, raw)]
            elif missing(listing):
                yield line, raw
            else:
                yield from self._family(line, raw, row_id, str(listing))
        for rows in self._held.values():
            # Its family may be in the index: an update hiding it would take a live size out of the shop.
            yield from (rows if self.whole else ((line, Malformed(_ALONE)) for line, _ in rows))

    def _family(self, line: int, raw: dict[str, Any], row_id: str, listing: str) -> Iterator[RawRecord]:
        children = self._children(listing)
        if isinstance(children, str):
            yield line, Malformed(f"{VARIANTS}: {children}")
            return
        if missing(raw.get(STOCK)) or _nothing(raw[STOCK]):
            raw.pop(STOCK, None)  # Magento writes 0 for a configurable product: its children hold the stock
        yield line, raw
        for child, options in children:
            if child in self._held:
                (child_line, child_raw), *after = self._held.pop(child)
                yield child_line, self._member(child_raw, row_id, options)
                yield from after
            else:
                self._listed[child] = (row_id, options)

    def _children(self, listing: str) -> list[tuple[str, Options]] | str:
        """(child id, its options) for each child `listing` names ("sku=A,size=M|sku=B,size=L")."""
        children = []
        for written in (part for part in listing.split("|") if part.strip()):
            pairs = read_pairs(written)
            if isinstance(pairs, str):
                return pairs
            renamed = [(self.rename.get(name, name), value) for name, value in pairs]
            child = next((str(v) for name, v in renamed if name == "id" or name == "sku"), None)
            if child is None:
                return f"expected each variant's sku=..., got {written.strip()!r}"
            options = [
                (name, value) for name, value in renamed if name is not None and name not in ("id", "sku")
            ]
            children.append((child, options))
        return children

    def _member(self, raw: dict[str, Any], product: str, options: Options) -> dict[str, Any]:
        """`raw` as a member of `product`'s family: shown through it, its options as the list gives them."""
        if shown_only_in_family(raw.get(PUBLISHED)):
            del raw[PUBLISHED]
        raw[GROUP] = f"id:{product}"
        for name, value in options:
            if missing(raw.get(name)):
                raw[name] = value
        if missing(raw.get(VARIANT_ATTRIBUTE)) and options:
            raw[VARIANT_ATTRIBUTE] = " / ".join(str(value) for _, value in options)
        return raw


def _nothing(value: Any) -> bool:
    """Whether a stock cell says 0 ("0.0000", as Magento writes it), read as the schema reads a stock."""
    try:
        return read_number(value) == 0.0
    except ValueError:
        return False
