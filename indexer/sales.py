"""Sales that start or end between two sends of the catalog (`indexer sales`).

A record's sale is read as of the moment the record is read (`engine.schema_sale`): a sale that has not
begun is kept with the product (`scheduled_sale_price`, `sale_starts`), a running one with its end
(`sale_ends`). Left alone, the price would change only when the shop sends the product again, and a
Black Friday sale would start whenever the next export runs. The gateway's sales clock
(`AISLE_SALES_INTERVAL_S`, every 5 minutes) or `indexer sales` from cron finds the products whose
sale starts or ends by now and reads each again as of now (`indexer.partial.REREAD`, a partial
update that changes no field, applied under the writers' lock to the record as stored then, embedding
nothing): a scheduled sale whose start has come runs, a sale whose end has come is over. A record a
shop sent meanwhile is read as it was sent, and two gateway processes, or a gateway and cron, sweeping
at once write the same products. It also says when the next change is due.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.lexical.base import LexicalIndex
from engine.records import Product
from engine.sale_dates import read_moment
from engine.schema_sale import REGULAR_PRICE, SALE_ENDS, SALE_STARTS, SCHEDULED_SALE_PRICE
from indexer.partial import REREAD

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


def sweep(products: Iterable[Product], now: datetime) -> tuple[list[str], datetime | None]:
    """(the products whose sale is due by `now`; the first change after `now` among the rest)."""
    due_ids: list[str] = []
    upcoming: datetime | None = None
    for product in products:
        when = next_change(product)
        if when is not None and when <= now:
            due_ids.append(product.id)
        elif when is not None and (upcoming is None or when < upcoming):
            upcoming = when
    return due_ids, upcoming


Patch = Callable[[dict[str, Mapping[str, Any]]], list[Product]]


def refresh_sales(lexical: LexicalIndex, patch: Patch, now: datetime, batch: int = BATCH) -> SalesReport:
    """Start and end the sales of the products in `lexical` due by `now`, the current time, through
    `patch` (`IndexUpdater.patch` for `indexer sales`, the gateway's `patch_products` for its clock:
    partial updates, which read a sale as of the current time)."""
    report = SalesReport()
    ids = sorted(lexical.all_ids())
    for start in range(0, len(ids), batch):
        current: Mapping[str, Product] = lexical.get(ids[start : start + batch])
        due_ids, upcoming = sweep(current.values(), now)
        report.next_change = _earliest([report.next_change, upcoming])
        if due_ids:  # each read again as stored under the writers' lock, as of the current time
            stored = patch(dict.fromkeys(due_ids, REREAD))
            for product in stored:  # a sale whose start and end both passed since the last run ends
                (report.started if REGULAR_PRICE in product.attributes else report.ended).append(product.id)
            report.next_change = _earliest([report.next_change, *map(next_change, stored)])
    return report


def _earliest(moments: Iterable[datetime | None]) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None
