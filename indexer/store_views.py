"""Rows that give a product's fields in a store view (`AISLE_STORE_VIEW`, `FeedFormat.store_view`).

Magento's product export writes a product's row and then, for each store view that changes it, a row
repeating its sku with the view's code (`store_view_code` "fr") and only what the view changes: the
French name and description. Read as products, each such row is a second record with the product's id,
a bad record ("duplicate id"), and an export with one translated view is half bad rows, so a build
refuses it whole. Mapped to `store_view`, a row naming a view is no product of its own: the rows of
the view the shop indexes (a French storefront's gateway serves its own index, built with
`AISLE_STORE_VIEW=fr`) give their non-empty fields over the product's row just before them; the other
views' rows are left out, counted by view for `indexer check`. Unset, every view's rows are left out
and the products are read in the export's default words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from engine.schema_checks import missing
from indexer.malformed import Malformed
from indexer.readers import RawRecord, raw_id

STORE_VIEW = "store_view"


class StoreViews:
    """Merges the rows of `view` ("" for none) into the products' rows and leaves out the others."""

    def __init__(self, view: str = "") -> None:
        self.view = view.strip().casefold()
        self.left_out: Counter[str] = Counter()  # rows of the views not read, by view

    def merged(self, records: Iterator[RawRecord]) -> Iterator[RawRecord]:
        """`records` with each product's row given its view's fields, the views' own rows gone."""
        held: tuple[int, dict[str, Any]] | None = None  # a product's row, until its views' rows are read
        for line, raw in records:
            if isinstance(raw, Malformed):
                yield line, raw
                continue
            given = raw.pop(STORE_VIEW, None)
            view = "" if missing(given) else str(given).strip()
            if not view:
                if held is not None:
                    yield held
                held = (line, raw)
            elif view.casefold() != self.view:
                self.left_out[view] += 1
            elif held is None or raw_id(held[1]) != raw_id(raw):
                alone = f"a row of store view {view!r} for {raw_id(raw) or ''!r} without its product's row"
                yield line, Malformed(f"{alone} before it")
            else:
                fields = {name: value for name, value in raw.items() if not missing(value)}
                held = (held[0], {**held[1], **fields})
        if held is not None:
            yield held
