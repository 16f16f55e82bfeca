"""bench.simulate_propensities: examination estimated from the randomised swaps alone."""

from __future__ import annotations

import itertools
import random

import pytest

from bench.simulate_propensities import swap_propensities, swap_ratios
from engine.events.base import Impression
from engine.learning.clicks import ClickedList
from engine.pipeline.explore import ExplorationPolicy


def _log(lists: int, seed: int) -> list[ClickedList]:
    """Position-based shoppers (examination 1/k) on a page of 10 the ranker orders by attractiveness,
    with the gateway's adjacent swaps from position 1."""
    rng = random.Random(seed)
    policy = ExplorationPolicy(rate=0.1, start=1)
    attractive = {q: sorted((rng.uniform(0.05, 0.9) for _ in range(10)), reverse=True) for q in range(20)}
    out = []
    for n in range(lists):
        query = n % 20
        ids = [f"q{query}-p{i}" for i in range(10)]
        shown, swaps = policy.apply(list(range(10)), rng.getrandbits(64))
        clicked = tuple(
            index
            for index, product in enumerate(shown)
            if rng.random() < 1.0 / (index + 1) and rng.random() < attractive[query][product]
        )
        impression = Impression(
            search_id=str(n),
            timestamp=float(n),
            query=f"query {query}",
            product_ids=tuple(ids[p] for p in shown),
            positions=tuple(range(1, 11)),
            ranker_version=1,
            propensity_swaps=tuple(swaps),
        )
        out.append(ClickedList(impression, clicked))
    return out


def test_the_swaps_recover_the_examination_curve() -> None:
    ratios = swap_ratios(_log(40_000, seed=3))
    assert [r["k"] for r in ratios] == list(range(1, 10))
    theta = swap_propensities(ratios, max_weight=10.0).theta
    for k in (2, 3, 4):
        assert theta[k - 1] == pytest.approx(1.0 / k, abs=0.06)
    assert all(a >= b for a, b in itertools.pairwise(theta))


def test_without_swaps_there_is_no_estimate() -> None:
    lists = [
        ClickedList(
            Impression(
                search_id="1",
                timestamp=0.0,
                query="q",
                product_ids=("a", "b"),
                positions=(1, 2),
                ranker_version=1,
            ),
            (0,),
        )
    ]
    assert swap_ratios(lists) == []
    assert swap_propensities([], max_weight=10.0).theta == (1.0,)
