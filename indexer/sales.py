"""Sales that start or end between two sends of the catalog (`indexer sales`).

A record's sale is read as of the moment the record is read (`engine.schema_sale`): a sale that has not
begun is kept with the product (`scheduled_sale_price`, `sale_starts`), a running one with its end
(`sale_ends`). Left alone, the price would change only when the shop sends the product again, and a
Black Friday sale would start whenever the next export runs. The gateway's sales clock
(`AISLE_SALES_INTERVAL_S`, every 5 minutes) or `indexer sales` from cron finds the products whose
sale starts or ends by now and changes them through partial updates (under the writers' lock,
embedding nothing): a sale that starts gets its price and dates again, read as of now, so it runs; a
sale that is over is ended. It also says when the next change is due. Each change is idempotent, so
two gateway processes, or a gateway and cron, sweeping at once write the same products.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.lexical.base import LexicalIndex
from engine.records import Product
from engine.sale_dates import read_moment
from engine.schema_sale import REGULAR_PRICE, SALE_ENDS, SALE_STARTS, SCHEDULED_SALE_PRICE, sale_fields

BATCH = 1_000  # products read from the index at a time


@dataclass
class SalesReport:
    """What a run changed: the sales started and ended (product ids), and the next change after it."""

    started: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    next_change: datetime | None = None


def next_change(product: Product) -> datetime | None:
    """When the product's sale starts (scheduled) or ends (running); None without one."""
    attributes = product.attributes
    if SCHEDULED_SALE_PRICE in attributes:
        when = attributes.get(SALE_STARTS)
    elif REGULAR_PRICE in attributes:  # on sale
        when = attributes.get(SALE_ENDS)
    else:
        return None
    if not isinstance(when, str):
        return None
    try:
        return read_moment(when)
    except ValueError:
        return None


def due_patch(product: Product, now: datetime) -> dict[str, Any] | None:
    """The partial update that brings the product's sale to `now`: its scheduled sale given again (read
    as of now, it runs), or its sale ended; None when nothing is due."""
    when = next_change(product)
    if when is None or when > now:
        return None
    if SCHEDULED_SALE_PRICE in product.attributes:
        return sale_fields(dict(product.attributes))
    return {"sale_price": None}


def sweep(products: Iterable[Product], now: datetime) -> tuple[dict[str, dict[str, Any]], datetime | None]:
    """(the patches due by `now`, by product id; the first change after `now` among the rest)."""
    patches: dict[str, dict[str, Any]] = {}
    upcoming: datetime | None = None
    for product in products:
        patch = due_patch(product, now)
        if patch is not None:
            patches[product.id] = patch
            continue
        when = next_change(product)
        if when is not None and (upcoming is None or when < upcoming):
            upcoming = when
    return patches, upcoming


Patch = Callable[[dict[str, dict[str, Any]]], list[Product]]


def refresh_sales(lexical: LexicalIndex, patch: Patch, now: datetime, batch: int = BATCH) -> SalesReport:
    """Start and end the sales of the products in `lexical` due by `now`, the current time, through
    `patch` (`IndexUpdater.patch` for `indexer sales`, the gateway's `Catalog.patch` for its clock:
    partial updates, which read a sale as of the current time)."""
    report = SalesReport()
    ids = sorted(lexical.all_ids())
    for start in range(0, len(ids), batch):
        current: Mapping[str, Product] = lexical.get(ids[start : start + batch])
        patches, upcoming = sweep(current.values(), now)
        if upcoming is not None and (report.next_change is None or upcoming < report.next_change):
            report.next_change = upcoming
        if patches:
            stored = patch(patches)
            for product in stored:  # a sale whose start and end both passed since the last run ends
                (report.started if REGULAR_PRICE in product.attributes else report.ended).append(product.id)
            report.next_change = _earliest([report.next_change, *map(next_change, stored)])
    return report


def _earliest(moments: Iterable[datetime | None]) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None
