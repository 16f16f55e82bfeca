"""Popular search queries for a prefix, counted from the served search lists in the event log.

A query is suggested only once it returned results to at least `min_users` different users or
sessions, so one shopper's typing never shows up for another. Queries are keyed by
`engine.ranking.stats.normalise_query`, as the click statistics are; the latest spelling as typed is
what is shown.
"""

from __future__ import annotations

import threading
import time

from engine.events.base import EventLog
from engine.ranking.stats import normalise_query


class QuerySuggester:
    """Popular search queries from the event log, tailed incrementally.

    On first use it reads the last `window` records, then only what was appended since (at most once per
    `refresh_s`). Only lists served on the search surface that had results count. At most `max_queries`
    distinct queries are kept; when full, the least searched half is dropped.
    """

    def __init__(
        self,
        log: EventLog,
        *,
        min_users: int = 2,
        window: int = 50_000,
        refresh_s: float = 2.0,
        max_queries: int = 20_000,
    ) -> None:
        self.log = log
        self.min_users = min_users
        self.window = window
        self.refresh_s = refresh_s
        self.max_queries = max_queries
        self._offset: int | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._users: dict[str, set[str]] = {}
        self._shown: dict[str, str] = {}  # normalised -> the latest spelling as typed

    def refresh(self) -> None:
        if time.monotonic() - self._checked < self.refresh_s or not self._lock.acquire(blocking=False):
            return
        try:
            if self._offset is None:
                self._offset = max(self.log.last_offset() - self.window, 0)
            while batch := self.log.read(self._offset, limit=5_000):
                for record in batch:
                    item = record.impression
                    if item is not None and item.surface == "search" and item.product_ids:
                        self._add(item.query, item.user_id or item.session_id or "anonymous")
                self._offset = batch[-1].offset
            self._checked = time.monotonic()
        finally:
            self._lock.release()

    def _add(self, query: str, who: str) -> None:
        key = normalise_query(query)
        if not key:
            return
        self._counts[key] = self._counts.get(key, 0) + 1
        self._shown[key] = query.strip()
        users = self._users.setdefault(key, set())
        if len(users) < self.min_users:
            users.add(who)
        if len(self._counts) > self.max_queries:
            for dropped in sorted(self._counts, key=self._counts.__getitem__)[: self.max_queries // 2]:
                del self._counts[dropped], self._users[dropped], self._shown[dropped]

    def suggest(self, prefix: str, size: int = 8) -> list[tuple[str, int]]:
        """Queries starting with `prefix` (or with a word starting with it), most searched first."""
        self.refresh()
        want = normalise_query(prefix)
        found = []
        for key, count in list(self._counts.items()):
            if len(self._users.get(key, ())) < self.min_users:
                continue
            if key.startswith(want):
                found.append((0, -count, key))
            elif f" {want}" in f" {key}":
                found.append((1, -count, key))
        return [(self._shown[key], -neg) for _, neg, key in sorted(found)[:size]]
