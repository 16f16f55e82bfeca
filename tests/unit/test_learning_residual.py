"""The click-only residual: a candidate that differs from the serving version only through click evidence."""

from __future__ import annotations

import copy

import numpy as np
import torch

from engine.learning.residual import ClickResidual, click_columns
from engine.learning.trainer import FitConfig, TrainingList, fit, score_rows
from engine.models.make_prior_ranker import make_prior
from engine.models.ranker_net import load_ranker
from engine.ranking.features import FEATURE_NAMES

COL = {name: i for i, name in enumerate(FEATURE_NAMES)}


def test_only_click_evidence_can_change_an_order(tmp_path) -> None:
    make_prior(tmp_path / "1")
    serving, _ = load_ranker(tmp_path / "1")
    rng = np.random.default_rng(0)
    lists = []
    for _ in range(40):  # the clicked product has a high query_ctr and a low fused score
        rows = np.zeros((8, len(FEATURE_NAMES)), dtype=np.float32)
        rows[:, COL["fused_score"]] = rng.uniform(0, 1, 8)
        rows[:, COL["query_ctr"]] = 0.05
        rows[3, COL["fused_score"]], rows[3, COL["query_ctr"]] = 0.05, 0.4
        targets = np.zeros(8, dtype=np.float32)
        targets[3] = 1.0
        lists.append(TrainingList(rows, targets))

    residual = ClickResidual(copy.deepcopy(serving), click_columns(list(FEATURE_NAMES)))
    fit(residual, lists, FitConfig(epochs=30, lr=0.05))
    before_fold = score_rows(residual, lists[0].features)
    candidate = residual.fold()
    assert np.allclose(score_rows(candidate, lists[0].features), before_fold, atol=1e-5)  # folding is exact
    assert np.argmax(score_rows(candidate, lists[0].features)) == 3  # learned from the click evidence

    # Only the linear weights of the click features moved.
    changed = (candidate.linear.weight != serving.linear.weight).reshape(-1).nonzero().reshape(-1).tolist()
    assert set(changed) <= set(click_columns(list(FEATURE_NAMES))) and COL["query_ctr"] in changed
    for name in ("mlp_hidden", "mlp_out"):
        assert all(
            torch.equal(a, b)
            for a, b in zip(
                getattr(candidate, name).parameters(), getattr(serving, name).parameters(), strict=True
            )
        )

    # A list without click evidence (click features at their no-evidence values) keeps its order.
    other = np.zeros((10, len(FEATURE_NAMES)), dtype=np.float32)
    other[:, COL["fused_score"]] = rng.uniform(0, 1, 10)
    other[:, COL["title_overlap"]] = rng.uniform(0, 1, 10)
    other[:, COL["ctr"]] = other[:, COL["query_ctr"]] = 1 / 21
    assert list(np.argsort(-score_rows(candidate, other))) == list(np.argsort(-score_rows(serving, other)))


def test_global_click_through_learned_under_one_query_cannot_reorder_another(tmp_path) -> None:
    """Clicks that go with a high global `ctr` teach no weight on it: a query without clicks of its own,
    whose products carry `ctr` from other queries (clicked there, or shown and skipped), keeps its order."""
    make_prior(tmp_path / "1")
    serving, _ = load_ranker(tmp_path / "1")
    rng = np.random.default_rng(1)
    lists = []
    for _ in range(40):  # the clicked product has the highest ctr *and* query_ctr
        rows = np.zeros((8, len(FEATURE_NAMES)), dtype=np.float32)
        rows[:, COL["fused_score"]] = rng.uniform(0, 1, 8)
        rows[:, COL["ctr"]] = rows[:, COL["query_ctr"]] = 0.02
        rows[5, COL["ctr"]], rows[5, COL["query_ctr"]] = 0.6, 0.5
        targets = np.zeros(8, dtype=np.float32)
        targets[5] = 1.0
        lists.append(TrainingList(rows, targets))
    residual = ClickResidual(copy.deepcopy(serving), click_columns(list(FEATURE_NAMES)))
    fit(residual, lists, FitConfig(epochs=30, lr=0.05))
    candidate = residual.fold()

    other = np.zeros((10, len(FEATURE_NAMES)), dtype=np.float32)
    other[:, COL["fused_score"]] = np.linspace(1.0, 0.1, 10)
    other[:, COL["ctr"]] = rng.uniform(0.0, 0.8, 10)  # evidence from other queries
    other[:, COL["query_ctr"]] = 1 / 21  # none from this one
    assert list(np.argsort(-score_rows(candidate, other))) == list(range(10))
    assert COL["ctr"] not in click_columns(list(FEATURE_NAMES))
    assert candidate.linear.weight[0, COL["ctr"]] == serving.linear.weight[0, COL["ctr"]]


def _two_product_lists() -> list[TrainingList]:
    """1,000 served lists of a relevant product R (query_ctr 1.0) and an irrelevant one I (0.0), equal
    fused scores, both examined; R is clicked with probability 0.9, I with 0.02, independently. Expected
    outcomes: R alone 882, I alone 2, both 18, neither 98."""
    lists = []
    for count, clicked in ((882, (0,)), (2, (1,)), (18, (0, 1)), (98, ())):
        for _ in range(count):
            rows = np.zeros((2, len(FEATURE_NAMES)), dtype=np.float32)
            rows[:, COL["fused_score"]] = 0.5
            rows[0, COL["query_ctr"]] = 1.0
            targets = np.zeros(2, dtype=np.float32)
            targets[list(clicked)] = 1.0
            lists.append(TrainingList(rows, targets))
    return lists


def test_the_pairwise_fit_trusts_click_evidence_where_the_likelihood_under_weights_it(tmp_path) -> None:
    """Why the objective matters. The softmax likelihood treats the clicks of a list as draws from one
    distribution, so it settles where P(R) / P(I) matches R's and I's click counts, 900 / 20: a score
    gap of log 45 = 3.8. The pairwise loss only compares R with I where one was clicked and the other
    not, 882 against 2 lists: its optimum is a gap of log 441 = 6.1. A product whose fused score is 4.5
    below a rival's, with R's and I's click evidence, therefore stays second under the likelihood's
    weight and comes first under the pairwise one; a query without click evidence keeps its order
    under both."""
    make_prior(tmp_path / "1")
    serving, _ = load_ranker(tmp_path / "1")
    names = list(FEATURE_NAMES)
    candidates, weights = {}, {}
    for loss in ("softmax", "pairwise"):
        residual = ClickResidual(copy.deepcopy(serving), click_columns(names))
        fit(residual, _two_product_lists(), FitConfig(loss=loss, epochs=40, lr=0.1, proximal=0.0))
        weights[loss] = float(residual.delta.detach()[0])  # query_ctr
        candidates[loss] = residual.fold()
    assert 3.0 < weights["softmax"] < 3.9  # near log 45, from below
    assert 5.0 < weights["pairwise"] < 6.2  # near log 441

    clicked_low = np.zeros((2, len(FEATURE_NAMES)), dtype=np.float32)
    clicked_low[:, COL["fused_score"]] = (4.5, 0.0)  # the rival first on relevance features alone
    clicked_low[:, COL["query_ctr"]] = (0.0, 1.0)  # the clicked product's evidence
    assert np.argmax(score_rows(serving, clicked_low)) == 0
    assert np.argmax(score_rows(candidates["softmax"], clicked_low)) == 0  # under-weighted: still second
    assert np.argmax(score_rows(candidates["pairwise"], clicked_low)) == 1  # ranked first

    rng = np.random.default_rng(3)
    unclicked = np.zeros((10, len(FEATURE_NAMES)), dtype=np.float32)
    unclicked[:, COL["fused_score"]] = rng.uniform(0, 1, 10)
    unclicked[:, COL["ctr"]] = rng.uniform(0, 0.5, 10)  # evidence from other queries
    unclicked[:, COL["query_ctr"]] = 1 / 21  # none from this one
    for candidate in candidates.values():
        assert list(np.argsort(-score_rows(candidate, unclicked))) == list(
            np.argsort(-score_rows(serving, unclicked))
        )
