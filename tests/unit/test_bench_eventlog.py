"""bench.eventlog on a tiny embedded log: what each pattern writes and the shape of the report."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from bench.eventlog import PAGE_SIZE, _int_list, drive_clicks, drive_impressions, main, measure
from engine.errors import BackendUnavailable
from engine.events.base import Event
from engine.events.embedded import EmbeddedEventLog

RATE_KEYS = {"seconds", "records_per_s", "writes_per_s", "ms_per_write"}


def test_clicks_are_one_durable_append_each_over_all_threads(event_log: EmbeddedEventLog) -> None:
    row = drive_clicks(event_log, 50, threads=8)  # 50 does not divide by 8: no click may be lost
    assert {k: row[k] for k in ("pattern", "threads", "batch", "records", "writes")} == {
        "pattern": "click",
        "threads": 8,
        "batch": 1,
        "records": 50,
        "writes": 50,
    }
    assert event_log.counts()["click"] == 50
    assert row["records_per_s"] > 0 and row["records_per_s"] == row["writes_per_s"]
    assert row["ms_per_write"] == pytest.approx(1000 / row["writes_per_s"], rel=0.01)


def test_impressions_in_batches_take_one_write_per_batch(event_log: EmbeddedEventLog) -> None:
    one_by_one = drive_impressions(event_log, 50, batch=1, n_features=18)
    batched = drive_impressions(event_log, 50, batch=16, n_features=18)
    assert (one_by_one["writes"], batched["writes"]) == (50, 4)
    assert batched["records_per_s"] == pytest.approx(batched["writes_per_s"] * 50 / 4, rel=0.01)
    assert event_log.counts()["impression"] == 100
    served = event_log.read(after=0, limit=1)[0].impression
    assert served is not None
    assert len(served.product_ids) == len(served.features) == PAGE_SIZE
    assert all(len(row) == 18 for row in served.features)


def test_measure_runs_every_level_on_one_log(event_log: EmbeddedEventLog) -> None:
    rows = measure(event_log, 20, threads=[1, 2], batches=[1, 5], n_features=4)
    assert [(r["pattern"], r["threads"], r["batch"]) for r in rows] == [
        ("click", 1, 1),
        ("click", 2, 1),
        ("impression", 1, 1),
        ("impression", 1, 5),
    ]
    assert all(row.keys() >= RATE_KEYS and row["records"] == 20 for row in rows)
    assert event_log.counts()["click"] == 40 and event_log.counts()["impression"] == 40


class FailingLog(EmbeddedEventLog):
    def append_events(self, events: Sequence[Event]) -> list[int]:
        raise BackendUnavailable("event log", "disk full")


def test_a_failed_append_in_a_thread_fails_the_run(tmp_path: Path) -> None:
    failing = FailingLog(tmp_path / "events.sqlite")
    try:
        with pytest.raises(BackendUnavailable, match="disk full"):
            drive_clicks(failing, 10, threads=2)
    finally:
        failing.close()


def test_main_writes_the_embedded_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "eventlog.json"
    args = ["--appends", "30", "--threads", "1,3", "--batches", "1,10", "--dir", str(tmp_path)]
    assert main([*args, "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert (report["benchmark"], report["appends"], report["kafka"]) == ("eventlog", 30, None)
    assert [(r["backend"], r["pattern"], r["threads"], r["batch"]) for r in report["results"]] == [
        ("embedded", "click", 1, 1),
        ("embedded", "click", 3, 1),
        ("embedded", "impression", 1, 1),
        ("embedded", "impression", 1, 10),
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["eventlog.json"]  # the log file was removed
    assert "records/s" in capsys.readouterr().out


def test_lists_of_levels_must_be_positive() -> None:
    assert _int_list("1, 8") == [1, 8]
    for bad in ("0", "", "1,-2"):
        with pytest.raises(argparse.ArgumentTypeError):
            _int_list(bad)
