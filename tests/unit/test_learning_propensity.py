"""Propensity estimation and IPS weights."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import InvalidInput
from engine.learning.propensity import ClickObservation, Propensities, estimate_pbm


def synthetic_log(eta: float, impressions: int, seed: int) -> list[ClickObservation]:
    """Fixed order per query, random adjacent swaps (alternating offsets), PBM clicks."""
    rng = np.random.default_rng(seed)
    docs, queries = 10, 60
    theta = 1.0 / np.arange(1, docs + 1) ** eta
    attraction = rng.uniform(0.05, 0.9, size=(queries, docs))
    out = []
    for _ in range(impressions):
        q = int(rng.integers(queries))
        order = list(range(docs))
        for k in range(int(rng.integers(2)), docs - 1, 2):
            if rng.random() < 0.5:
                order[k], order[k + 1] = order[k + 1], order[k]
        for pos, d in enumerate(order, start=1):
            clicked = rng.random() < theta[pos - 1] * attraction[q, d]
            out.append(ClickObservation(str(q), str(d), pos, bool(clicked)))
    return out


@pytest.mark.parametrize("eta", [0.7, 1.2])
def test_em_recovers_a_known_position_bias(eta: float) -> None:
    estimated = estimate_pbm(synthetic_log(eta, 15_000, seed=int(eta * 10)))
    truth = 1.0 / np.arange(1, 11) ** eta
    assert np.abs(np.array(estimated.theta[:10]) - truth).max() < 0.05
    assert estimated.observations == 150_000


def test_without_swaps_a_uniform_guess_is_not_what_comes_back() -> None:
    """Sanity of the fixture itself: clicks really do fall with position."""
    log = synthetic_log(1.0, 3_000, seed=3)
    by_pos = np.zeros(10)
    for obs in log:
        by_pos[obs.position - 1] += obs.clicked
    assert by_pos[0] > 3 * by_pos[9]


def test_no_clicks_gives_uniform_weights() -> None:
    observations = [ClickObservation("q", "d", p, False) for p in range(1, 6)]
    assert estimate_pbm(observations).weight(5) == 1.0
    assert estimate_pbm([]).theta == (1.0,)


def test_ips_weights_are_inverse_propensities_clipped() -> None:
    p = Propensities(theta=(1.0, 0.5, 0.25, 0.05), max_weight=10.0)
    assert p.weight(1) == 1.0
    assert p.weight(2) == 2.0
    assert p.weight(3) == 4.0
    assert p.weight(4) == 10.0  # 1/0.05 = 20, clipped
    assert p.weight(40) == 10.0  # past the table: last value
    assert list(p.weights([1, 2])) == [1.0, 2.0]


def test_ips_weighting_removes_the_position_bias_in_expectation() -> None:
    """The same product clicked at different positions: weighted click rates agree, raw ones do not."""
    rng = np.random.default_rng(7)
    theta = 1.0 / np.arange(1, 9)
    p = Propensities(theta=tuple(theta), max_weight=100.0)
    attraction = 0.4
    raw, weighted = [], []
    for pos in range(1, 9):
        clicks = rng.random(40_000) < theta[pos - 1] * attraction
        raw.append(clicks.mean())
        weighted.append(clicks.mean() * p.weight(pos))
    assert raw[0] > 5 * raw[-1]
    assert np.allclose(weighted, attraction, atol=0.03)


def test_uniform_and_round_trip() -> None:
    assert Propensities.uniform().weight(9) == 1.0
    p = Propensities(theta=(1.0, 0.4), max_weight=5.0, observations=12)
    assert Propensities.from_dict(p.to_dict()) == p


@pytest.mark.parametrize("theta", [(), (0.0,), (1.0, 1.5)])
def test_invalid_propensities_are_refused(theta: tuple[float, ...]) -> None:
    with pytest.raises(InvalidInput):
        Propensities(theta=theta)


def test_positions_are_one_based() -> None:
    with pytest.raises(InvalidInput):
        Propensities(theta=(1.0,)).at(0)
