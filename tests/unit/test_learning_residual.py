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
