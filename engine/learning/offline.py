"""Offline ranker training from human judgements: how a shop starts before it has clicks.

For every judged query the production pipeline retrieves its candidates with feature rows (`offline_data`);
each candidate's target is the gain of its grade (2^(grade - min_grade) - 1, unjudged = 0). The queries
are split (seeded) into a training part and a held-out part; training warm-starts from the serving
version (the prior on a fresh install), fits a listwise loss (softmax cross-entropy with graded gains, or
LambdaRank) and keeps the epoch that scores best on a slice of the *training* queries, so the held-out
queries are touched only to report the final numbers.

The result is written as a new version in the runtime repository, with a manifest that records the data
(files, query and judgement counts) and the held-out nDCG@10 before and after; the held-out lists are
saved as the update job's check set. Rolling it out is the caller's decision (`engine ranker train
--rollout` does it only when the held-out nDCG did not drop).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InvalidInput
from engine.learning.labelled import LabelledList, mean_ndcg, save_labelled
from engine.learning.offline_data import FeatureSource, Judgements
from engine.learning.trainer import FitConfig, fit, restandardise, score_rows
from engine.learning.versions import RankerStore
from engine.models.ranker_net import RankerManifest, RankerNet, TrainingRecord

CHECK_SET_FILE = "checkset.jsonl"


@dataclass(frozen=True)
class OfflineConfig:
    depth: int = 100
    holdout_frac: float = 0.2
    inner_frac: float = 0.15
    loss: str = "softmax"
    epochs: int = 100
    lr: float = 0.02
    proximal: float = 1e-3
    seed: int = 13

    def __post_init__(self) -> None:
        if not (0.0 <= self.holdout_frac < 1.0 and 0.0 <= self.inner_frac < 1.0):
            raise InvalidInput("holdout_frac and inner_frac must be in [0, 1)")
        if self.depth < 1:
            raise InvalidInput("depth must be >= 1")


@dataclass
class OfflineResult:
    version: int
    parent: int
    metrics: dict[str, float]

    @property
    def improved(self) -> bool:
        before, after = self.metrics.get("holdout_ndcg@10_before"), self.metrics.get("holdout_ndcg@10_after")
        if before is None or after is None or np.isnan(before):
            return True  # nothing held out: nothing says it got worse
        return after >= before


def collect(
    source: FeatureSource,
    judgements: Judgements,
    depth: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[LabelledList]:
    """Labelled candidate lists of every judged query (queries that retrieve nothing are skipped)."""
    lists = []
    queries = judgements.judged_queries()
    for i, qid in enumerate(queries, start=1):
        ids, rows = source.candidates(judgements.queries[qid], depth)
        if ids:
            lists.append(LabelledList(qid, judgements.queries[qid], tuple(ids), rows, judgements.grades[qid]))
        if progress is not None:
            progress(i, len(queries))
    return lists


def split(
    lists: Sequence[LabelledList], frac: float, seed: int
) -> tuple[list[LabelledList], list[LabelledList]]:
    """(kept, held out), by query id with a seeded shuffle, so a rerun holds out the same queries."""
    ordered = sorted(lists, key=lambda item: item.query_id)
    random.Random(seed).shuffle(ordered)
    n_held = round(len(ordered) * frac)
    return ordered[n_held:], ordered[:n_held]


def _fit_best(
    net: RankerNet,
    train: list[LabelledList],
    inner: list[LabelledList],
    min_grade: float,
    config: OfflineConfig,
) -> dict[str, Any]:
    """Fit on `train`, keeping the epoch with the best nDCG@10 on `inner` (all epochs when no inner)."""
    best = {
        "epoch": 0,
        "ndcg": mean_ndcg(inner, lambda x: score_rows(net, x), 10, min_grade) if inner else -1.0,
    }
    best_state = copy.deepcopy(net.state_dict())

    def keep_best(epoch: int) -> None:
        if not inner:
            return
        value = mean_ndcg(inner, lambda x: score_rows(net, x), 10, min_grade)
        if value > best["ndcg"]:
            best.update(epoch=epoch, ndcg=value)
            best_state.update(copy.deepcopy(net.state_dict()))

    fit_config = FitConfig(
        loss=config.loss,
        epochs=config.epochs,
        lr=config.lr,
        proximal=config.proximal,
        normalise_lists=True,
        seed=config.seed,
        batch_lists=16,
    )
    report = fit(net, [item.training_list(min_grade) for item in train], fit_config, keep_best)
    if inner:
        net.load_state_dict(best_state)
    return {"fit": report.to_dict(), "best_epoch": best["epoch"], "inner_ndcg@10": best["ndcg"]}


def train_from_judgements(
    store: RankerStore,
    lists: Sequence[LabelledList],
    judgements: Judgements,
    config: OfflineConfig,
    *,
    base_version: int | None = None,
    data: dict[str, Any] | None = None,
) -> OfflineResult:
    """Train a new version from labelled lists, write it (not served) and the check set; return metrics."""
    if not lists:
        raise InvalidInput("no labelled query retrieved any candidate: is the catalog indexed?")
    parent = base_version if base_version is not None else store.serving()
    if parent is None:
        raise InvalidInput("no ranker version to start from: start Triton once to install the prior")
    base, base_manifest = store.load(parent)
    names = list(base_manifest.feature_names)
    min_grade = judgements.min_grade
    kept, held = split(lists, config.holdout_frac, config.seed)
    train, inner = split(kept, config.inner_frac, config.seed + 1)

    net = copy.deepcopy(base)
    restandardise(net, np.concatenate([item.features for item in train]))
    details = _fit_best(net, train, inner, min_grade, config)

    def ndcg(model: RankerNet, items: list[LabelledList]) -> float:
        return mean_ndcg(items, lambda x: score_rows(model, x), 10, min_grade)

    metrics = {
        "train_ndcg@10_before": ndcg(base, kept),
        "train_ndcg@10_after": ndcg(net, kept),
        "holdout_ndcg@10_before": ndcg(base, held),
        "holdout_ndcg@10_after": ndcg(net, held),
    }
    training = TrainingRecord(
        kind="judgements",
        parent=parent,
        metrics=metrics,
        details={
            "loss": config.loss,
            "depth": config.depth,
            "queries": {"train": len(train), "inner": len(inner), "holdout": len(held)},
            "judgements": sum(len(g) for g in judgements.grades.values()),
            "min_grade": min_grade,
            "holdout_queries": [item.query_id for item in held],
            **details,
            **(data or {}),
        },
    )
    manifest = RankerManifest(version=0, feature_names=names, hidden=base_manifest.hidden, training=training)
    version = store.add(net, manifest)
    # The update job's check set is every judged query the shop has (the gate and the anchor both get
    # better with more queries; the offline held-out split above only measures this version).
    save_labelled(store.data_dir / "learning" / CHECK_SET_FILE, lists, names, min_grade)
    return OfflineResult(version=version, parent=parent, metrics=metrics)


def check_set_path(store: RankerStore) -> Path:
    return store.data_dir / "learning" / CHECK_SET_FILE
