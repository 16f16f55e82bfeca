"""The Kafka event log: `EventLog` on a broker cluster, for gateways running on more than one machine.

Topic layout: ONE topic `<prefix>.log` with ONE partition holds served lists and shopper actions
together. That is what lets the protocol's single offset mean something: log offset = Kafka offset + 1
(the embedded log also starts at 1, and `read(after=0)` means "from the start"), and the update job's
`read(after)` sees impressions before the clicks on them, in the order the gateways wrote them.
Messages are keyed by search id, so one search's records stay ordered even on a partitioned copy of the
topic. One partition carries tens of MB/s, far above a shop's click stream; a log that outgrows it
needs per-partition offsets, which this protocol cannot express.

Writes: an idempotent producer (`enable.idempotence`, `acks=all`) and a `flush` before an append
returns, so a returned offset means the broker acknowledged the record on every in-sync replica.
Idempotency on search id / event id comes from the local view (`engine.events.kafka_view`): a key
already in the log is not produced again, and a duplicate from a concurrent producer elsewhere is
skipped on read. A batch either returns all its offsets or raises; a retry after an error is safe.

Checkpoints: `commit(group, offset)` / `committed(group)` store a reader's position as the committed
offset of a Kafka consumer group, so a consumer that dies resumes exactly after what it committed.

Just over 300 lines because it is the whole Kafka event log behind one class: topic checks, writes,
reads by offset and the consumer's committed position share its client state.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from engine.errors import BackendUnavailable, ConfigError, InvalidInput, MissingDependency
from engine.events.base import EVENT_TYPES, Event, Impression, LogRecord
from engine.events.kafka_view import LogView, Message, decode, encode_event, encode_impression, headers_of

_CHUNK = 500


def _import_kafka() -> Any:
    try:
        import confluent_kafka
        import confluent_kafka.admin  # the package does not import this submodule itself
    except ImportError as exc:
        raise MissingDependency("confluent-kafka", "the Kafka event log", extra="kafka") from exc
    return confluent_kafka


class KafkaEventLog:
    """`EventLog` over the topic `<topic_prefix>.log` (created on first use). See the module docstring."""

    def __init__(
        self,
        bootstrap: str,
        topic_prefix: str = "aisle",
        *,
        replication_factor: int = 1,
        timeout_s: float = 10.0,
        client_id: str = "aisle",
    ) -> None:
        self._kafka = _import_kafka()
        self.bootstrap = bootstrap
        self.topic = f"{topic_prefix}.log"
        self.timeout_s = timeout_s
        self._common = {"bootstrap.servers": bootstrap, "client.id": client_id}
        self._lock = threading.RLock()
        self._view = LogView()
        self._groups: dict[str, Any] = {}
        self._ensure_topic(replication_factor)
        self._producer = self._kafka.Producer(
            {
                **self._common,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 0,
                "message.timeout.ms": int(timeout_s * 1000),
            }
        )
        self._reader = self._consumer(f"{topic_prefix}.reader")
        self._partition = self._kafka.TopicPartition(self.topic, 0)

    # --- setup --------------------------------------------------------------------------------------

    def _consumer(self, group: str) -> Any:
        return self._kafka.Consumer(
            {
                **self._common,
                "group.id": group,
                "enable.auto.commit": False,
                "enable.auto.offset.store": False,
                "auto.offset.reset": "earliest",
                "isolation.level": "read_committed",
                # Reads are short catch-ups to a known end offset: answer fast instead of waiting to
                # batch, and stop fetching in between (`_fetch` unassigns).
                "fetch.wait.max.ms": 10,
            }
        )

    @property
    def _leaderless(self) -> set[int]:
        """Errors of a partition without a (known) leader for a moment, whatever their retriable flag."""
        codes = self._kafka.KafkaError
        return {codes.LEADER_NOT_AVAILABLE, codes.NOT_LEADER_FOR_PARTITION, codes.UNKNOWN_TOPIC_OR_PART}

    def _ensure_topic(self, replication_factor: int) -> None:
        admin = self._kafka.admin.AdminClient(self._common)
        try:
            topics = admin.list_topics(timeout=self.timeout_s).topics
            if self.topic not in topics:
                config = {"retention.ms": "-1", "retention.bytes": "-1"}
                if replication_factor > 1:
                    config["min.insync.replicas"] = str(min(2, replication_factor))
                new = self._kafka.admin.NewTopic(
                    self.topic, num_partitions=1, replication_factor=replication_factor, config=config
                )
                try:
                    admin.create_topics([new], operation_timeout=self.timeout_s)[self.topic].result()
                except self._kafka.KafkaException as exc:
                    if exc.args[0].code() != self._kafka.KafkaError.TOPIC_ALREADY_EXISTS:
                        raise
                topics = admin.list_topics(topic=self.topic, timeout=self.timeout_s).topics
            # A topic created a moment ago can show no partitions until its leader is elected: wait for
            # them (bounded) before judging the count.
            deadline = time.monotonic() + self.timeout_s
            while not _partitions(topics, self.topic) and time.monotonic() < deadline:
                time.sleep(0.1)
                topics = admin.list_topics(topic=self.topic, timeout=self.timeout_s).topics
        except self._kafka.KafkaException as exc:
            raise BackendUnavailable("kafka", f"{self.bootstrap}: {exc}") from exc
        partitions = _partitions(topics, self.topic)
        if partitions != 1:
            raise ConfigError(
                f"AISLE_KAFKA_TOPIC_PREFIX: topic {self.topic} has {partitions} partitions; the event log "
                "needs exactly one (its offsets are the protocol's offsets)"
            )

    # --- writes -------------------------------------------------------------------------------------

    def append_impression(self, impression: Impression) -> int:
        return self._append([encode_impression(impression)])[0]

    def append_impressions(self, impressions: Sequence[Impression]) -> list[int]:
        return self._append([encode_impression(impression) for impression in impressions])

    def append_events(self, events: Sequence[Event]) -> list[int]:
        for event in events:
            if event.type not in EVENT_TYPES:
                raise InvalidInput(f"unknown event type {event.type!r}; expected one of {EVENT_TYPES}")
        return self._append([encode_event(event) for event in events])

    def _append(self, messages: list[Message]) -> list[int]:
        if not messages:
            return []
        with self._lock:
            self._catch_up()
            known = {m.dedup: self._view.first_offset(m.dedup) for m in messages}
            fresh = list({m.dedup: m for m in messages if known[m.dedup] is None}.values())
            known.update(zip((m.dedup for m in fresh), self._produce(fresh), strict=True))
            return [int(known[m.dedup] or 0) for m in messages]

    def _produce(self, messages: list[Message]) -> list[int]:
        """Produce and flush; the log offsets in order, or BackendUnavailable if any record failed."""
        offsets: list[int | None] = [None] * len(messages)
        errors: list[str] = []

        def delivered(index: int) -> Any:
            def report(err: Any, msg: Any) -> None:
                if err is not None:
                    errors.append(str(err))
                else:
                    offsets[index] = int(msg.offset()) + 1

            return report

        try:
            for index, message in enumerate(messages):
                self._producer.produce(
                    self.topic,
                    key=message.key.encode(),
                    value=message.value,
                    headers=headers_of(message),
                    on_delivery=delivered(index),
                )
            pending = self._producer.flush(self.timeout_s)
        except (self._kafka.KafkaException, BufferError) as exc:
            raise BackendUnavailable("kafka", f"produce to {self.topic} failed: {exc}") from exc
        if pending or errors or any(o is None for o in offsets):
            detail = "; ".join(errors[:3]) or f"{pending} record(s) not acknowledged in {self.timeout_s}s"
            raise BackendUnavailable("kafka", f"produce to {self.topic} failed: {detail}")
        return [int(o or 0) for o in offsets]

    # --- reads --------------------------------------------------------------------------------------

    def _end(self) -> int:
        """The high watermark: the Kafka offset the next record will get. A retriable error (the
        partition's leader not elected yet on a new topic, or moving after a broker failover) is retried
        until `timeout_s`."""
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                _, high = self._reader.get_watermark_offsets(
                    self._partition, timeout=self.timeout_s, cached=False
                )
                return int(high)
            except self._kafka.KafkaException as exc:
                error = exc.args[0]
                moving = error.retriable() or error.code() in self._leaderless
                if not moving or time.monotonic() >= deadline:
                    raise BackendUnavailable("kafka", f"cannot read {self.topic}: {exc}") from exc
                time.sleep(0.1)

    def _fetch(self, start: int, end: int, lean: bool = False) -> list[tuple[str, LogRecord]]:
        """Decoded records with Kafka offsets in [start, end) (`lean`: see `read_signals`)."""
        if start >= end:
            return []
        self._reader.assign([self._kafka.TopicPartition(self.topic, 0, start)])
        try:
            return self._consume_until(start, end, lean)
        finally:
            self._reader.unassign()

    def _consume_until(self, start: int, end: int, lean: bool) -> list[tuple[str, LogRecord]]:
        out: list[tuple[str, LogRecord]] = []
        deadline = time.monotonic() + self.timeout_s
        position = start
        while position < end:
            if time.monotonic() > deadline:
                raise BackendUnavailable("kafka", f"reading {self.topic} at offset {position} timed out")
            for msg in self._reader.consume(num_messages=min(_CHUNK, end - position), timeout=1.0):
                if msg.error() is not None:
                    if msg.error().code() == self._kafka.KafkaError._PARTITION_EOF:
                        continue
                    raise BackendUnavailable("kafka", f"reading {self.topic} failed: {msg.error()}")
                position = int(msg.offset()) + 1
                if position <= end:
                    out.append(decode(position, msg.value(), msg.headers(), lean))
        return out

    def _catch_up(self) -> None:
        """Fold every record written so far (by any producer) into the view."""
        end = self._end()
        while self._view.next_offset < end:
            first, last = self._view.next_offset, min(end, self._view.next_offset + 5000)
            for key, record in self._fetch(first, last, lean=True):  # the view needs no feature rows
                self._view.apply(key, record)

    def read(self, after: int, limit: int = 10_000) -> list[LogRecord]:
        return self._read(after, limit, lean=False)

    def read_signals(self, after: int, limit: int = 10_000) -> list[LogRecord]:
        return self._read(after, limit, lean=True)

    def _read(self, after: int, limit: int, lean: bool) -> list[LogRecord]:
        with self._lock:
            self._catch_up()
            end, start = self._view.next_offset, max(after, 0)
            records: list[LogRecord] = []
            while start < end and len(records) < limit:
                chunk = self._fetch(start, min(end, start + limit - len(records)), lean)
                if not chunk:
                    break
                records.extend(r for key, r in chunk if self._view.is_first(key, r.offset))
                start = chunk[-1][1].offset
            return records[:limit]

    def impression(self, search_id: str) -> Impression | None:
        with self._lock:
            self._catch_up()
            offset = self._view.served_offset(search_id)
            if offset is None:
                return None
            return self._fetch(offset - 1, offset)[0][1].impression

    def recent_events(self, user_id: str, limit: int = 50) -> list[Event]:
        with self._lock:
            self._catch_up()
            return self._view.recent_events(user_id, limit)

    def counts(self) -> dict[str, int]:
        with self._lock:
            self._catch_up()
            return self._view.counts()

    def last_offset(self) -> int:
        with self._lock:
            return self._end()

    # --- consumer-group checkpoints -------------------------------------------------------------------

    def committed(self, group: str) -> int:
        """The last log offset `group` committed as processed (0 when it never committed)."""
        with self._lock:
            consumer = self._groups.setdefault(group, self._consumer(group))
            try:
                (tp,) = consumer.committed(
                    [self._kafka.TopicPartition(self.topic, 0)], timeout=self.timeout_s
                )
            except self._kafka.KafkaException as exc:
                raise BackendUnavailable("kafka", f"cannot read the offset of group {group}: {exc}") from exc
            return max(int(tp.offset), 0)

    def commit(self, group: str, offset: int) -> None:
        """Record that `group` has processed every record up to log offset `offset`, synchronously."""
        with self._lock:
            consumer = self._groups.setdefault(group, self._consumer(group))
            try:
                consumer.commit(
                    offsets=[self._kafka.TopicPartition(self.topic, 0, offset)], asynchronous=False
                )
            except self._kafka.KafkaException as exc:
                raise BackendUnavailable("kafka", f"cannot commit group {group}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._producer.flush(self.timeout_s)
            for consumer in (self._reader, *self._groups.values()):
                consumer.close()
            self._groups.clear()


def open_kafka_event_log(settings: Any) -> KafkaEventLog:
    """The Kafka log named by settings (`kafka_bootstrap`, `kafka_topic_prefix`, ...)."""
    bootstrap = settings.kafka_bootstrap
    if not bootstrap:
        raise ConfigError("AISLE_KAFKA_BOOTSTRAP: must name host:port[,host:port] when AISLE_EVENT_LOG=kafka")
    return KafkaEventLog(
        bootstrap,
        settings.kafka_topic_prefix,
        replication_factor=int(settings.kafka_replication_factor),
        timeout_s=float(settings.kafka_timeout_s),
    )


def _partitions(topics: dict[str, Any], topic: str) -> int:
    """How many partitions the cluster metadata shows for `topic` (0 while it is not there yet)."""
    meta = topics.get(topic)
    return len(meta.partitions) if meta is not None and meta.partitions else 0
