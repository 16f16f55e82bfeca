"""Click statistics fed from the event log: every process agrees, whichever served the list or heard
the click; a click before its list, a retried click, a log that fails, and the lean read."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import pytest

from engine.errors import BackendUnavailable
from engine.events.base import Event, Impression
from engine.events.embedded import EmbeddedEventLog
from engine.ranking.stats import ClickStats
from engine.ranking.stats_feed import StatsFeed


def served(
    search_id: str, query: str = "cordless drill", products: tuple[str, ...] = ("p1", "p2")
) -> Impression:
    return Impression(
        search_id=search_id,
        timestamp=1.0,
        query=query,
        product_ids=products,
        positions=tuple(range(1, len(products) + 1)),
        ranker_version=1,
        features=tuple((0.5, float(i)) for i in range(len(products))),
        feature_names=("a", "b"),
        user_id="u1",
        propensity_swaps=((1, 2),),
        extra={"pipeline": "full"},
    )


def click(event_id: str, search_id: str, product: str = "p2") -> Event:
    return Event(event_id, "click", product, 2.0, search_id=search_id, position=2, user_id="u1")


def process(event_log: EmbeddedEventLog) -> tuple[ClickStats, StatsFeed]:
    """What one gateway process holds: its own statistics, fed by its own reader of the shared log."""
    stats = ClickStats()
    return stats, StatsFeed(event_log, stats)


def test_two_processes_agree_on_a_click_one_heard_on_a_list_the_other_served(
    event_log: EmbeddedEventLog,
) -> None:
    (stats_a, feed_a), (stats_b, feed_b) = process(event_log), process(event_log)
    event_log.append_impressions([served("s1")])  # process A served the list
    event_log.append_events([click("e1", "s1")])  # process B heard the click
    feed_a.catch_up()
    feed_b.catch_up()
    for stats in (stats_a, stats_b):
        assert stats.query_ctr("Cordless  Drill", "p2") > stats.prior_rate  # credited to its query
        assert stats.query_ctr("cordless drill", "p1") < stats.prior_rate  # seen, not clicked
        assert stats.ctr("p2") > stats.ctr("p1")
    assert stats_a.ctrs("cordless drill", ["p1", "p2"]) == stats_b.ctrs("cordless drill", ["p1", "p2"])


def test_a_click_read_before_its_list_is_credited_to_the_query_when_the_list_arrives(
    event_log: EmbeddedEventLog,
) -> None:
    stats, feed = process(event_log)
    event_log.append_events([click("e1", "s1")])  # the served list is still in the writer's queue
    feed.catch_up()
    assert stats.query_ctr("cordless drill", "p2") == stats.prior_rate
    event_log.append_impressions([served("s1")])
    feed.catch_up()
    late = stats.query_ctr("cordless drill", "p2")
    assert late > stats.prior_rate
    in_order = ClickStats()  # the same as reading them the other way round
    in_order.observe_impression(served("s1"))
    in_order.observe_event(click("e1", "s1"))
    assert in_order.query_ctr("cordless drill", "p2") == late


def test_clicks_waiting_for_a_list_are_bounded() -> None:
    stats = ClickStats(max_waiting=3)
    for i in range(5):
        stats.observe_event(click(f"e{i}", f"s{i}"))
    stats.observe_impression(served("s0"))  # evicted: the oldest list never came in time
    stats.observe_impression(served("s4", query="hammer"))
    assert stats.query_ctr("cordless drill", "p2") < stats.prior_rate
    assert stats.query_ctr("hammer", "p2") > stats.prior_rate


def test_a_retried_click_counts_once(event_log: EmbeddedEventLog) -> None:
    stats, feed = process(event_log)
    event_log.append_impressions([served("s1")])
    event_log.append_events([click("e1", "s1")])
    feed.catch_up()
    once = stats.ctrs("cordless drill", ["p2"])
    event_log.append_events([click("e1", "s1")])  # the client retried: the log keeps it once
    assert feed.catch_up() == 0
    assert stats.ctrs("cordless drill", ["p2"]) == once


def test_the_feed_follows_what_other_processes_append(event_log: EmbeddedEventLog) -> None:
    stats = ClickStats()
    feed = StatsFeed(event_log, stats, interval_s=0.05)
    feed.catch_up()
    feed.start()
    try:
        event_log.append_impressions([served("s1")])
        event_log.append_events([click("e1", "s1")])
        deadline = time.monotonic() + 10
        while stats.query_ctr("cordless drill", "p2") <= stats.prior_rate and time.monotonic() < deadline:
            time.sleep(0.02)
        assert stats.query_ctr("cordless drill", "p2") > stats.prior_rate
        assert feed.offset == event_log.last_offset()
    finally:
        feed.close()


class BrokenLog:
    """Reads fail as an unreachable backend's do."""

    def read_signals(self, after: int, limit: int = 10_000) -> list:
        raise BackendUnavailable("event log", "read failed: disk I/O error")


def test_a_log_that_cannot_be_read_is_reported_and_the_caller_goes_on(caplog) -> None:
    feed = StatsFeed(BrokenLog(), ClickStats())  # type: ignore[arg-type]
    with pytest.raises(BackendUnavailable):
        feed.catch_up()
    with caplog.at_level(logging.WARNING):
        feed.refresh()
        feed.refresh()  # reported once a minute, not on every read
    warnings = [r for r in caplog.records if "not following the event log" in r.getMessage()]
    assert len(warnings) == 1 and "disk I/O error" in warnings[0].getMessage()
    assert feed.offset == 0


def test_the_lean_read_is_the_full_read_without_feature_rows(event_log: EmbeddedEventLog) -> None:
    event_log.append_impressions([served("s1"), served("s2", query="hammer", products=("p3",))])
    event_log.append_events([click("e1", "s1")])
    full, lean = event_log.read(after=0), event_log.read_signals(after=0)
    assert [r.offset for r in lean] == [r.offset for r in full]
    for whole, signals in zip(full, lean, strict=True):
        assert signals.event == whole.event
        if whole.impression is not None:
            assert signals.impression is not None
            assert signals.impression.features == () and signals.impression.feature_names == ()
            assert signals.impression.extra == {}
            assert signals.impression == replace(whole.impression, features=(), feature_names=(), extra={})
    assert [r.offset for r in event_log.read_signals(after=full[0].offset, limit=1)] == [full[1].offset]


def test_a_feed_rejects_a_meaningless_interval(event_log: EmbeddedEventLog) -> None:
    with pytest.raises(ValueError, match="interval_s"):
        StatsFeed(event_log, ClickStats(), interval_s=0)
