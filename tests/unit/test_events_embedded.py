"""The embedded event log: durability across reopen, idempotency, order, torn writes."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from engine.errors import BackendUnavailable, InvalidInput
from engine.events.base import Event, EventLog, Impression, read_records
from engine.events.embedded import EmbeddedEventLog


def impression(search_id: str, user: str | None = "u1") -> Impression:
    return Impression(
        search_id=search_id,
        timestamp=1.0,
        query="shoes",
        product_ids=("p1", "p2"),
        positions=(1, 2),
        ranker_version=1,
        features=((0.5, 1.0), (0.25, 0.0)),
        feature_names=("a", "b"),
        user_id=user,
        propensity_swaps=((1, 2),),
        extra={"pipeline": "full"},
    )


def click(event_id: str, product: str = "p1", user: str = "u1", type_: str = "click") -> Event:
    return Event(
        event_id=event_id,
        type=type_,
        product_id=product,
        timestamp=2.0,
        search_id="s1",  # type: ignore[arg-type]
        position=1,
        user_id=user,
    )


def test_implements_the_protocol(tmp_path: Path) -> None:
    log = EmbeddedEventLog(tmp_path / "log.db")
    assert isinstance(log, EventLog)
    log.close()


def test_records_survive_reopen_in_order(tmp_path: Path) -> None:
    log = EmbeddedEventLog(tmp_path / "log.db")
    first = log.append_impression(impression("s1"))
    offsets = log.append_events([click("e1"), click("e2", "p2", type_="purchase")])
    log.close()

    reopened = EmbeddedEventLog(tmp_path / "log.db")
    records = reopened.read(after=0)
    assert [r.offset for r in records] == [first, *offsets]
    assert records[0].impression == impression("s1")
    assert records[1].event == click("e1")
    assert records[2].event is not None and records[2].event.type == "purchase"
    assert reopened.read(after=offsets[0]) == records[2:]
    assert reopened.last_offset() == offsets[-1]
    assert reopened.impression("s1") == impression("s1")
    assert reopened.impression("nope") is None
    reopened.close()


def test_read_records_pages_through_the_log_up_to_a_bound(tmp_path: Path) -> None:
    log = EmbeddedEventLog(tmp_path / "log.db")
    offsets = log.append_events([click(f"e{i}", product=f"p{i}") for i in range(7)])
    everything = read_records(log, after=0, max_records=100, batch=2)  # four pages of at most two
    assert [r.offset for r in everything] == offsets
    bounded = read_records(log, after=offsets[1], max_records=3, batch=2)
    assert [r.offset for r in bounded] == offsets[2:5]
    assert read_records(log, after=offsets[-1], max_records=5) == []
    log.close()


def test_appends_are_idempotent(tmp_path: Path) -> None:
    log = EmbeddedEventLog(tmp_path / "log.db")
    a = log.append_impression(impression("s1"))
    assert log.append_impression(impression("s1")) == a
    first = log.append_events([click("e1")])
    again = log.append_events([click("e1"), click("e2")])
    assert again[0] == first[0] and again[1] > first[0]
    assert len(log.read(after=0)) == 3
    log.close()


def test_a_bad_batch_writes_nothing(tmp_path: Path) -> None:
    log = EmbeddedEventLog(tmp_path / "log.db")
    with pytest.raises(InvalidInput):
        log.append_events([click("e1"), click("e2", type_="refund")])
    assert log.read(after=0) == []
    log.close()


def test_recent_events_and_counts(tmp_path: Path) -> None:
    log = EmbeddedEventLog(tmp_path / "log.db")
    log.append_impression(impression("s1"))
    log.append_events([click("e1", "p1"), click("e2", "p2", type_="add_to_cart"), click("e3", "p3", "u2")])
    log.append_events([click("e4", "p4", type_="impression")])
    recent = log.recent_events("u1")
    assert [e.event_id for e in recent] == ["e4", "e2", "e1"]
    assert [e.event_id for e in log.recent_events("u1", limit=1)] == ["e4"]
    assert log.counts() == {
        "impression": 1,
        "click": 2,
        "add_to_cart": 1,
        "purchase": 0,
        "impression_event": 1,
    }
    log.close()


def test_torn_write_is_dropped_and_earlier_records_survive(tmp_path: Path) -> None:
    """Simulate a crash mid-append: copy the files while the log is open (nothing checkpointed), cut
    the write-ahead log in the middle of the last transaction, and open the copy."""
    source = tmp_path / "live"
    source.mkdir()
    log = EmbeddedEventLog(source / "log.db")
    log._db.execute("PRAGMA wal_autocheckpoint=0")
    log.append_events([click("e1")])
    wal = source / "log.db-wal"
    committed_size = wal.stat().st_size
    log.append_events([click(f"big{i}", product="x" * 500) for i in range(20)])
    grown = wal.stat().st_size
    assert grown > committed_size

    crashed = tmp_path / "crashed"
    crashed.mkdir()
    shutil.copy(source / "log.db", crashed / "log.db")
    with open(wal, "rb") as handle:
        torn = handle.read(committed_size + (grown - committed_size) // 2)
    (crashed / "log.db-wal").write_bytes(torn)
    log.close()

    recovered = EmbeddedEventLog(crashed / "log.db")
    events = [r.event.event_id for r in recovered.read(after=0) if r.event]
    assert events == ["e1"]
    recovered.append_events([click("e2")])  # the log stays writable after recovery
    assert [r.event.event_id for r in recovered.read(after=0) if r.event] == ["e1", "e2"]
    recovered.close()


def test_uses_wal_with_full_sync(tmp_path: Path) -> None:
    log = EmbeddedEventLog(tmp_path / "log.db")
    assert log._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert log._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    log.close()
    assert sqlite3.connect(tmp_path / "log.db").execute("SELECT COUNT(*) FROM log").fetchone()[0] == 0


def _open_together(path: str, barrier: Any, answers: Any) -> None:
    barrier.wait()
    try:
        EmbeddedEventLog(Path(path)).close()
        answers.put("ok")
    except BackendUnavailable as exc:
        answers.put(exc.message)


def test_processes_opening_a_new_log_together_all_open_it(tmp_path: Path) -> None:
    # Gateway workers start at once, and each switches a new file to WAL, which SQLite refuses with
    # "database is locked" instead of waiting while another connection does the same.
    context = multiprocessing.get_context("fork")
    answers = []
    for trial in range(20):
        path = str(tmp_path / f"events-{trial}.sqlite3")
        barrier, queue = context.Barrier(8), context.Queue()
        workers = [context.Process(target=_open_together, args=(path, barrier, queue)) for _ in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        answers += [queue.get(timeout=10) for _ in workers]
    assert answers == ["ok"] * 160
