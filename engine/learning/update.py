"""The ranking-update job: learn from the clicks logged since the checkpoint, then serve or reject.

One run (`UpdateJob.run_once`):

1. Find where the last run stopped: the newest of the checkpoint, the last rollout record and the newest
   version's manifest (each names the last log offset it consumed), so a crash between writes is healed.
2. Read the records after it; the most recent served lists are held out for validation (`clicks`).
3. Estimate examination propensities from a trailing window of the log (`propensity`), weight every
   training click by 1 / theta(position) (or 1 without bias correction), and (optionally) publish them
   for the gateway's examination-corrected `query_ctr` (`engine.ranking.examination`).
4. Warm-start from the serving version, re-standardise features once, and fit (`loss`: by default
   pairwise, clicked over shown-and-not-clicked, see `losses`) at a learning rate that decays with the
   clicks learned from so far (`trainer`). The check set's candidate lists (features only, never their
   labels) anchor the fit: their ranking must stay close to the serving version's, so clicks on some
   queries cannot reshuffle queries nobody clicked on.
5. Gate: candidate vs serving on held-out clicks and the optional labelled check set (`gate`).
6. Accepted: write the version and start an interleaved trial against the serving version (`trial`; the
   default gate), or, with trials off, make Triton serve it if a check set vouched for it. Rejected:
   record why.
7. Commit the checkpoint (only now): the local checkpoint file and, on Kafka, the consumer group's offset.

While a trial runs, a run only advances it (`TrialRunner.step`): no new candidate is trained until the
trial has promoted or stopped its candidate.

No silent unsafe rollout: with neither a check set nor a trial there is nothing that could tell a
damaging candidate from a good one (the held-out click estimate only compares orders of the lists that
were served, which say nothing about queries nobody clicked), so the run refuses to promote, consumes
nothing and says why. `force=True` promotes anyway and marks the version and its record as forced.

Too little data (fewer than `min_train_clicks` / `min_holdout_clicks`) is not a failure: the run waits,
consumes nothing, and the clicks accumulate for the next run.

Over 300 lines because it is the one place that orders these seven steps and their crash points; each
step's logic lives in its own module (clicks, propensity, trainer, gate, trial, versions).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from engine.config import Settings
from engine.errors import InvalidInput
from engine.events.base import EventLog, read_records
from engine.learning.anchor import click_neutral
from engine.learning.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from engine.learning.clicks import ClickedList, clicked_lists, read_window
from engine.learning.gate import GateConfig, validate
from engine.learning.labelled import LabelledList, load_labelled
from engine.learning.metrics import features_of
from engine.learning.objectives import CLICK_LOSSES, DEFAULT_CLICK_LOSS
from engine.learning.propensity import Propensities, estimate_pbm
from engine.learning.residual import ClickResidual, click_columns
from engine.learning.rollout import roll_out
from engine.learning.trainer import FitConfig, TrainingList, decayed_lr, fit, restandardise, score_rows
from engine.learning.trial import TrialLoader, TrialRunner
from engine.learning.versions import RankerStore
from engine.models.ranker_net import RankerManifest, RankerNet, TrainingRecord
from engine.pipeline.trialstate import TrialConfig
from engine.ranking.examination import examination_path, save_examination


@dataclass(frozen=True)
class UpdateConfig:
    holdout_frac: float = 0.2
    max_records: int = 500_000
    min_train_clicks: int = 50
    propensity_records: int = 200_000
    bias_correction: bool = True
    # Publish the propensities for the gateway's `query_ctr`, which then counts a view as the examination
    # probability of its position (`engine.ranking.examination`). Off by default: on simulated
    # crowdflower traffic it raised the best reachable nDCG@10 of the trained queries but not what the
    # fit learned (docs/learning.md, *Examination-corrected query_ctr*).
    examination_query_ctr: bool = False
    max_weight: float = 10.0
    # The objective the click residual is fitted with (`engine.learning.losses`): "pairwise", each
    # clicked product over the products shown with it and not clicked, or "softmax", the click
    # likelihood of each served list. Both weight a click by 1 / theta(position) (1 without bias
    # correction). Pairwise by default: the likelihood settles on a smaller `query_ctr` weight than
    # ranks best; over 5 simulated seeds pairwise gained more nDCG@10 on the queries with clicks,
    # corrected and naive (BENCHMARKS.md, *Pairwise objective*; docs/learning.md, *The objective*).
    loss: str = DEFAULT_CLICK_LOSS
    epochs: int = 10
    lr: float = 0.02
    lr_half_life: int = 5_000
    proximal: float = 1e-3
    anchor_weight: float = 20.0
    # Training lists (at most this many) also anchor the fit with their click features set to "no
    # evidence": where clicks say nothing, the candidate must order as the serving version does.
    neutral_anchor_lists: int = 200
    # "clicks": the candidate is the serving version plus learned weights on the click features only
    # (`residual`; no query can be reordered without click evidence). "all": fit the whole network
    # (learns more, e.g. relevance features, but can move queries nobody clicked: only the anchors hold it).
    learn: str = "clicks"
    # On a log with consumer groups (Kafka), the group whose committed offset is the job's checkpoint.
    consumer_group: str = "aisle-ranker-update"
    keep_versions: int = 5
    check_set: Path | None = None
    gate: GateConfig = field(default_factory=GateConfig)
    seed: int = 0
    # The interleaved trial every accepted candidate must win on live traffic; None turns trials off.
    trial: TrialConfig | None = field(default_factory=TrialConfig)
    # Promote an accepted candidate without a trial, even without a check set (recorded as forced).
    force: bool = False

    def __post_init__(self) -> None:
        # Checked here, not first at fit time: a continuous job would otherwise start, wait for clicks
        # and fail hours later on a misspelt objective.
        if self.loss not in CLICK_LOSSES:
            raise InvalidInput(f"unknown click loss {self.loss!r}; expected one of {', '.join(CLICK_LOSSES)}")


NO_GATE = (
    "not promoted: no gate (no check set and trials are off); build a check set "
    "(engine ranker checkset), turn trials on, or pass --force"
)


def _gate(has_check_set: bool, config: UpdateConfig) -> str | None:
    """What lets an accepted candidate serve: a trial (after the check set, if any), the check set
    alone when trials are off, `forced`, or None (refused)."""
    if config.force:
        return "forced"
    if config.trial is not None:
        return "trial"
    return "check set" if has_check_set else None


def click_training_lists(
    items: list[ClickedList], propensities: Propensities, names: list[str]
) -> list[TrainingList]:
    """One training list per served list: its feature rows, target 1 / theta(position) on each clicked
    product (clipped; 1 without bias correction) and 0 on the products shown with it."""
    lists = []
    for item in items:
        features = features_of(item, names)
        targets = np.zeros(len(features), dtype=np.float32)
        for index in item.clicked:
            targets[index] += propensities.weight(item.impression.positions[index])
        lists.append(TrainingList(features=features, targets=targets))
    return lists


def _consumed(record: dict[str, Any]) -> int:
    """The log offset a rollout-log record says its run consumed up to (it repeats the training record)."""
    return TrainingRecord.of(record).consumed_until


class UpdateJob:
    """Owns the checkpoint under `<data_dir>/learning/`; one job per data directory at a time."""

    def __init__(
        self, settings: Settings, log: EventLog, loader: TrialLoader, config: UpdateConfig | None = None
    ) -> None:
        self.log = log
        self.loader = loader
        self.config = config or UpdateConfig()
        self.store = RankerStore(settings)
        self.trials = TrialRunner(self.store, log, loader, keep_versions=self.config.keep_versions)
        self.checkpoint_path = checkpoint_path(settings)

    # --- resume ------------------------------------------------------------------------------------
    def resume_offset(self) -> int:
        """The last consumed offset, healed from whichever durable write got furthest (on Kafka that
        includes the consumer group's committed offset, so a job on a fresh machine resumes too)."""
        offset = max(load_checkpoint(self.checkpoint_path).offset, self._committed())
        for record in self.store.rollouts.records():
            offset = max(offset, _consumed(record))
        versions = self.store.versions()
        if versions:
            newest = self.store.manifest(versions[-1])
            offset = max(offset, newest.training.consumed_until)
        return offset

    def _committed(self) -> int:
        committed = getattr(self.log, "committed", None)
        return int(committed(self.config.consumer_group)) if callable(committed) else 0

    def _save_checkpoint(self, offset: int) -> None:
        """The local checkpoint file, then (Kafka) the consumer group's offset: both only after the run's
        outcome is recorded, and a crash between the two is healed by `resume_offset`'s maximum."""
        save_checkpoint(self.checkpoint_path, offset, load_checkpoint(self.checkpoint_path).runs + 1)
        commit = getattr(self.log, "commit", None)
        if callable(commit):
            commit(self.config.consumer_group, offset)

    def _recover_unrecorded_version(self, checkpoint: int) -> dict[str, Any] | None:
        """A version written by a run that died before recording it was accepted: finish its rollout."""
        versions = self.store.versions()
        if not versions:
            return None
        manifest = self.store.manifest(versions[-1])
        until = manifest.training.consumed_until
        recorded = any(r.get("version") == versions[-1] for r in self.store.rollouts.records())
        if until <= checkpoint or recorded:
            return None
        if manifest.training.gate == "trial" and self.config.trial is not None:
            return self.trials.start(versions[-1], self.config.trial)
        return roll_out(
            self.store,
            self.loader,
            versions[-1],
            keep=self.config.keep_versions,
            details={"recovered": True, "events": manifest.training.events},
        )

    # --- one run ---------------------------------------------------------------------------------------
    def propensities(self, until: int) -> Propensities:
        if not self.config.bias_correction:
            return Propensities.uniform()
        start = max(until - self.config.propensity_records, 0)
        records = [
            r for r in read_records(self.log, start, self.config.propensity_records) if r.offset <= until
        ]
        observations = (obs for item in clicked_lists(records) for obs in item.observations())
        return estimate_pbm(observations, max_weight=self.config.max_weight)

    def _publish_examination(self, propensities: Propensities) -> None:
        """Hand the estimate to the gateway's `query_ctr` (views weighted by examination, clipped like
        the training weights); without bias correction every position counts 1 there too."""
        floor = 1.0 / propensities.max_weight
        save_examination(examination_path(self.store.data_dir), [max(t, floor) for t in propensities.theta])

    def _check_set(self, names: list[str]) -> tuple[list[LabelledList], float]:
        if self.config.check_set is None:
            return [], 1.0
        lists, _, min_grade = load_labelled(self.config.check_set, names)
        return lists, min_grade

    def run_once(self) -> dict[str, Any]:
        """One update; returns the outcome (also recorded, unless the run only waited for data)."""
        config = self.config
        trial = self.trials.state()
        if trial is not None and (trial.active or not trial.recorded):
            return self.trials.step() or {"action": "trial", "outcome": "idle"}
        start = self.resume_offset()
        recovered = self._recover_unrecorded_version(load_checkpoint(self.checkpoint_path).offset)
        if recovered is not None:
            self._save_checkpoint(start)
            return recovered
        window = read_window(
            self.log, start, holdout_frac=config.holdout_frac, max_records=config.max_records
        )
        waiting = {
            "action": "waiting",
            "events": {"after": start, "until": start},
            "train_clicks": window.train_clicks,
            "holdout_clicks": window.holdout_clicks,
        }
        if (
            window.train_clicks < config.min_train_clicks
            or window.holdout_clicks < config.gate.min_holdout_clicks
        ):
            return waiting

        serving = self.store.serving()
        if serving is None:
            return {**waiting, "action": "no_ranker"}
        serving_net, serving_manifest = self.store.load(serving)
        names = list(serving_manifest.feature_names)
        propensities = self.propensities(window.end)
        if config.examination_query_ctr:
            self._publish_examination(propensities)
        lists = click_training_lists(window.train, propensities, names)

        check_set, min_grade = self._check_set(names)
        anchor = [item.features for item in check_set]
        anchor += click_neutral(lists, names, config.neutral_anchor_lists, config.seed)
        candidate: RankerNet = copy.deepcopy(serving_net)
        if bool((candidate.std == 1).all() and (candidate.mean == 0).all()):
            # Served lists hold only the shown page; the check set's deeper lists cover the rest of the
            # candidates, so the scales fit every row the ranker will score.
            restandardise(candidate, np.concatenate([item.features for item in lists] + anchor))
        seen = serving_manifest.training.clicks_seen
        lr = decayed_lr(config.lr, seen, config.lr_half_life)
        fit_config = FitConfig(
            loss=config.loss,
            epochs=config.epochs,
            lr=lr,
            proximal=config.proximal,
            anchor_weight=config.anchor_weight,
            seed=config.seed + seen,
        )
        if config.learn == "clicks":
            residual = ClickResidual(candidate, click_columns(names))
            report = fit(residual, lists, fit_config, anchor=anchor[: len(check_set)])
            candidate = residual.fold()
        else:
            report = fit(candidate, lists, fit_config, anchor=anchor)

        validation = validate(
            lambda x: score_rows(candidate, x),
            lambda x: score_rows(serving_net, x),
            window.holdout,
            propensities,
            names,
            check_set=check_set,
            check_min_grade=min_grade,
            config=config.gate,
        )
        training = TrainingRecord(
            kind="clicks",
            parent=serving,
            validation=validation.to_dict(),
            events={"after": start, "until": window.boundary},
            clicks_seen=seen + window.train_clicks,
            details={
                "clicks": window.train_clicks,
                "lists": len(lists),
                "bias_correction": config.bias_correction,
                "loss": config.loss,
                "propensities": propensities.to_dict(),
                "fit": report.to_dict(),
            },
        )
        if validation.accepted:
            gate = _gate(bool(check_set), config)
            if gate is None:
                return {
                    "action": "refused",
                    "reason": NO_GATE,
                    **training.to_dict(),
                    "events": {"after": start, "until": start},
                }
            training = replace(training, gate=gate, forced=gate == "forced")
            manifest = RankerManifest(
                version=0, feature_names=names, hidden=serving_manifest.hidden, training=training
            )
            version = self.store.add(candidate, manifest)
            if gate == "trial":
                assert config.trial is not None
                outcome = {**self.trials.start(version, config.trial), "validation": training.validation}
            else:
                outcome = roll_out(
                    self.store,
                    self.loader,
                    version,
                    keep=config.keep_versions,
                    previous=serving,
                    details=training.to_dict(),
                )
        else:
            outcome = self.store.rollouts.append(
                {"action": "rejected", "version": None, **training.to_dict()}
            )
        self._save_checkpoint(window.boundary)
        return outcome

    def run_forever(self, interval_s: float, stop: threading.Event | None = None) -> None:
        """Run, sleep `interval_s`, repeat until `stop` is set (the CLI's --continuous mode)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            self.run_once()
            stop.wait(interval_s)
