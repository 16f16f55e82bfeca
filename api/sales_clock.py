"""The gateway's sales clock: starts and ends the sales whose dates have come since the catalog was sent.

A sale not begun is kept with its product, and a running one with its end (`engine.schema_sale`). A
shop that sends its catalog once a day would otherwise see its Black Friday prices at the next send,
and a shop that does not run `indexer sales` from cron never. Every `AISLE_SALES_INTERVAL_S` (5
minutes; 0 turns it off) a background thread sweeps the catalog (`indexer.sales.refresh_sales`)
through the gateway's own writer and product cache (`patch_products`), so the products it changes are
served at once. A sweep reads every
product, so a tick sweeps only when the catalog was written since the last sweep (any process's write
changes the manifest on disk, `engine.catalog.manifest_stamp`) or the next sale change it found has
come. A failed sweep is logged and tried again at the next tick: a sale's change waits, nothing else
does.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from engine.catalog import manifest_stamp
from engine.services import EngineServices
from indexer.sales import SalesReport, refresh_sales

log = logging.getLogger("api.sales")


class SalesClock:
    """A daemon thread sweeping `services`' catalog every `interval_s` seconds until `stop`."""

    def __init__(self, services: EngineServices, interval_s: float) -> None:
        self.services, self.interval_s = services, interval_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sales-clock", daemon=True)
        self._swept: object = None  # the catalog's stamp at the last sweep (None: never swept)
        self._next: datetime | None = None  # the next sale change that sweep found

    def start(self) -> SalesClock:
        if self.interval_s > 0:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def tick(self) -> SalesReport | None:
        """One sweep, now, unless nothing can be due: the catalog unchanged since the last sweep and its
        next sale change still to come. The report of the sweep, or None when there was none."""
        stamp, now = self._stamp(), datetime.now(UTC)
        if stamp is not None and stamp == self._swept and (self._next is None or now < self._next):
            return None
        report = refresh_sales(self.services.lexical, self.services.patch_products, now)
        self._swept, self._next = stamp, report.next_change  # its own writes make the next tick sweep again
        if report.started or report.ended:
            log.info("sales: %d started, %d ended", len(report.started), len(report.ended))
        return report

    def _stamp(self) -> object:
        """What changes when any process writes the catalog; None where it cannot be told."""
        root = getattr(self.services.catalog, "root", None)
        return manifest_stamp(root) if root is not None else None

    def _run(self) -> None:
        while not self._stopped.wait(self.interval_s):
            try:
                self.tick()
            except Exception:  # a backend down, an index being rebuilt: the next tick tries again
                log.exception("sales sweep failed")
