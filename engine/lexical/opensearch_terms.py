"""Which analysed terms an OpenSearch index has in its searchable fields, asked in one request and
kept a moment, for the compounds a query may be written apart as (`engine.lexical.readings`).

The embedded index looks a term up in its term dictionary; a cluster has no such call, so a
`filters` aggregation counts, for each term, the products holding it in a searchable field. Only the
possible parts of a query's long words are asked, only in languages that write compounds as one word,
and a search asks the same terms several times (its count, facets, page and family queries each
build the membership query), so answers are kept `TTL_S` (and dropped on this process's writes).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection
from typing import Any

TTL_S = 1.0
MAX_KEPT = 10_000


def known_body(terms: list[str], fields: list[str]) -> dict[str, Any]:
    """A search counting, per term, the products holding it in one of `fields` (names without boosts)."""
    holds = {f"t{i}": {"bool": {"should": [{"term": {f: t}} for f in fields]}} for i, t in enumerate(terms)}
    return {
        "query": {"bool": {"should": list(holds.values())}},
        "size": 0,
        "track_total_hits": False,
        "aggs": {"known": {"filters": {"filters": holds}}},
    }


def read_known(response: dict[str, Any], terms: list[str]) -> set[str]:
    buckets = response["aggregations"]["known"]["buckets"]
    return {term for i, term in enumerate(terms) if buckets[f"t{i}"]["doc_count"] > 0}


class KnownTerms:
    """`(terms) -> the known ones`, through `lookup` for the terms not asked in the last `TTL_S`."""

    def __init__(self, lookup: Callable[[list[str]], set[str]], ttl_s: float = TTL_S) -> None:
        self.lookup = lookup
        self.ttl_s = ttl_s
        self._kept: dict[str, tuple[bool, float]] = {}
        self._lock = threading.Lock()

    def __call__(self, terms: Collection[str]) -> set[str]:
        now = time.monotonic()
        with self._lock:
            kept = {t: self._kept.get(t) for t in terms}
        fresh = {t: v[0] for t, v in kept.items() if v is not None and now - v[1] < self.ttl_s}
        asked = sorted(t for t in terms if t not in fresh)
        if asked:
            found = self.lookup(asked)
            fresh.update((t, t in found) for t in asked)
            with self._lock:
                if len(self._kept) > MAX_KEPT:
                    self._kept = {}
                self._kept.update((t, (t in found, now)) for t in asked)
        return {t for t, present in fresh.items() if present}

    def clear(self) -> None:
        with self._lock:
            self._kept = {}
