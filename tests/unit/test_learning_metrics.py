"""nDCG, the SNIPS click estimate, the losses and the function-preserving re-standardisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from engine.events.base import Impression
from engine.learning.clicks import ClickedList
from engine.learning.losses import lambdarank, pairwise, softmax_cross_entropy
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


def test_pairwise_loss_asks_clicked_products_to_outrank_the_ones_shown_with_them() -> None:
    softplus = torch.nn.functional.softplus
    mask = torch.tensor([[True, True, True, True]])
    clicked_second = torch.tensor([[0.0, 2.0, 0.0, 0.0]])  # one click, IPS weight 2
    above = pairwise(torch.tensor([[0.0, 1.0, 0.0, 0.0]]), clicked_second, mask)
    below = pairwise(torch.tensor([[1.0, 0.0, 1.0, 1.0]]), clicked_second, mask)
    assert float(above) == pytest.approx(float(softplus(torch.tensor(-1.0))))  # mean over its 3 pairs
    assert float(below) == pytest.approx(float(softplus(torch.tensor(1.0))))
    # Two clicked products are not a pair: their order does not matter, only their lead over the rest.
    two = torch.tensor([[1.0, 1.0, 0.0]])
    mask3 = torch.tensor([[True, True, True]])
    assert float(pairwise(torch.tensor([[2.0, 1.0, 0.0]]), two, mask3)) == pytest.approx(
        float(pairwise(torch.tensor([[1.0, 2.0, 0.0]]), two, mask3))
    )
    # Each pair weighs its clicked product's target (1 / propensity): a low click counts more.
    scores = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    targets = torch.tensor([[3.0, 0.0], [1.0, 0.0]])
    batch = torch.ones(2, 2, dtype=torch.bool)
    expected = (3 * softplus(torch.tensor(-1.0)) + 1 * softplus(torch.tensor(1.0))) / 4
    assert float(pairwise(scores, targets, batch)) == pytest.approx(float(expected))
    # Padding never contributes; a list without a click or without an unclicked product adds nothing.
    padded = pairwise(
        torch.tensor([[0.0, 1.0, 0.0, 0.0, 9.0], [5.0, 0.0, 0.0, 0.0, 0.0]]),
        torch.tensor([[0.0, 2.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0]]),
        torch.tensor([[True, True, True, True, False], [True, False, False, False, False]]),
    )
    assert float(padded) == pytest.approx(float(above))


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
