"""Record encoding and the local materialised view of the Kafka event log.

Encoding: a message's value is exactly the JSON the embedded log stores as its payload (one format for
both backends), its key is the search id (the event id when an action has none), and two headers say
what it is: `kind` ("served" for a result list, "event" for a shopper action) and `dedup` (the
idempotency key `imp:<search_id>` / `ev:<event_id>`). Nothing is pickled.

Why a view: Kafka answers "records from offset N on" but not "has this event id been written?", "the
latest events of user U" or "how many clicks?". `LogView` folds the records in log order into exactly
those answers: the first offset of every idempotency key (so a duplicate written by a second producer
is recognised and skipped on read), the offset of each served list, a bounded list of recent events
per user and counts per type. It holds one small entry per record; its state is rebuilt from the topic
when a process opens the log, which is why the topic keeps its records (no time-based retention).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass

from engine.events.base import EVENT_TYPES, Event, Impression, LogRecord, event_key, served_key
from engine.events.codec import event_from_json, event_to_json, impression_from_json, impression_to_json

KIND_SERVED = "served"
KIND_EVENT = "event"
RECENT_PER_USER = 1000


@dataclass(frozen=True)
class Message:
    """One record as produced: partition key, value and headers."""

    key: str
    value: bytes
    dedup: str
    kind: str


def encode_impression(impression: Impression) -> Message:
    return Message(
        key=impression.search_id,
        value=impression_to_json(impression).encode(),
        dedup=served_key(impression.search_id),
        kind=KIND_SERVED,
    )


def encode_event(event: Event) -> Message:
    return Message(
        key=event.search_id or event.event_id,
        value=event_to_json(event).encode(),
        dedup=event_key(event.event_id),
        kind=KIND_EVENT,
    )


def headers_of(message: Message) -> list[tuple[str, bytes]]:
    return [("kind", message.kind.encode()), ("dedup", message.dedup.encode())]


def decode(
    offset: int, value: bytes, headers: list[tuple[str, bytes]] | None, lean: bool = False
) -> tuple[str, LogRecord]:
    """(idempotency key, record) of a consumed message; `offset` is the log offset (Kafka's + 1);
    `lean` as in `impression_from_json`."""
    named = {name: raw.decode() for name, raw in headers or ()}
    text = value.decode()
    if named.get("kind") == KIND_SERVED:
        impression = impression_from_json(text, lean)
        return named.get("dedup", ""), LogRecord(offset=offset, impression=impression)
    return named.get("dedup", ""), LogRecord(offset=offset, event=event_from_json(text))


class LogView:
    """State folded from the log in order; `next_offset` is the next Kafka offset to fold in."""

    def __init__(self, recent_per_user: int = RECENT_PER_USER) -> None:
        self.next_offset = 0
        self.recent_per_user = recent_per_user
        self._first: dict[str, int] = {}
        self._served: dict[str, int] = {}
        self._recent: dict[str, deque[Event]] = {}
        self._counts: Counter[str] = Counter()

    def apply(self, key: str, record: LogRecord) -> None:
        """Fold in the record at `record.offset` (Kafka offset `record.offset - 1`), in log order."""
        self.next_offset = record.offset
        if key in self._first:
            return  # a duplicate written by another producer: the first record stands
        self._first[key] = record.offset
        if record.impression is not None:
            self._served[record.impression.search_id] = record.offset
            self._counts["impression"] += 1
            return
        event = record.event
        assert event is not None
        self._counts["impression_event" if event.type == "impression" else event.type] += 1
        if event.user_id is not None:
            recent = self._recent.setdefault(event.user_id, deque(maxlen=self.recent_per_user))
            recent.append(event)

    def first_offset(self, key: str) -> int | None:
        """The offset of the first record with this idempotency key, if it has been folded in."""
        return self._first.get(key)

    def is_first(self, key: str, offset: int) -> bool:
        """Whether the record at `offset` is the one that counts (not a later duplicate)."""
        return self._first.get(key, offset) == offset

    def served_offset(self, search_id: str) -> int | None:
        return self._served.get(search_id)

    def recent_events(self, user_id: str, limit: int) -> list[Event]:
        recent = self._recent.get(user_id, ())
        return list(reversed(recent))[:limit]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((*EVENT_TYPES, "impression_event"), 0)
        counts.update(self._counts)
        return counts
