"""The event log protocol: every served result list and every shopper action, durably, in order.

The gateway appends an `Impression` for each result list it serves and an `Event` for each reported
impression/click/add-to-cart/purchase; the ranking-update job reads them back in log order from a
checkpoint (`read(after=offset)`). An append returns only after the record is durable, so a 202 from the
gateway means the event survives a crash. Implementations: `engine.events.embedded` (local SQLite in WAL
mode, synchronous=FULL; the default) and, for scale-out, a Kafka backend behind this same protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

EventType = Literal["impression", "click", "add_to_cart", "purchase"]
EVENT_TYPES: tuple[str, ...] = ("impression", "click", "add_to_cart", "purchase")


@dataclass(frozen=True)
class Impression:
    """One result list as served: what the ranker saw and what the shopper was shown.

    `product_ids[i]` was shown at position `i + 1 + offset_in_results` (1-based positions over the whole
    result list, pages included). `features[i]` is the ranker's input row for that product;
    `propensity_swaps` records exploration (pairs of positions that were randomly swapped) so the update
    job can estimate examination propensities without bias.
    """

    search_id: str
    timestamp: float
    query: str
    product_ids: tuple[str, ...]
    positions: tuple[int, ...]
    ranker_version: int
    features: tuple[tuple[float, ...], ...] = ()
    feature_names: tuple[str, ...] = ()
    user_id: str | None = None
    session_id: str | None = None
    surface: str = "search"  # search | similar | recommendations
    propensity_swaps: tuple[tuple[int, int], ...] = ()
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """A shopper action reported by the front end, tied to the result list by `search_id`."""

    event_id: str
    type: EventType
    product_id: str
    timestamp: float
    search_id: str | None = None
    position: int | None = None
    user_id: str | None = None
    session_id: str | None = None


@dataclass(frozen=True)
class LogRecord:
    """A record as read back: its offset in the log plus exactly one of impression / event."""

    offset: int
    impression: Impression | None = None
    event: Event | None = None


def served_key(search_id: str) -> str:
    """The idempotency key of a served list: one record per search id, in every backend."""
    return f"imp:{search_id}"


def event_key(event_id: str) -> str:
    """The idempotency key of a shopper action: one record per event id, in every backend."""
    return f"ev:{event_id}"


def record_key(record: LogRecord) -> str:
    """The idempotency key of a record read back (what names it in any log)."""
    if record.impression is not None:
        return served_key(record.impression.search_id)
    return event_key(record.event.event_id) if record.event is not None else ""


@runtime_checkable
class EventLog(Protocol):
    def append_impression(self, impression: Impression) -> int:
        """Durably append; returns the record's offset. Idempotent on `search_id`."""
        ...

    def append_impressions(self, impressions: Sequence[Impression]) -> list[int]:
        """Durably append all in one write (one fsync / one produce round); offsets in order."""
        ...

    def append_events(self, events: Sequence[Event]) -> list[int]:
        """Durably append all (atomically); idempotent on `event_id` (a duplicate keeps its offset)."""
        ...

    def read(self, after: int, limit: int = 10_000) -> list[LogRecord]:
        """Records with offset > `after`, in log order, at most `limit`."""
        ...

    def read_signals(self, after: int, limit: int = 10_000) -> list[LogRecord]:
        """`read`, with each served list's `features`, `feature_names` and `extra` left empty: what
        click statistics need of the log, which every gateway process reads whole (the feature rows
        are most of a served list's bytes and of its decoding time)."""
        ...

    def impression(self, search_id: str) -> Impression | None: ...

    def recent_events(self, user_id: str, limit: int = 50) -> list[Event]:
        """The user's latest events, newest first (personalisation reads this)."""
        ...

    def counts(self) -> dict[str, int]:
        """Records per type ("impression", "click", ...), for /metrics and the admin view."""
        ...

    def last_offset(self) -> int: ...

    def close(self) -> None: ...


def read_records(log: EventLog, after: int, max_records: int, batch: int = 10_000) -> list[LogRecord]:
    """Records with offset > `after`, in log order, at most `max_records`, read `batch` at a time
    (one `read` is bounded; a reader that wants more pages through the log with this)."""
    records: list[LogRecord] = []
    offset = after
    while len(records) < max_records:
        chunk = log.read(after=offset, limit=min(batch, max_records - len(records)))
        if not chunk:
            break
        records.extend(chunk)
        offset = chunk[-1].offset
    return records
