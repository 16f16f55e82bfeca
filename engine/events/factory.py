"""`open_event_log(settings)`: the configured event log, for the gateway and the CLIs alike.

`AISLE_EVENT_LOG=embedded` (default) is the local durable SQLite log under the data directory; `kafka`
is the broker-backed log several gateways share. Each backend module is imported only when chosen, so
the Kafka client is needed only where Kafka is configured. Every process that opens the log with the
same settings reads and writes the same records (the same file, or the same topic).
"""

from __future__ import annotations

from engine.config import Settings
from engine.events.base import EventLog


def open_event_log(settings: Settings) -> EventLog:
    """The configured event log: the local durable log, or Kafka for several gateways."""
    if settings.event_log == "kafka":
        from engine.events.kafka import open_kafka_event_log

        return open_kafka_event_log(settings)
    from engine.events.embedded import EmbeddedEventLog

    return EmbeddedEventLog(settings.path("events", "events.sqlite3"))
