"""Click statistics in two windows: bounded pairs, rates over both windows, old evidence forgotten."""

from __future__ import annotations

import pytest

from engine.events.base import Event, Impression
from engine.ranking.stats import ClickStats


def served(search_id: str, query: str, products: tuple[str, ...]) -> Impression:
    return Impression(search_id, 0.0, query, products, tuple(range(1, len(products) + 1)), 1)


def click(event_id: str, search_id: str, product: str, type_: str = "click") -> Event:
    return Event(event_id, type_, product, 0.0, search_id=search_id)  # type: ignore[arg-type]


def pairs_held(stats: ClickStats) -> int:
    return len(stats._current.query_positions) + len(stats._previous.query_positions)


def test_rates_read_both_windows_and_the_pairs_stay_bounded() -> None:
    stats = ClickStats(max_pairs=40)  # a window holds 20 (query, product) pairs
    stats.observe_impression(served("s0", "lamp", ("a", "b")))
    stats.observe_event(click("e0", "s0", "a"))
    clicked = stats.ctrs("lamp", ["a", "b"])
    assert clicked[0][1] > stats.prior_rate > clicked[1][1]
    for i in range(1, 10):  # 9 lists x 2 new pairs: the first window fills up with "lamp"'s two
        stats.observe_impression(served(f"s{i}", f"filler {i}", (f"x{i}", f"y{i}")))
        assert pairs_held(stats) <= 40
    assert stats.windows_started == 1
    assert stats.ctrs("lamp", ["a", "b"]) == clicked  # the window before still counts
    for i in range(10, 20):  # 20 new pairs: the second window is full, the first is dropped
        stats.observe_impression(served(f"s{i}", f"filler {i}", (f"x{i}", f"y{i}")))
        assert pairs_held(stats) <= 40
    assert stats.windows_started == 2
    assert stats.ctrs("lamp", ["a", "b"]) == [(stats.prior_rate, stats.prior_rate)] * 2  # forgotten
    assert stats.action_count("a") == 0.0 and stats.most_active(3) == []


def test_a_click_is_counted_once_across_a_window_switch() -> None:
    stats = ClickStats(max_pairs=4)  # a window holds 2 pairs
    stats.observe_impression(served("s0", "lamp", ("a", "b")))  # fills the first window: it switches
    stats.observe_event(click("e0", "s0", "a"))  # counted in the second window
    stats.observe_impression(served("s1", "desk", ("c", "d")))  # the second fills: the first is dropped
    assert stats.windows_started == 2
    stats.observe_event(click("e1", "s0", "a", "add_to_cart"))  # the same examination as e0
    assert stats._both("clicks", "a") == 1
    assert stats.action_count("a") == 4.0  # the cart still counts as an action (1 + 3)


def test_processes_reading_the_same_records_switch_at_the_same_record() -> None:
    first, second = ClickStats(max_pairs=10), ClickStats(max_pairs=10)
    for i in range(12):
        list_ = served(f"s{i}", f"q{i % 3}", (f"p{i % 5}", f"p{(i + 1) % 5}"))
        event = click(f"e{i}", f"s{i}", f"p{i % 5}")
        for stats in (first, second):
            stats.observe_impression(list_)
            stats.observe_event(event)
        assert first.windows_started == second.windows_started
        for q in ("q0", "q1", "q2"):
            assert first.ctrs(q, [f"p{j}" for j in range(5)]) == second.ctrs(q, [f"p{j}" for j in range(5)])
    assert first.windows_started >= 2


def test_a_window_needs_room_for_a_pair() -> None:
    with pytest.raises(ValueError, match="max_pairs"):
        ClickStats(max_pairs=1)
