"""The update job's encoder step: a query-tower version from the clicks logged since the last step.

The ranker learns at every update run; the query tower on a slower cadence (once `every` new click
pairs have been logged), because a step costs minutes of CPU and a few hundred clicks are too few to
move a 22M-parameter encoder safely. One step (`EncoderStep.run_once`):

1. Reads the log after its own checkpoint (`learning/encoder_checkpoint.json`, separate from the
   ranker's: the two learners consume the same clicks at different speeds) and waits, consuming
   nothing, until the window holds `every` clicks on products of the served vectors.
2. Builds the training set as `engine encoder finetune --clicks` does (`engine.encoder.sources`):
   clicks weighted by inverse propensity with passed-over negatives, the window's clicked queries split
   into training pairs, validation queries (early stopping) and check queries (the gate).
3. Warm-starts from the serving query tower and trains it against the served product vectors (only the
   query side moves, so the version serves without re-embedding) with a small learning rate and the
   anchor term (`FinetuneConfig.anchor`: an L2 pull to the serving weights), so a small or skewed batch
   of clicks cannot make it forget what it knew.
4. Gates it like a ranker version: not worse than the serving version on the held-out click queries
   and, when one is given, on the labelled check set (`check`: judged queries scored against the same
   vectors), each within `tolerance`.
5. Accepted: writes the version and, with trials configured (`EncoderStepConfig.trial`), starts an
   interleaved trial against the serving version (`engine.encoder.trial`: live searches decide, the
   same sign test and stop rules as a ranker trial); without, serves it by version
   (`engine.encoder.rollout`; `engine encoder rollback` brings the previous one back). Rejected:
   recorded with the reasons. A tower whose validation never beat the serving one (the best weights are
   the starting weights) is recorded as unchanged, with no version written. Either way the checkpoint
   then moves past the window, so the next step learns from newer clicks only.

While an encoder trial runs, a step only advances it (`EncoderTrialRunner.step`): no new tower is
trained until the trial has promoted or stopped its candidate, and the checkpoint stays where it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from engine.config import Settings
from engine.encoder.evaluate import EvalQuery, ProductVectors
from engine.encoder.rollout import GateVerdict, gate, roll_out
from engine.encoder.sources import Splits, from_clicks
from engine.encoder.thresholds import carried_thresholds
from engine.encoder.train import FinetuneConfig, finetune, query_embedder
from engine.encoder.trial import EncoderTrialLoader, EncoderTrialRunner
from engine.encoder.versions import QueryEncoderStore
from engine.errors import InvalidInput
from engine.events.base import EventLog, read_records
from engine.learning.checkpoint import load_checkpoint, save_checkpoint
from engine.learning.clicks import ClickedList, clicked_lists
from engine.models.tower import TowerManifest
from engine.pipeline.trialstate import TrialConfig


@dataclass(frozen=True)
class EncoderStepConfig:
    every: int = 2_000  # new clicks on catalog products between steps
    max_records: int = 500_000
    # Small steps held close to the serving weights: the step sees one window of clicks, not a corpus.
    train: FinetuneConfig = field(
        default_factory=lambda: FinetuneConfig(
            epochs=1, batch_size=32, lr=1e-5, anchor=1.0, eval_every=20, patience=2, max_steps=200
        )
    )
    splits: Splits = field(default_factory=lambda: Splits(validation=0.15, check=0.25, seed=13))
    tolerance: float = 0.0
    max_weight: float = 10.0
    max_negatives: int = 4
    # The interleaved trial an accepted tower must win on live searches; None: it is rolled out at once.
    trial: TrialConfig | None = None

    def check(self) -> None:
        if self.every < 1 or self.max_records < 1:
            raise InvalidInput("the encoder step needs every >= 1 click and max records >= 1")
        if self.train.towers != "query":
            raise InvalidInput("the online encoder step trains the query tower only (products stay served)")
        self.train.check()


def encoder_checkpoint_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "learning" / "encoder_checkpoint.json"


def catalog_clicks(lists: Sequence[ClickedList], products: Mapping[str, object]) -> int:
    """Clicks in `lists` on products that have a served vector (the ones a pair can be made of)."""
    return sum(1 for item in lists for i in item.clicked if item.impression.product_ids[i] in products)


class EncoderStep:
    """One data directory's online query-tower learner.

    `products()` returns the served product vectors (read only when a step runs); `loader()` the model
    server that loads a version (None: versions are written, not served); `check` an optional labelled
    check set (judged queries) the candidate must not lose on; `load(path)` a trainable tower."""

    def __init__(
        self,
        settings: Settings,
        log: EventLog,
        products: Callable[[], ProductVectors],
        load: Callable[[Path], Any],
        base_weights: Path,
        loader: Callable[[], EncoderTrialLoader] | None = None,
        config: EncoderStepConfig | None = None,
        check: Sequence[EvalQuery] = (),
        check_min_grade: float = 1.0,
    ) -> None:
        self.config = config or EncoderStepConfig()
        self.config.check()
        self.log, self.products, self.load, self.base_weights = log, products, load, base_weights
        self.loader, self.check_set, self.check_min_grade = loader, list(check), check_min_grade
        self.store = QueryEncoderStore(settings)
        self.checkpoint = encoder_checkpoint_path(settings)

    def trials(self) -> EncoderTrialRunner | None:
        """The trial runner over this step's log and loader (None: versions are written, not served)."""
        return EncoderTrialRunner(self.store, self.log, self.loader()) if self.loader is not None else None

    def run_once(self) -> dict[str, Any]:
        config = self.config
        trials = self.trials()
        trial = trials.state() if trials is not None else None
        if trials is not None and trial is not None and (trial.active or not trial.recorded):
            return trials.step() or {"action": "trial", "outcome": "idle"}
        state = load_checkpoint(self.checkpoint)
        records = read_records(self.log, state.offset, config.max_records)
        lists = clicked_lists(records, self.log)
        window = {"after": state.offset, "until": records[-1].offset if records else state.offset}
        waiting = {"action": "waiting", "every": config.every, "events": window}
        clicks = sum(len(item.clicked) for item in lists)
        if clicks < config.every:  # decided before the served vectors are read
            return {**waiting, "clicks": clicks}
        products = self.products()
        ids = dict.fromkeys(products.ids, "")
        clicks = catalog_clicks(lists, ids)
        if clicks < config.every:
            return {**waiting, "clicks": clicks}
        data = from_clicks(
            lists,
            ids,
            config.splits,
            max_weight=config.max_weight,
            max_negatives=config.max_negatives,
        )
        serving = self.store.serving()
        start = (self.store.weights(serving) if serving is not None else None) or self.base_weights
        model, reference = self.load(start), self.load(start)
        started = time.perf_counter()
        result = finetune(
            model, data.pairs, products, data.validation, config.train, min_grade=data.min_grade
        )
        training: dict[str, Any] = {
            **result.to_dict(),
            "config": asdict(config.train),
            "kind": "online",
            "events": window,
            "clicks": clicks,
        }
        details: dict[str, Any] = {
            "parent": serving,
            "pairs": len(data.pairs),
            "sources": data.summary,
            "training": training,
            "events": window,
        }
        if config.train.restore_best and result.best_step == 0:
            # Validation never beat the serving tower: the kept weights are the serving ones. A version
            # of them would cost a model load (and a trial) to serve what already serves.
            training["seconds"] = round(time.perf_counter() - started, 1)
            reason = "no validation improvement on the serving tower"
            outcome = self.store.rollouts.append(
                {"action": "unchanged", "version": None, **details, "reason": reason}
            )
            save_checkpoint(self.checkpoint, window["until"], state.runs + 1)
            return outcome
        checks = {"clicks": (data.check, data.min_grade, "held-out click-query")}
        if self.check_set:
            checks["check_set"] = (self.check_set, self.check_min_grade, "check-set")
        candidate, served = query_embedder(model), query_embedder(reference)
        verdicts = {
            name: gate(
                candidate, served, queries, products, min_grade=grade, tolerance=config.tolerance, label=label
            )
            for name, (queries, grade, label) in checks.items()
        }
        training["seconds"] = round(time.perf_counter() - started, 1)
        details["gate"] = _merged(verdicts)
        if not details["gate"]["accepted"]:
            outcome = self.store.rollouts.append({"action": "rejected", "version": None, **details})
        else:
            manifest = TowerManifest(
                version=0,
                base=self.store.vectors_identity(),
                parent=serving,
                training=training,
                validation=details["gate"],
            )
            queries = [p.query for p in data.pairs]
            carried = carried_thresholds(candidate, served, queries, products, self.store.match_thresholds())
            details["thresholds"] = carried[0]
            version = self.store.add(model, manifest, queries, carried)
            if trials is None:
                outcome = {"action": "written", "version": version, **details}
            elif config.trial is not None:
                outcome = {**details, **trials.start(version, config.trial)}
            else:
                outcome = roll_out(self.store, trials.loader, version, details=details)
        save_checkpoint(self.checkpoint, window["until"], state.runs + 1)
        return outcome


def _merged(verdicts: dict[str, GateVerdict]) -> dict[str, Any]:
    """One gate record: accepted only if every check accepted, each check's figures kept by name."""
    return {
        "accepted": all(v.accepted for v in verdicts.values()),
        "reasons": [f"{name}: {r}" for name, v in verdicts.items() for r in v.reasons],
        **{name: v.to_dict() for name, v in verdicts.items()},
    }
