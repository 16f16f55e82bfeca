"""The gateway's sales clock: starts and ends the sales whose dates have come since the catalog was sent.

A sale not begun is kept with its product, and a running one with its end (`engine.schema_sale`). A
shop that sends its catalog once a day would otherwise see its Black Friday prices at the next send,
and a shop that does not run `indexer sales` from cron never. Every `AISLE_SALES_INTERVAL_S` (5
minutes; 0 turns it off) a background thread sweeps the catalog (`indexer.sales.refresh_sales`)
through the gateway's own writer, so the products it changes are served at once. A failed sweep is
logged and tried again at the next tick: a sale's change waits, nothing else does.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from engine.services import EngineServices
from indexer.sales import SalesReport, refresh_sales

log = logging.getLogger("api.sales")


class SalesClock:
    """A daemon thread sweeping `services`' catalog every `interval_s` seconds until `stop`."""

    def __init__(self, services: EngineServices, interval_s: float) -> None:
        self.services, self.interval_s = services, interval_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sales-clock", daemon=True)

    def start(self) -> SalesClock:
        if self.interval_s > 0:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def tick(self) -> SalesReport:
        """One sweep, now."""
        catalog = self.services.catalog
        report = refresh_sales(self.services.lexical, catalog.patch, datetime.now(UTC))
        if report.started or report.ended:
            log.info("sales: %d started, %d ended", len(report.started), len(report.ended))
        return report

    def _run(self) -> None:
        while not self._stopped.wait(self.interval_s):
            try:
                self.tick()
            except Exception:  # a backend down, an index being rebuilt: the next tick tries again
                log.exception("sales sweep failed")
