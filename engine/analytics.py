"""Search analytics from the event log: searches over time, top and zero-result queries, click-through
and conversion by query and by ranker version.

Everything is counted from the log itself (the impressions every served list writes and the events
shoppers report), so the figures hold whichever protocol the searches and clicks came through (our API,
InstantSearch/Insights, UBI). Definitions:

- a *search* is a logged result list on a query surface ("search", or "ubi" for lists a UBI client
  reported); browsing without a query, similar items and recommendations are not searches. Pages of one
  query are separate searches, as each is a list a shopper saw;
- a query is counted under the key click statistics and merchandising rules use for it
  (`engine.ranking.stats.normalise_query`: trimmed, case-folded, inner spaces collapsed);
- a *zero-result* search is one whose list was empty;
- a search is *clicked* when at least one click, and *converted* when at least one add-to-cart or
  purchase, names its `search_id` (several clicks on one list count once);
- click-through rate = clicked searches / searches; conversion rate = converted searches / searches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.events.base import EventLog, Impression, LogRecord, read_records
from engine.ranking.stats import normalise_query

QUERY_SURFACES = ("search", "ubi")
CONVERSIONS = ("add_to_cart", "purchase")


@dataclass
class Tally:
    """Searches and how many of them were clicked, converted, or empty."""

    searches: int = 0
    zero_results: int = 0
    clicked: int = 0
    converted: int = 0

    @property
    def ctr(self) -> float:
        return self.clicked / self.searches if self.searches else 0.0

    @property
    def conversion_rate(self) -> float:
        return self.converted / self.searches if self.searches else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "searches": self.searches,
            "zero_results": self.zero_results,
            "clicked": self.clicked,
            "converted": self.converted,
            "ctr": round(self.ctr, 6),
            "conversion_rate": round(self.conversion_rate, 6),
        }


@dataclass
class SearchAnalytics:
    bucket_s: int
    total: Tally = field(default_factory=Tally)
    over_time: dict[int, Tally] = field(default_factory=dict)  # bucket start (Unix seconds) -> tally
    by_query: dict[str, Tally] = field(default_factory=dict)
    by_version: dict[int, Tally] = field(default_factory=dict)
    records_read: int = 0

    def top_queries(self, limit: int) -> list[tuple[str, Tally]]:
        ranked = sorted(self.by_query.items(), key=lambda item: (-item[1].searches, item[0]))
        return ranked[:limit]

    def zero_result_queries(self, limit: int) -> list[tuple[str, Tally]]:
        empty = [(q, t) for q, t in self.by_query.items() if t.zero_results]
        return sorted(empty, key=lambda item: (-item[1].zero_results, item[0]))[:limit]

    def to_dict(self, limit: int = 20) -> dict[str, object]:
        return {
            "bucket_s": self.bucket_s,
            "records_read": self.records_read,
            "total": self.total.to_dict(),
            "over_time": [{"start": start, **t.to_dict()} for start, t in sorted(self.over_time.items())],
            "top_queries": [{"query": q, **t.to_dict()} for q, t in self.top_queries(limit)],
            "zero_result_queries": [{"query": q, **t.to_dict()} for q, t in self.zero_result_queries(limit)],
            "by_ranker_version": [
                {"ranker_version": v, **t.to_dict()} for v, t in sorted(self.by_version.items())
            ],
        }


def summarise(
    records: Iterable[LogRecord], bucket_s: int = 3600, since: float | None = None
) -> SearchAnalytics:
    """Analytics over `records` (impressions from `since` on, and the events that name them)."""
    if bucket_s < 1:
        raise ValueError("bucket_s must be >= 1")
    searches: dict[str, Impression] = {}
    clicked: set[str] = set()
    converted: set[str] = set()
    result = SearchAnalytics(bucket_s=bucket_s)
    for record in records:
        result.records_read += 1
        item = record.impression
        if item is not None:
            if item.surface in QUERY_SURFACES and (since is None or item.timestamp >= since):
                searches.setdefault(item.search_id, item)
            continue
        event = record.event
        if event is None or not event.search_id:
            continue
        if event.type == "click":
            clicked.add(event.search_id)
        elif event.type in CONVERSIONS:
            converted.add(event.search_id)
    for search_id, item in searches.items():
        empty = not item.product_ids
        start = int(item.timestamp // bucket_s) * bucket_s
        for tally in (
            result.total,
            result.over_time.setdefault(start, Tally()),
            result.by_query.setdefault(normalise_query(item.query), Tally()),
            result.by_version.setdefault(item.ranker_version, Tally()),
        ):
            tally.searches += 1
            tally.zero_results += empty
            tally.clicked += search_id in clicked
            tally.converted += search_id in converted
    return result


def read_log(log: EventLog, max_records: int, batch: int = 10_000) -> list[LogRecord]:
    """About the newest `max_records` records of `log`, in order (analytics over a bounded window;
    offsets are counted back from the last one, so a log with gaps in its offsets yields fewer)."""
    return read_records(log, max(log.last_offset() - max_records, 0), max_records, batch)
