"""The fault benchmarks' bookkeeping: how answers are judged and events counted, without servers."""

from __future__ import annotations

import time
from pathlib import Path

from bench.fault_gateway import event_counts
from bench.fault_indexer import classify
from bench.fault_load import Sample, report
from bench.rebuilds import Answer
from engine.events.base import Event
from engine.events.embedded import EmbeddedEventLog


def test_answers_are_judged_against_what_was_reported_and_what_was_committed() -> None:
    floors = [(0.0, 1), (10.0, 2)]  # /readyz reported version 2 at t=10
    ceilings = [(0.0, 2), (5.0, 1), (8.0, 2)]  # a killed run's version 2 was rolled back at 5, rerun at 8
    answers = [
        Answer(1.0, "search", 200, [2, 2], 0.1),  # during the killed run: allowed
        Answer(6.0, "search", 200, [2], 0.1),  # after the kill, before the rerun: uncommitted
        Answer(6.0, "product", 200, [1], 0.1),  # fine
        Answer(11.0, "product", 200, [1], 0.1),  # after /readyz said 2: stale
        Answer(11.0, "search", 200, [1, 2], 0.1),  # mixed
        Answer(11.0, "search", 200, [-1], 0.1),  # title and price disagree: mixed
        Answer(12.0, "search", 503, [], 1.5),  # failed
        Answer(12.0, "error", 0, [], 30.0),  # no answer
    ]
    result = classify(answers, floors, ceilings)
    assert (result.requests, result.failed, result.stale, result.mixed, result.uncommitted) == (8, 2, 1, 2, 1)
    assert result.failed_by == {"search 503": 1, "error 0": 1} and result.longest_s == 30.0


def test_an_acknowledged_event_counts_as_a_full_answer_for_recovery() -> None:
    samples = [
        Sample(0.5, "search", 200, 0.1, False),
        Sample(1.0, "event", 0, 0.0, False),  # refused while the gateway was down
        Sample(2.0, "search", 0, 0.0, False),
        Sample(3.0, "event", 202, 0.05, False),
        Sample(3.5, "search", 200, 0.1, False),
    ]
    result = report("gateway-kill", samples, since=1.0, recovered_from=1.0)
    assert result.requests == 4 and result.failed == 2
    assert result.recovery_s == 2.0


def test_event_counts_reads_every_stored_event_id(tmp_path: Path) -> None:
    log = EmbeddedEventLog(tmp_path / "events" / "events.sqlite3")
    events = [
        Event(event_id=f"e{i % 3}", type="click", product_id="p1", timestamp=time.time()) for i in range(5)
    ]
    log.append_events(events)  # a retried id is stored once
    log.close()
    assert event_counts(tmp_path) == {"e0": 1, "e1": 1, "e2": 1}
