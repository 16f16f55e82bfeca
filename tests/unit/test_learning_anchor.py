"""The function-space anchor: an update learns the clicked lists but keeps the order of anchor lists."""

from __future__ import annotations

import copy

import numpy as np
import torch

from engine.learning.trainer import FitConfig, TrainingList, fit, score_rows
from engine.models.ranker_net import RankerNet

N_FEATURES = 4


def _start() -> RankerNet:
    torch.manual_seed(0)
    net = RankerNet(N_FEATURES, hidden=8)
    with torch.no_grad():
        net.linear.weight.copy_(torch.tensor([[1.0, 0.0, 0.0, 0.0]]))  # ranks by feature 0 only
        net.linear.bias.zero_()
        net.mlp_out.weight.zero_()
        net.mlp_out.bias.zero_()
    return net


def _order(net: RankerNet, rows: np.ndarray) -> list[int]:
    return list(np.argsort(-score_rows(net, rows), kind="stable"))


def test_anchor_keeps_unclicked_lists_in_order_while_clicks_are_learned() -> None:
    rng = np.random.default_rng(0)
    # Clicked lists: feature 3 (a click-rate feature) marks the clicked product; feature 1 is noise that
    # happens to agree with the clicks in this small sample, so an unanchored fit leans on it too.
    clicked = []
    for _ in range(40):
        rows = rng.normal(size=(10, N_FEATURES)).astype(np.float32)
        target = np.zeros(10, dtype=np.float32)
        best = int(rng.integers(10))
        rows[best, 3] += 3.0
        rows[best, 1] += 2.0
        target[best] = 1.0
        clicked.append(TrainingList(rows, target))
    # Anchor lists: no click evidence (feature 3 constant), feature 1 varies a lot.
    anchor = []
    for _ in range(10):
        rows = rng.normal(size=(30, N_FEATURES)).astype(np.float32)
        rows[:, 3] = 0.0
        rows[:, 1] *= 3.0
        anchor.append(rows)

    config = FitConfig(epochs=30, lr=0.05, proximal=0.0, anchor_weight=0.0)
    free = _start()
    fit(free, clicked, config)
    held = _start()
    fit(held, clicked, FitConfig(epochs=30, lr=0.05, proximal=0.0, anchor_weight=20.0), anchor=anchor)
    start = _start()

    def kept(net: RankerNet) -> float:
        """Share of anchor lists whose top 5 is unchanged."""
        return float(np.mean([_order(net, rows)[:5] == _order(start, rows)[:5] for rows in anchor]))

    def hits(net: RankerNet) -> float:
        return float(
            np.mean(
                [np.argmax(score_rows(net, item.features)) == np.argmax(item.targets) for item in clicked]
            )
        )

    assert hits(start) < 0.5
    assert hits(free) > 0.9 and hits(held) > 0.9  # both learn the clicked lists
    assert kept(held) >= 0.6 and kept(free) <= 0.2  # only the anchored fit leaves the other lists alone


def test_no_anchor_lists_is_the_plain_fit() -> None:
    rng = np.random.default_rng(1)
    lists = [
        TrainingList(rng.normal(size=(5, N_FEATURES)).astype(np.float32), np.eye(5, dtype=np.float32)[0])
        for _ in range(8)
    ]
    a, b = _start(), _start()
    fit(a, copy.deepcopy(lists), FitConfig(epochs=3, seed=4, anchor_weight=5.0))
    fit(b, copy.deepcopy(lists), FitConfig(epochs=3, seed=4, anchor_weight=0.0))
    rows = lists[0].features
    np.testing.assert_allclose(score_rows(a, rows), score_rows(b, rows), rtol=1e-6)
