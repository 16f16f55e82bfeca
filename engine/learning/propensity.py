"""Examination propensities per position, estimated from the click log, and the IPS weights they give.

Why: a shopper clicks a result only if they looked at it, and they look at position 1 far more often
than at position 8. Training on raw clicks therefore teaches the ranker to repeat its own order. Under
the position-based model (PBM)

    P(click | query q, product d, position k) = theta_k * gamma_qd

(theta_k: probability that position k is examined; gamma_qd: probability that an examined result is
clicked, i.e. its attractiveness), weighting each click by 1 / theta_k makes the expected training signal
proportional to gamma_qd alone (Joachims, Swaminathan & Schnabel, WSDM 2017).

How theta is estimated: EM over the logged lists (Chuklin, Markov & de Rijke, "Click Models for Web
Search", ch. 4). EM can only separate theta from gamma when the same (query, product) is seen at
different positions; the gateway guarantees that by randomly swapping adjacent pairs in lower positions
(`Impression.propensity_swaps`), and every new ranker version moves products too. Only ratios matter for
IPS, so the result is normalised to theta_1 = 1; it is made non-increasing in the position (examination
never rises further down a list) and positions with too little evidence inherit the last reliable value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from engine.errors import InvalidInput

DEFAULT_MAX_POSITION = 50


@dataclass(frozen=True)
class ClickObservation:
    """One product shown in one served list: its 1-based position and whether it was clicked."""

    query: str
    product_id: str
    position: int
    clicked: bool


@dataclass(frozen=True)
class Propensities:
    """Relative examination probability per position (`theta[0]` is position 1 and equals 1.0).

    `max_weight` clips inverse-propensity weights: an unclipped weight of 1/0.01 on one lucky click at
    position 40 would dominate an update; clipping trades a little bias for a lot of variance.
    """

    theta: tuple[float, ...]
    max_weight: float = 10.0
    observations: int = 0

    def __post_init__(self) -> None:
        if not self.theta or any(not (0.0 < t <= 1.0) for t in self.theta):
            raise InvalidInput("propensities must be a non-empty sequence of values in (0, 1]")
        if self.max_weight < 1.0:
            raise InvalidInput("max_weight must be >= 1")

    @classmethod
    def uniform(cls) -> Propensities:
        """No position-bias correction: every click weighs 1 (the naive baseline)."""
        return cls(theta=(1.0,), max_weight=1.0)

    def at(self, position: int) -> float:
        """theta for a 1-based position; positions past the table share its last value."""
        if position < 1:
            raise InvalidInput(f"positions are 1-based, got {position}")
        return self.theta[min(position, len(self.theta)) - 1]

    def weight(self, position: int) -> float:
        """The clipped inverse-propensity weight of a click at `position`."""
        return min(1.0 / self.at(position), self.max_weight)

    def weights(self, positions: Iterable[int]) -> np.ndarray:
        return np.array([self.weight(p) for p in positions], dtype=np.float64)

    def to_dict(self) -> dict[str, object]:
        return {"theta": list(self.theta), "max_weight": self.max_weight, "observations": self.observations}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Propensities:
        theta = data.get("theta")
        if not isinstance(theta, list):
            raise InvalidInput("propensities: 'theta' must be a list")
        return cls(
            theta=tuple(float(t) for t in theta),
            max_weight=float(data.get("max_weight", 10.0)),  # type: ignore[arg-type]
            observations=int(data.get("observations", 0)),  # type: ignore[call-overload]
        )


def _monotone(theta: np.ndarray, reliable: np.ndarray) -> np.ndarray:
    """Fill unreliable positions from the last reliable one and enforce a non-increasing curve."""
    out = theta.copy()
    last = out[0]
    for k in range(len(out)):
        if reliable[k]:
            last = min(last, out[k]) if k else out[k]
        out[k] = last
    return out


def estimate_pbm(
    observations: Iterable[ClickObservation],
    *,
    max_position: int = DEFAULT_MAX_POSITION,
    iterations: int = 200,
    tolerance: float = 1e-6,
    min_count: int = 50,
    max_weight: float = 10.0,
) -> Propensities:
    """Fit the position-based click model by EM and return relative propensities.

    Positions beyond `max_position` are pooled into it. A position needs `min_count` observations to
    be trusted. With no click at all there is nothing to learn from: the result is uniform (weight 1).
    """
    keys: dict[tuple[str, str], int] = {}
    pair_idx: list[int] = []
    pos_idx: list[int] = []
    clicks: list[float] = []
    for obs in observations:
        pair_idx.append(keys.setdefault((obs.query, obs.product_id), len(keys)))
        pos_idx.append(min(max(obs.position, 1), max_position) - 1)
        clicks.append(1.0 if obs.clicked else 0.0)
    if not clicks or not any(clicks):
        return Propensities(theta=(1.0,), max_weight=max_weight, observations=len(clicks))

    # Aggregate to one row per (pair, position): n shown, c clicked. EM then runs on counts.
    n_pos = max(pos_idx) + 1
    flat = np.asarray(pair_idx, dtype=np.int64) * n_pos + np.asarray(pos_idx, dtype=np.int64)
    cells, inverse = np.unique(flat, return_inverse=True)
    shown = np.bincount(inverse).astype(np.float64)
    clicked = np.bincount(inverse, weights=np.asarray(clicks)).astype(np.float64)
    cell_pair = cells // n_pos
    cell_pos = cells % n_pos
    not_clicked = shown - clicked
    pos_count = np.bincount(cell_pos, weights=shown, minlength=n_pos)
    pair_count = np.bincount(cell_pair, weights=shown, minlength=len(keys))

    eps = 1e-6
    theta = 1.0 / np.arange(1, n_pos + 1, dtype=np.float64)  # start from a 1/k prior
    gamma = np.full(len(keys), 0.5)
    for _ in range(iterations):
        t = theta[cell_pos]
        g = gamma[cell_pair]
        denom = np.maximum(1.0 - t * g, eps)
        # Posterior of "examined" and of "attractive" for the cells that were not clicked.
        examined = clicked + not_clicked * t * (1.0 - g) / denom
        attractive = clicked + not_clicked * (1.0 - t) * g / denom
        new_theta = np.bincount(cell_pos, weights=examined, minlength=n_pos) / np.maximum(pos_count, 1.0)
        new_gamma = np.bincount(cell_pair, weights=attractive, minlength=len(keys)) / np.maximum(
            pair_count, 1.0
        )
        new_theta = np.clip(new_theta, eps, 1.0 - eps)
        new_gamma = np.clip(new_gamma, eps, 1.0 - eps)
        delta = max(np.abs(new_theta - theta).max(), np.abs(new_gamma - gamma).max())
        theta, gamma = new_theta, new_gamma
        if delta < tolerance:
            break

    reliable = pos_count >= min_count
    reliable[0] = True
    relative = _monotone(theta / theta[0], reliable)
    relative = np.clip(relative, eps, 1.0)
    return Propensities(
        theta=tuple(float(x) for x in relative), max_weight=max_weight, observations=len(clicks)
    )
