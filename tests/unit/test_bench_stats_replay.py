"""bench.stats_replay on a tiny log: both ways end with the same statistics, and the report's shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.stats_replay import PAGE, fold, main, make_log
from engine.events.embedded import EmbeddedEventLog


def test_the_log_holds_the_lists_and_clicks_asked_for(tmp_path: Path) -> None:
    log = EmbeddedEventLog(tmp_path / "events.sqlite3")
    clicks = make_log(log, lists=30, catalog=50, queries=7, click_every=3, seed=1)
    records = log.read(after=0, limit=1000)
    served = [r.impression for r in records if r.impression is not None]
    assert clicks == 10 and len(served) == 30 and len(records) == 40
    assert all(len(i.product_ids) == PAGE and len(i.features) == PAGE for i in served)
    full, _, _ = fold(log, lean=False)
    lean, _, _ = fold(log, lean=True)
    ticked, _, _ = fold(log, lean=True, tick=4)
    products = sorted({p for i in served for p in i.product_ids})
    for query in {i.query for i in served}:
        assert full.ctrs(query, products) == lean.ctrs(query, products) == ticked.ctrs(query, products)
    assert max(full.ctr(p) for p in products) > full.prior_rate  # the clicks counted
    log.close()


def test_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "replay.json"
    code = main(["--lists", "200", "--catalog", "300", "--queries", "20", "--rounds", "1", "--tick", "15"])
    assert code == 0
    assert main(["--lists", "120", "--rounds", "2", "--out", str(out), "--dir", str(tmp_path)]) == 0
    report = json.loads(out.read_text())
    assert report["same_statistics"] is True and report["lists"] == 120 and report["clicks"] == 30
    assert [len(report["ways"][w]) for w in ("full", "lean")] == [2, 2]
    assert set(report["ways"]["lean"][0]) == {"seconds", "cpu_s", "us_per_list", "tick_us_per_list"}
    assert "same statistics every way: True" in capsys.readouterr().out
    assert list(tmp_path.glob("stats-replay-*")) == []  # the log's directory is removed


def test_bad_arguments_exit_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in (
        (["--lists", "0"], "--lists must be at least 1"),
        (["--max-pairs", "1"], "at least 2"),
    ):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_a_small_bound_switches_windows_the_same_way_both_ways(tmp_path: Path) -> None:
    out = tmp_path / "replay.json"
    assert main(["--lists", "300", "--max-pairs", "400", "--rounds", "1", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["same_statistics"] is True and report["windows_started"] >= 5
    start = report["start_from_checkpoint"]
    assert start["restored"] is True and 0 < start["records_after"] < 300 and start["checkpoint_mb"] > 0
