"""The examination-corrected `query_ctr`: a view counts as the examination probability of its position."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from engine.events.base import Event, Impression
from engine.ranking.examination import (
    ExaminationWatcher,
    examination_path,
    load_examination,
    save_examination,
)
from engine.ranking.stats import ClickStats

THETA = (1.0, 0.5, 0.25, 0.2)


def _shown(stats: ClickStats, query: str, products: tuple[str, ...], searches: int, clicked: str) -> None:
    """`searches` lists of `products` in order under `query`, each with one click on `clicked`."""
    for i in range(searches):
        sid = f"{query}-{products[0]}-{i}"
        stats.observe_impression(Impression(sid, 0.0, query, products, tuple(range(1, len(products) + 1)), 1))
        stats.observe_event(Event(f"e-{sid}", "click", clicked, 0.0, search_id=sid))


def test_views_count_as_their_positions_examination() -> None:
    stats = ClickStats(alpha=1.0, beta=9.0, examination=lambda: THETA)
    # "d" shown at position 4 (theta 0.2) ten times, clicked twice: 2 clicks in 2 expected examinations.
    _shown(stats, "lamp", ("a", "b", "c", "d"), 10, clicked="d")
    assert stats.query_ctr("lamp", "d") == pytest.approx((10 + 1) / (2.0 + 10))
    assert stats.query_ctr("lamp", "a") == pytest.approx(1 / (10.0 + 10))  # seen every time, never clicked
    assert stats.query_ctr("lamp", "c") == pytest.approx(1 / (2.5 + 10))
    # The global rate stays a plain rate; another query sees none of it.
    assert stats.ctr("d") == pytest.approx((10 + 1) / (10 + 10))
    assert stats.query_ctr("desk", "d") == pytest.approx(stats.prior_rate)


def test_equally_attractive_products_get_the_same_rate_wherever_they_were_shown() -> None:
    """The point of the correction: clicks in proportion to examination give equal rates, where the
    plain rate ranks the product shown higher up far above the other."""
    corrected = ClickStats(alpha=1.0, beta=9.0, examination=lambda: THETA)
    plain = ClickStats(alpha=1.0, beta=9.0)
    for stats in (corrected, plain):
        _shown(stats, "lamp", ("top", "x", "y", "z"), 40, clicked="top")  # 40 views at 1, 40 clicks
        for i in range(40):  # 40 views at position 2 (theta 0.5), clicked half the time: same gamma
            sid = f"low-{i}"
            stats.observe_impression(Impression(sid, 0.0, "lamp", ("x", "low"), (1, 2), 1))
            if i % 2 == 0:
                stats.observe_event(Event(f"c-{sid}", "click", "low", 0.0, search_id=sid))
    assert corrected.query_ctr("lamp", "low") == pytest.approx((20 + 1) / (20 + 10))
    assert corrected.query_ctr("lamp", "top") == pytest.approx((40 + 1) / (40 + 10))
    gap = corrected.query_ctr("lamp", "top") - corrected.query_ctr("lamp", "low")
    assert gap < 0.15 < plain.query_ctr("lamp", "top") - plain.query_ctr("lamp", "low")


def test_positions_past_the_estimate_take_its_last_value_and_new_estimates_apply_to_old_views() -> None:
    theta: list[float] = [1.0]
    stats = ClickStats(alpha=1.0, beta=9.0, examination=lambda: tuple(theta))
    stats.observe_impression(Impression("s", 0.0, "lamp", ("a", "b", "c"), (1, 2, 7), 1))
    assert stats.query_ctr("lamp", "c") == pytest.approx(1 / 11)  # one view counts 1
    theta[:] = THETA
    assert stats.query_ctr("lamp", "c") == pytest.approx(1 / (0.2 + 10))  # position 7 -> theta[4th]
    assert stats.ctrs("lamp", ["b"]) == [(pytest.approx(1 / 11), pytest.approx(1 / 10.5))]


@pytest.mark.parametrize("theta", [(), THETA])
def test_the_heads_click_features_are_each_products_rates_to_the_bit(theta: tuple[float, ...]) -> None:
    stats = ClickStats(alpha=0.7, beta=13.0, examination=lambda: theta)
    rng = random.Random(3)
    products = [f"p{i}" for i in range(30)]
    for i in range(400):
        shown = tuple(rng.sample(products, 5))
        query = rng.choice(["Lamp", "desk  lamp", "chair"])
        stats.observe_impression(Impression(f"s{i}", 0.0, query, shown, (1, 2, 3, 4, 5), 1))
        if rng.random() < 0.6:
            stats.observe_event(Event(f"e{i}", "click", rng.choice(shown), 0.0, search_id=f"s{i}"))
    head = [*products, "never-shown"]
    for query in ("lamp", "DESK lamp", "sofa"):  # normalised as when logged; one query nobody asked
        assert stats.ctrs(query, head) == [(stats.ctr(p), stats.query_ctr(query, p)) for p in head]


def test_the_file_round_trips_and_a_missing_or_broken_one_means_no_correction(tmp_path: Path) -> None:
    path = examination_path(tmp_path)
    assert load_examination(path) == ()
    save_examination(path, THETA)
    assert load_examination(path) == THETA
    path.write_text("{not json", encoding="utf-8")
    assert load_examination(path) == ()
    path.write_text('{"theta": [1.0, 0.0]}', encoding="utf-8")
    assert load_examination(path) == ()
    with pytest.raises(ValueError, match="examination"):
        save_examination(path, [1.0, 1.5])


def test_the_watcher_follows_the_file(tmp_path: Path) -> None:
    path = examination_path(tmp_path)
    watch = ExaminationWatcher(path, interval_s=0.0)
    assert watch() == ()
    save_examination(path, THETA)
    assert watch() == THETA
    save_examination(path, (1.0, 0.3))
    os.utime(path, (1.0, 1.0))  # a distinct mtime even on a coarse-grained file system
    assert watch() == (1.0, 0.3)
    path.unlink()
    assert watch() == ()
