"""Refit the click residual offline from one `bench.simulate` job's data directory.

`bench.simulate_objectives` (which objective?) and `bench.simulate_propensities` (which examination
estimate?) ask the same kind of question: what would the update job's fit reach on this job's whole
click log, done another way? Both read the same log and evaluator lists, start from the prior ranker
re-standardised on the training rows and the check-set anchor, fit the residual, and score on the
trained queries' final lists. That shared part lives here, so the two studies differ only in what
they vary.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from engine.events.base import read_records
from engine.events.embedded import EmbeddedEventLog
from engine.learning.clicks import ClickedList, clicked_lists
from engine.learning.labelled import LabelledList, load_labelled, mean_ndcg
from engine.learning.offline import CHECK_SET_FILE
from engine.learning.residual import ClickResidual, click_columns
from engine.learning.trainer import FitConfig, TrainingList, fit, restandardise, score_rows
from engine.learning.update import UpdateConfig
from engine.models.make_prior_ranker import PRIOR_FEATURE_NAMES, PRIOR_WEIGHTS
from engine.models.ranker_net import RankerNet, init_prior_ranker

LOG_FILE = "events/events.sqlite3"
TRAINED_FILE = "eval-trained.jsonl"
HELD_FILE = "eval-held.jsonl"


@dataclass(frozen=True)
class JobData:
    """One job's whole click log and the evaluator's lists, features in the prior ranker's order."""

    data: Path
    names: list[str]
    items: list[ClickedList]
    trained: list[LabelledList]
    min_grade: float
    anchor: list[np.ndarray]  # the check set's feature rows (never its labels)

    def lists(self, name: str) -> list[LabelledList]:
        """Another evaluator file of the job (e.g. `HELD_FILE`)."""
        return load_labelled(self.data / "learning" / name, self.names)[0]


def missing(data: Path, *learning_files: str) -> Path | None:
    """The first file a study needs that `data` lacks (the log, the trained and check lists, and more)."""
    for needed in (LOG_FILE, f"learning/{TRAINED_FILE}", f"learning/{CHECK_SET_FILE}"):
        if not (data / needed).is_file():
            return data / needed
    for name in learning_files:
        if not (data / "learning" / name).is_file():
            return data / "learning" / name
    return None


def load_job(data: Path) -> JobData:
    names = list(PRIOR_FEATURE_NAMES)
    log = EmbeddedEventLog(data / LOG_FILE)
    try:
        items = clicked_lists(read_records(log, 0, 10_000_000))
    finally:
        log.close()
    trained, _, min_grade = load_labelled(data / "learning" / TRAINED_FILE, names)
    check, _, _ = load_labelled(data / "learning" / CHECK_SET_FILE, names)
    return JobData(data, names, items, trained, min_grade, [item.features for item in check])


def score(net: torch.nn.Module, lists: list[LabelledList], min_grade: float) -> float:
    """Mean nDCG@10 of `net` on labelled lists."""
    return mean_ndcg(lists, lambda x: score_rows(net, x), 10, min_grade)


def prior_start(job: JobData, lists: list[TrainingList]) -> RankerNet:
    """The prior ranker re-standardised on the training rows and the anchor, as the update job starts."""
    net = init_prior_ranker(job.names, PRIOR_WEIGHTS)
    restandardise(net, np.concatenate([item.features for item in lists] + job.anchor))
    return net


def job_fit_config(job: UpdateConfig) -> FitConfig:
    """The update job's fit settings at its first update (base learning rate and seed)."""
    return FitConfig(
        loss=job.loss,
        epochs=job.epochs,
        lr=job.lr,
        proximal=job.proximal,
        anchor_weight=job.anchor_weight,
        seed=job.seed,
    )


def refit(start: RankerNet, job: JobData, lists: list[TrainingList], config: FitConfig) -> ClickResidual:
    """A fresh click residual on a copy of `start`, fitted on `lists` with the check-set anchor."""
    residual = ClickResidual(copy.deepcopy(start), click_columns(job.names))
    fit(residual, lists, config, anchor=job.anchor)
    return residual
