"""How a shop's catalog files are read, from its settings: the limits its records are checked under (its
currency, how its files write categories) and its export's format (column names, encoding, identifier
and list columns, store view, sales channel).

Every build reads a file under these, whoever starts it (`indexer build`, `indexer update`, a benchmark
through `indexer.build.Builder`): read under the defaults instead, a Heureka feed's price written
"15 990 Kč" in a crown shop was refused as dollars and its product left out of the index.
"""

from __future__ import annotations

from pathlib import Path

from engine.config import Settings
from engine.product_schema import Limits
from indexer.readers import FeedFormat


def shop_limits(settings: Settings) -> Limits:
    """The limits a catalog file's records are read under: the shop's currency and how its files write
    categories."""
    return Limits.for_shop(
        settings.currency,
        settings.category_lists,
        levels=settings.category_levels,
        root=settings.category_root,
    )


def shop_feed(settings: Settings) -> FeedFormat:
    """The shop's export format (`AISLE_CATALOG_COLUMNS`, `AISLE_CATALOG_ENCODING`, ...)."""
    return FeedFormat(
        settings.catalog_columns,
        settings.catalog_encoding,
        tuple(settings.identifier_fields),
        frozenset(name.lower() for name in settings.list_attributes),
        frozenset(name.lower() for name in settings.pair_columns),
        settings.store_view,
        tuple(Path(name) for name in settings.catalog_names),
        settings.sales_channel,
    )
