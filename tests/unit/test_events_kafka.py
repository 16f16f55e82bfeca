"""The Kafka event log's pieces that need no broker: encoding, the materialised view, setup errors."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from engine.errors import ConfigError, MissingDependency
from engine.events.base import Event, Impression, LogRecord
from engine.events.kafka_view import LogView, decode, encode_event, encode_impression, headers_of


def impression(search_id: str) -> Impression:
    return Impression(
        search_id=search_id,
        timestamp=1.0,
        query="hammer",
        product_ids=("p1", "p2"),
        positions=(1, 2),
        ranker_version=2,
        features=((0.5, 1.0), (0.25, 0.0)),
        feature_names=("a", "b"),
        user_id="u1",
        propensity_swaps=((1, 2),),
        extra={"pipeline": "full"},
    )


def event(
    event_id: str, type_: str = "click", user: str | None = "u1", search_id: str | None = "s1"
) -> Event:
    return Event(event_id, type_, "p1", 2.0, search_id, 1, user)  # type: ignore[arg-type]


def test_messages_round_trip_with_keys_and_headers() -> None:
    served = encode_impression(impression("s1"))
    assert (served.key, served.dedup, served.kind) == ("s1", "imp:s1", "served")
    key, record = decode(7, served.value, headers_of(served))
    assert key == "imp:s1" and record == LogRecord(offset=7, impression=impression("s1"))

    action = encode_event(event("e1"))
    assert (action.key, action.dedup) == ("s1", "ev:e1")  # keyed by search: one search stays ordered
    assert decode(8, action.value, headers_of(action)) == ("ev:e1", LogRecord(offset=8, event=event("e1")))
    assert encode_event(event("e2", search_id=None)).key == "e2"


def fold(view: LogView, records: list[tuple[str, LogRecord]]) -> None:
    for key, record in records:
        view.apply(key, record)


def test_view_keeps_the_first_of_duplicates_and_counts_like_the_embedded_log() -> None:
    view = LogView()
    fold(
        view,
        [
            ("imp:s1", LogRecord(1, impression=impression("s1"))),
            ("ev:e1", LogRecord(2, event=event("e1"))),
            ("ev:e1", LogRecord(3, event=event("e1"))),  # a second producer's duplicate
            ("ev:e2", LogRecord(4, event=event("e2", "impression"))),
            ("ev:e3", LogRecord(5, event=event("e3", "purchase", user="u2"))),
        ],
    )
    assert view.next_offset == 5
    assert view.first_offset("ev:e1") == 2 and view.first_offset("ev:e9") is None
    assert view.is_first("ev:e1", 2) and not view.is_first("ev:e1", 3)
    assert view.served_offset("s1") == 1 and view.served_offset("s2") is None
    assert view.counts() == {
        "impression": 1,
        "click": 1,
        "add_to_cart": 0,
        "purchase": 1,
        "impression_event": 1,
    }
    assert [e.event_id for e in view.recent_events("u1", 10)] == ["e2", "e1"]
    assert [e.event_id for e in view.recent_events("u1", 1)] == ["e2"]
    assert view.recent_events("nobody", 5) == []


def test_view_bounds_recent_events_per_user() -> None:
    view = LogView(recent_per_user=3)
    fold(view, [(f"ev:e{i}", LogRecord(i + 1, event=event(f"e{i}"))) for i in range(10)])
    assert [e.event_id for e in view.recent_events("u1", 50)] == ["e9", "e8", "e7"]
    assert view.counts()["click"] == 10


def test_missing_client_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.events.kafka import KafkaEventLog

    monkeypatch.setitem(sys.modules, "confluent_kafka", None)
    with pytest.raises(MissingDependency, match="confluent-kafka"):
        KafkaEventLog("127.0.0.1:1")


def test_settings_without_a_bootstrap_fail_with_the_variable_name() -> None:
    from engine.events.kafka import open_kafka_event_log

    with pytest.raises(ConfigError, match="AISLE_KAFKA_BOOTSTRAP"):
        open_kafka_event_log(SimpleNamespace(kafka_bootstrap=None, kafka_topic_prefix="aisle"))


def test_an_unreachable_broker_is_backend_unavailable() -> None:
    from engine.errors import BackendUnavailable
    from engine.events.kafka import KafkaEventLog

    with pytest.raises(BackendUnavailable, match="kafka"):
        KafkaEventLog("127.0.0.1:1", timeout_s=1.0)


class Watermarks:
    """A reader whose partition has no leader for the first `leaderless` asks."""

    def __init__(self, kafka: object, leaderless: int, code: int) -> None:
        self.kafka, self.leaderless, self.code, self.asked = kafka, leaderless, code, 0

    def get_watermark_offsets(self, partition: object, timeout: float, cached: bool) -> tuple[int, int]:
        self.asked += 1
        if self.asked <= self.leaderless:
            raise self.kafka.KafkaException(self.kafka.KafkaError(self.code))  # type: ignore[attr-defined]
        return 0, 42


def log_reading(reader: Watermarks, kafka: object, timeout_s: float = 5.0) -> object:
    from engine.events.kafka import KafkaEventLog

    log = object.__new__(KafkaEventLog)  # no broker: only what `_end` reads
    log._kafka, log._reader, log._partition = kafka, reader, None  # type: ignore[attr-defined]
    log.timeout_s, log.topic = timeout_s, "shop.log"  # type: ignore[attr-defined]
    return log


def test_a_partition_without_a_leader_for_a_moment_is_waited_for_not_reported() -> None:
    import confluent_kafka as kafka

    reader = Watermarks(kafka, leaderless=2, code=kafka.KafkaError.NOT_LEADER_FOR_PARTITION)
    assert log_reading(reader, kafka)._end() == 42 and reader.asked == 3  # type: ignore[attr-defined]


def test_other_read_errors_and_a_leader_that_never_comes_are_reported() -> None:
    import confluent_kafka as kafka

    from engine.errors import BackendUnavailable

    denied = Watermarks(kafka, leaderless=10**6, code=kafka.KafkaError.TOPIC_AUTHORIZATION_FAILED)
    with pytest.raises(BackendUnavailable, match=r"cannot read shop\.log"):
        log_reading(denied, kafka)._end()  # type: ignore[attr-defined]
    assert denied.asked == 1
    gone = Watermarks(kafka, leaderless=10**6, code=kafka.KafkaError.LEADER_NOT_AVAILABLE)
    with pytest.raises(BackendUnavailable):
        log_reading(gone, kafka, timeout_s=0.3)._end()  # type: ignore[attr-defined]
    assert 2 <= gone.asked <= 10
