"""nDCG, the SNIPS click estimate, the losses and the function-preserving re-standardisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from engine.events.base import Impression
from engine.learning.clicks import ClickedList
from engine.learning.losses import lambdarank, softmax_cross_entropy
from engine.learning.metrics import features_of, ndcg_at_k, rank_positions, snips_click_estimate
from engine.learning.propensity import Propensities
from engine.learning.trainer import restandardise, score_rows
from engine.models.ranker_net import init_prior_ranker


def test_ndcg_follows_the_project_convention() -> None:
    grades = {"a": 4.0, "b": 2.0, "c": 1.0}
    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(1.0)
    # gains 7, 1, 0; swapped first two: (1 + 7/log2(3)) / (7 + 1/log2(3))
    expected = (1 + 7 / math.log2(3)) / (7 + 1 / math.log2(3))
    assert ndcg_at_k(["b", "a", "x"], grades) == pytest.approx(expected)
    assert ndcg_at_k(["x", "y"], grades) == 0.0
    assert ndcg_at_k(["c"], {"c": 1.0}) is None  # only minimum grades: undefined
    # The ideal uses every judged grade, retrieved or not.
    value = ndcg_at_k(["b"], grades)
    assert value is not None and value < 0.2


def test_rank_positions_are_one_based_and_stable() -> None:
    assert list(rank_positions(np.array([0.1, 0.9, 0.5, 0.5]))) == [4, 1, 2, 3]


def _list(
    rows: list[list[float]], clicked: tuple[int, ...], first: int = 1, names=("f0", "f1")
) -> ClickedList:
    n = len(rows)
    impression = Impression(
        search_id=f"s{first}{clicked}",
        timestamp=0.0,
        query="q",
        product_ids=tuple(f"p{i}" for i in range(n)),
        positions=tuple(range(first, first + n)),
        ranker_version=1,
        features=tuple(tuple(r) for r in rows),
        feature_names=names,
    )
    return ClickedList(impression, clicked)


def test_snips_prefers_the_ranker_that_puts_clicked_products_first() -> None:
    propensities = Propensities(theta=(1.0, 0.5, 0.33, 0.25))
    rows = [[0.9, 0.0], [0.1, 1.0], [0.5, 0.2], [0.2, 0.1]]
    lists = [_list(rows, (1,)), _list(rows, (1, 2))]
    by_f1, _ = snips_click_estimate(lists, lambda x: x[:, 1], propensities, ["f0", "f1"])
    by_f0, used = snips_click_estimate(lists, lambda x: x[:, 0], propensities, ["f0", "f1"])
    assert used == 3 and by_f1 > by_f0
    nothing, none_used = snips_click_estimate(
        [_list(rows, ())], lambda x: x[:, 0], propensities, ["f0", "f1"]
    )
    assert math.isnan(nothing) and none_used == 0


def test_snips_keeps_the_page_offset() -> None:
    propensities = Propensities(theta=tuple(1.0 / k for k in range(1, 21)), max_weight=100.0)
    page_two = _list([[1.0, 0.0], [0.0, 0.0]], (0,), first=11)
    value, _ = snips_click_estimate([page_two], lambda x: x[:, 0], propensities, ["f0", "f1"])
    assert value == pytest.approx(1.0 / 11)


def test_features_are_mapped_by_name() -> None:
    item = _list([[1.0, 2.0]], (), names=("b", "a"))
    assert features_of(item, ["a", "b", "c"]).tolist() == [[2.0, 1.0, 0.0]]


def test_losses_prefer_the_right_order() -> None:
    mask = torch.ones(1, 3, dtype=torch.bool)
    targets = torch.tensor([[7.0, 1.0, 0.0]])
    good = torch.tensor([[3.0, 2.0, 1.0]])
    bad = torch.tensor([[1.0, 2.0, 3.0]])
    for loss in (softmax_cross_entropy, lambdarank):
        assert loss(good, targets, mask) < loss(bad, targets, mask)
    assert softmax_cross_entropy(good, targets, mask, normalise_lists=True) < softmax_cross_entropy(
        bad, targets, mask, normalise_lists=True
    )
    # Padding never contributes.
    padded_mask = torch.tensor([[True, True, True, False]])
    padded = softmax_cross_entropy(
        torch.tensor([[3.0, 2.0, 1.0, 50.0]]), torch.tensor([[7.0, 1.0, 0.0, 9.0]]), padded_mask
    )
    assert padded == pytest.approx(float(softmax_cross_entropy(good, targets, mask)))


def test_restandardise_changes_the_geometry_not_the_scores() -> None:
    names = [f"f{i}" for i in range(4)]
    net = init_prior_ranker(names, {"f0": 1.0, "f2": -0.5})
    with torch.no_grad():
        net.mlp_out.weight.normal_()  # a non-zero MLP part too
    rows = (
        np.random.default_rng(0).normal([5, 0.01, -3, 2], [2, 0.001, 4, 0], size=(200, 4)).astype(np.float32)
    )
    before = score_rows(net, rows)
    restandardise(net, rows)
    np.testing.assert_allclose(score_rows(net, rows), before, rtol=1e-4, atol=1e-4)
    assert net.std[3] == 1.0  # a constant feature keeps scale 1
    assert abs(float(net.mean[0]) - 5) < 0.5
