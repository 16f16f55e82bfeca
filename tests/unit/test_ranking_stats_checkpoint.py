"""A start from the click statistics' checkpoint holds what a start from the whole log holds, reads
only the records after it, and a checkpoint that does not belong to the log is ignored."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from engine.events.base import Event, Impression
from engine.events.embedded import EmbeddedEventLog
from engine.ranking.stats import ClickStats
from engine.ranking.stats_feed import StatsFeed

MAX_PAIRS = 60  # a window closes every 30 (query, product) pairs: several in a small log
QUERIES = [f"query {i}" for i in range(7)]
PRODUCTS = [f"p{i}" for i in range(23)]


def traffic(event_log: EmbeddedEventLog, lists: int, first: int = 0) -> None:
    """Served lists of three products, a click on most, some clicks before their list."""
    for i in range(first, first + lists):
        products = tuple(PRODUCTS[(i * 5 + j * 7) % len(PRODUCTS)] for j in range(3))
        served = Impression(f"s{i}", float(i), QUERIES[i % len(QUERIES)], products, (1, 2, 3), 1)
        clicked = Event(f"e{i}", "click" if i % 4 else "purchase", products[i % 3], float(i), f"s{i}")
        if i % 5 == 0:
            event_log.append_events([clicked])  # the click reached the log first
            event_log.append_impressions([served])
        else:
            event_log.append_impressions([served])
            if i % 3:
                event_log.append_events([clicked])


def same(a: ClickStats, b: ClickStats) -> None:
    for query in QUERIES:
        assert a.ctrs(query, PRODUCTS) == b.ctrs(query, PRODUCTS)
    assert [a.action_count(p) for p in PRODUCTS] == [b.action_count(p) for p in PRODUCTS]
    assert a.most_active(5) == b.most_active(5) and a.windows_started == b.windows_started


def saved(feed: StatsFeed, path: Path) -> dict:
    """The checkpoint once the feed's background save has written it."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if path.is_file() and json.loads(path.read_text())["windows_started"] == feed.stats.windows_started:
            return json.loads(path.read_text())
        time.sleep(0.02)
    pytest.fail("the checkpoint was not saved")


def test_a_start_from_the_checkpoint_holds_what_the_whole_log_gives(
    event_log: EmbeddedEventLog, tmp_path: Path
) -> None:
    path = tmp_path / "stats" / "click-stats.json"
    event_log.append_events(
        [Event("early", "click", "p1", 0.0, "s900")]
    )  # its list comes after the checkpoint
    traffic(event_log, 120)
    running = StatsFeed(event_log, ClickStats(max_pairs=MAX_PAIRS), checkpoint=path)
    running.catch_up()
    closed = running.stats.windows_started
    assert closed >= 3
    data = saved(running, path)
    # after the last window closed: a late click on an early list (its query is in the checkpoint),
    # the list the first click waited for, and a little more traffic (less than a window)
    before = running.stats.query_ctr("query 0", "p4")
    event_log.append_events([Event("late", "click", "p4", 500.0, "s119")])  # s119 showed p4 for "query 0"
    event_log.append_impressions([Impression("s900", 501.0, "query 6", ("p1", "p2"), (1, 2), 1)])
    traffic(event_log, 3, first=120)
    running.catch_up()
    assert running.stats.windows_started == closed

    restarted = StatsFeed(event_log, ClickStats(max_pairs=MAX_PAIRS), checkpoint=path)
    assert restarted.restore() and restarted.offset == data["offset"] < event_log.last_offset()
    assert restarted.catch_up() == event_log.last_offset() - data["offset"]  # only the records after it
    whole = StatsFeed(event_log, ClickStats(max_pairs=MAX_PAIRS))
    whole.catch_up()
    same(restarted.stats, whole.stats)
    same(running.stats, whole.stats)
    assert whole.stats.query_ctr("query 6", "p1") > whole.stats.prior_rate  # the waiting click counted
    assert whole.stats.query_ctr("query 0", "p4") > before  # the late click counted


def test_a_checkpoint_of_another_log_or_a_damaged_one_is_not_used(
    event_log: EmbeddedEventLog, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "click-stats.json"
    traffic(event_log, 60)
    feed = StatsFeed(event_log, ClickStats(max_pairs=MAX_PAIRS), checkpoint=path)
    feed.catch_up()
    saved(feed, path)
    other = EmbeddedEventLog(tmp_path / "other.sqlite3")  # a replaced log: other records at those offsets
    traffic(other, 60, first=1000)
    damaged = tmp_path / "damaged.json"
    damaged.write_text(path.read_text()[:-40])
    with caplog.at_level(logging.WARNING):
        assert not StatsFeed(other, ClickStats(max_pairs=MAX_PAIRS), checkpoint=path).restore()
        assert not StatsFeed(event_log, ClickStats(max_pairs=MAX_PAIRS), checkpoint=damaged).restore()
        assert not StatsFeed(event_log, ClickStats(), checkpoint=tmp_path / "absent.json").restore()
    messages = [r.getMessage() for r in caplog.records if "not used" in r.getMessage()]
    assert len(messages) == 2 and "does not hold" in messages[0]
    fresh = StatsFeed(other, ClickStats(max_pairs=MAX_PAIRS), checkpoint=path)
    assert fresh.catch_up() == other.last_offset()  # the whole log instead
    other.close()


def test_a_checkpoint_that_cannot_be_written_is_reported_and_serving_goes_on(
    event_log: EmbeddedEventLog, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    feed = StatsFeed(event_log, ClickStats(max_pairs=MAX_PAIRS), checkpoint=blocked / "click-stats.json")
    traffic(event_log, 40)
    with caplog.at_level(logging.WARNING):
        feed.catch_up()
        deadline = time.monotonic() + 10
        while (
            not any("could not save" in r.getMessage() for r in caplog.records)
            and time.monotonic() < deadline
        ):
            time.sleep(0.02)
    assert any("could not save" in r.getMessage() for r in caplog.records)
    assert feed.offset == event_log.last_offset() and feed.stats.windows_started >= 1
