"""The Kafka event log against a real broker started by scripts/kafka.sh.

Held to the embedded log as the reference: the same appends must give the same records, offsets
included. The restart test kills a consumer process with SIGKILL and checks that the committed Kafka
consumer-group offset is an exact checkpoint: nothing lost, nothing processed twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from engine.errors import InvalidInput
from engine.events.base import Event, EventLog, Impression
from engine.events.embedded import EmbeddedEventLog
from engine.events.kafka import KafkaEventLog
from engine.events.kafka_view import encode_event

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def impression(search_id: str, user: str | None = "u1") -> Impression:
    return Impression(
        search_id=search_id,
        timestamp=1.5,
        query="cordless drill",
        product_ids=("p1", "p2", "p3"),
        positions=(1, 2, 3),
        ranker_version=4,
        features=((0.5, 1.0), (0.25, 0.0), (0.0, 0.125)),
        feature_names=("bm25", "cosine"),
        user_id=user,
        session_id="sess",
        propensity_swaps=((1, 2),),
        extra={"pipeline": "full", "page": 1},
    )


def event(
    event_id: str, type_: str = "click", user: str | None = "u1", search_id: str | None = "s1"
) -> Event:
    return Event(
        event_id=event_id,
        type=type_,  # type: ignore[arg-type]
        product_id="p2",
        timestamp=2.5,
        search_id=search_id,
        position=2,
        user_id=user,
    )


def script(log: EventLog) -> list[object]:
    """One mixed sequence of appends, duplicates included; returns what each append returned."""
    return [
        log.append_impression(impression("s1")),
        log.append_events([event("e1"), event("e2", "add_to_cart")]),
        log.append_impression(impression("s1")),  # duplicate served list
        log.append_impression(impression("s2", user="u2")),
        log.append_events([event("e1"), event("e3", "purchase"), event("e3", "purchase")]),
        log.append_events([event("e4", "impression", user="u2", search_id=None)]),
        log.append_events([]),
    ]


def test_round_trip_and_reopen(kafka_bootstrap: str, kafka_topic_prefix: str) -> None:
    log = KafkaEventLog(kafka_bootstrap, kafka_topic_prefix)
    assert isinstance(log, EventLog)
    first = log.append_impression(impression("s1"))
    offsets = log.append_events([event("e1"), event("e2", "purchase")])
    assert (first, offsets) == (1, [2, 3])
    log.close()

    reopened = KafkaEventLog(kafka_bootstrap, kafka_topic_prefix)  # rebuilds its view from the topic
    records = reopened.read(after=0)
    assert [r.offset for r in records] == [1, 2, 3]
    assert records[0].impression == impression("s1")
    assert [r.event for r in records[1:]] == [event("e1"), event("e2", "purchase")]
    assert reopened.read(after=2) == records[2:]
    assert reopened.read(after=0, limit=2) == records[:2]
    assert reopened.impression("s1") == impression("s1")
    assert reopened.impression("missing") is None
    assert reopened.last_offset() == 3
    assert reopened.append_events([event("e1")]) == [2]  # idempotent across processes' restarts
    with pytest.raises(InvalidInput):
        reopened.append_events([event("e9", "refund")])
    assert reopened.last_offset() == 3
    reopened.close()


def test_same_records_as_the_embedded_log(
    kafka_bootstrap: str, kafka_topic_prefix: str, tmp_path: Path
) -> None:
    """Same records in the same order. Offsets are compared through what each log returned: the
    protocol promises increasing offsets, not gap-free ones (SQLite spends one on an ignored insert)."""
    embedded = EmbeddedEventLog(tmp_path / "events.sqlite3")
    kafka = KafkaEventLog(kafka_bootstrap, kafka_topic_prefix)
    returned = {"kafka": script(kafka), "embedded": script(embedded)}
    logs: dict[str, EventLog] = {"kafka": kafka, "embedded": embedded}
    contents = {}
    for name, log in logs.items():
        records = log.read(after=0)
        offsets = [r.offset for r in records]
        assert offsets == sorted(set(offsets))
        assert [returned[name][i] for i in (0, 3)] == [offsets[0], offsets[3]]
        assert returned[name][1] == offsets[1:3]
        assert returned[name][2] == offsets[0]  # a duplicate keeps its offset
        assert returned[name][4] == [offsets[1], offsets[4], offsets[4]]
        assert log.read(after=offsets[2], limit=2) == records[3:5]
        assert log.last_offset() == offsets[-1]
        contents[name] = [(r.impression, r.event) for r in records]
        lean = log.read_signals(after=0)  # what click statistics read: no feature rows
        assert [r.offset for r in lean] == offsets
        assert [(r.impression, r.event) for r in lean] == [
            (None if i is None else replace(i, features=(), feature_names=(), extra={}), e)
            for i, e in contents[name]
        ]
        assert log.read_signals(after=offsets[2], limit=2) == lean[3:5]
    assert contents["kafka"] == contents["embedded"]
    assert len(contents["kafka"]) == 6
    assert kafka.counts() == embedded.counts()
    for user in ("u1", "u2", "nobody"):
        assert kafka.recent_events(user) == embedded.recent_events(user)
    assert kafka.recent_events("u1", limit=2) == embedded.recent_events("u1", limit=2)
    assert kafka.impression("s2") == embedded.impression("s2")
    kafka.close()
    embedded.close()


def test_duplicates_from_two_producers_are_read_once(kafka_bootstrap: str, kafka_topic_prefix: str) -> None:
    """Two gateways that both append the same event id before seeing each other's write."""
    a = KafkaEventLog(kafka_bootstrap, kafka_topic_prefix)
    b = KafkaEventLog(kafka_bootstrap, kafka_topic_prefix)
    (first,) = a._produce([encode_event(event("e1"))])
    (second,) = b._produce([encode_event(event("e1"))])  # bypasses b's view: the race, made certain
    assert second > first
    for log in (a, b):
        assert [r.offset for r in log.read(after=0)] == [first]
        assert log.counts()["click"] == 1
        assert log.append_events([event("e1")]) == [first]
    a.close()
    b.close()


CONSUMER = textwrap.dedent(
    """
    import sys, time
    from engine.events.kafka import KafkaEventLog

    bootstrap, prefix, group, out = sys.argv[1:5]
    log = KafkaEventLog(bootstrap, prefix)
    for batch in range(3):
        records = log.read(after=log.committed(group), limit=4)
        if batch < 2:
            with open(out, "a") as fh:
                fh.writelines(f"{r.event.event_id}\\n" for r in records)
            log.commit(group, records[-1].offset)
    print("read a batch it has not committed", flush=True)
    time.sleep(600)
    """
)


def test_a_killed_consumer_resumes_from_its_committed_offset(
    kafka_bootstrap: str, kafka_topic_prefix: str, tmp_path: Path
) -> None:
    log = KafkaEventLog(kafka_bootstrap, kafka_topic_prefix)
    ids = [f"e{i:02d}" for i in range(20)]
    log.append_events([event(i) for i in ids])
    out, group = tmp_path / "processed.txt", "update-job"
    child = subprocess.Popen(
        [sys.executable, "-c", CONSUMER, kafka_bootstrap, kafka_topic_prefix, group, str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert "not committed" in line, child.stderr.read() if child.stderr else ""
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    processed = out.read_text().split()
    assert processed == ids[:8]
    assert log.committed(group) == 8

    restarted = KafkaEventLog(kafka_bootstrap, kafka_topic_prefix)
    while records := restarted.read(after=restarted.committed(group), limit=5):
        processed.extend(r.event.event_id for r in records if r.event)
        restarted.commit(group, records[-1].offset)
    assert processed == ids  # in order, none lost, none twice
    assert restarted.committed(group) == 20
    assert log.committed("another-group") == 0
    restarted.close()
    log.close()
