"""The update job's encoder step on a tiny BERT and a synthetic click log: it waits (consuming nothing)
until enough new clicks are logged, then trains a query-tower version warm-started from the serving one,
gates it on held-out click queries (and a judged check set when given) and serves it (or, with trials
configured, starts its interleaved trial and only recounts it until it is decided); a rejected
candidate writes nothing; each step learns only from clicks logged after the previous one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("torch")

from engine.config import Settings
from engine.encoder.evaluate import EvalQuery, ProductVectors
from engine.encoder.job import load_tower
from engine.encoder.online import EncoderStep, EncoderStepConfig, encoder_checkpoint_path
from engine.encoder.train import FinetuneConfig, query_embedder
from engine.encoder.versions import QueryEncoderStore
from engine.errors import InvalidInput
from engine.learning.checkpoint import load_checkpoint
from engine.pipeline.trialstate import TrialConfig, load_trial, trial_path
from tests.unit import test_encoder_clicks as clicks
from tests.unit import test_encoder_job as shared
from tests.unit.test_encoder_trial import TrialLoader
from tests.unit.test_encoder_versions import FakeLoader

tiny, files, shop = shared.tiny, shared.files, shared.shop

# On these synthetic clicks (each query names its product) the tiny tower's validation nDCG does not rise
# above its start, so these tests keep the last weights (restore_best=False) to get a changed tower to
# gate and serve. With the best weights kept, such a step writes nothing (the "unchanged" test).
TRAIN = FinetuneConfig(
    epochs=2, batch_size=8, lr=3e-3, anchor=0.1, eval_every=4, patience=3, restore_best=False
)


def step(settings: Settings, tiny: Path, log: Any, loader: FakeLoader, every: int, **kw: Any) -> EncoderStep:
    model = load_tower(tiny, 32, "cpu")
    ids = tuple(clicks.IDS)
    products = ProductVectors(ids, query_embedder(model)([clicks.TEXTS[i] for i in ids]))
    config = EncoderStepConfig(
        every=every,
        train=kw.pop("train", TRAIN),
        tolerance=kw.pop("tolerance", 1.0),
        trial=kw.pop("trial", None),
    )
    return EncoderStep(
        settings,
        log,
        lambda: products,
        lambda p: load_tower(p, 32, "cpu"),
        tiny,
        lambda: loader,
        config,
        **kw,
    )


def test_waits_for_enough_new_clicks_and_consumes_nothing(shop: Settings, tiny: Path, tmp_path: Path) -> None:
    log = clicks.synthetic_log(tmp_path / "events.sqlite3", 60)
    loader = FakeLoader(shop)
    outcome = step(shop, tiny, log, loader, every=10_000).run_once()
    assert outcome["action"] == "waiting" and 0 < outcome["clicks"] < 10_000
    assert QueryEncoderStore(shop).versions() == [1] and loader.loaded == []
    assert load_checkpoint(encoder_checkpoint_path(shop)).offset == 0
    log.close()


def test_a_step_serves_a_gated_version_then_learns_only_from_newer_clicks(
    shop: Settings, tiny: Path, tmp_path: Path
) -> None:
    log = clicks.synthetic_log(tmp_path / "events.sqlite3", 400)
    loader = FakeLoader(shop)
    learner = step(shop, tiny, log, loader, every=50)
    first = learner.run_once()
    store = QueryEncoderStore(shop)
    assert first["action"] == "rollout" and first["version"] == 2 and loader.loaded == [2]
    assert store.serving() == 2 and first["gate"]["accepted"] and first["gate"]["clicks"]["queries"] > 0
    manifest = store.manifest(2)
    assert manifest is not None and manifest.parent == 1 and manifest.base == store.vectors_identity()
    assert manifest.training["kind"] == "online" and manifest.training["steps"] > 0
    until = first["events"]["until"]
    assert until > 0 and load_checkpoint(encoder_checkpoint_path(shop)).offset == until
    # Nothing new logged: the next step waits on zero clicks.
    assert learner.run_once() == {
        "action": "waiting",
        "clicks": 0,
        "every": 50,
        "events": {"after": until, "until": until},
    }
    # New clicks: the next version starts from the serving one (2), not from the shipped model.
    more = clicks.synthetic_log(tmp_path / "more.sqlite3", 400, seed=1)
    for record in more.read(after=0, limit=10_000):  # new search and event ids (the log dedups them)
        if record.impression is not None:
            log.append_impression(replace(record.impression, search_id="m" + record.impression.search_id))
        if record.event is not None:
            event = record.event
            log.append_events(
                [replace(event, event_id="m" + event.event_id, search_id="m" + event.search_id)]
            )
    second = learner.run_once()
    assert second["action"] == "rollout" and second["version"] == 3 and second["parent"] == 2
    assert second["events"]["after"] == until and loader.loaded == [2, 3]
    log.close()
    more.close()


def test_with_trials_an_accepted_tower_starts_a_trial_instead_of_serving(
    shop: Settings, tiny: Path, tmp_path: Path
) -> None:
    log = clicks.synthetic_log(tmp_path / "events.sqlite3", 400)
    loader = TrialLoader(shop)
    learner = step(shop, tiny, log, loader, every=50, trial=TrialConfig(share=0.3))
    first = learner.run_once()
    store = QueryEncoderStore(shop)
    assert first["action"] == "trial" and first["outcome"] == "started" and first["version"] == 2
    assert first["gate"]["accepted"] and store.serving() == 1  # written and loaded, not serving
    state = load_trial(trial_path(shop.data_dir, "encoder"))
    assert state is not None and state.active and state.config.share == 0.3
    # While the trial runs a step only recounts it: no new tower, the checkpoint stays.
    until = load_checkpoint(encoder_checkpoint_path(shop)).offset
    second = learner.run_once()
    assert second["action"] == "trial" and second["outcome"] == "running" and second["trial"]["searches"] == 0
    assert store.versions() == [1, 2] and load_checkpoint(encoder_checkpoint_path(shop)).offset == until
    log.close()


def test_a_candidate_that_loses_the_gate_is_not_written(shop: Settings, tiny: Path, tmp_path: Path) -> None:
    log = clicks.synthetic_log(tmp_path / "events.sqlite3", 400)
    loader = FakeLoader(shop)
    outcome = step(shop, tiny, log, loader, every=50, tolerance=-1.0).run_once()
    assert outcome["action"] == "rejected" and outcome["version"] is None
    assert "clicks: held-out click-query nDCG@10" in outcome["gate"]["reasons"][0]
    assert QueryEncoderStore(shop).versions() == [1] and loader.loaded == []
    # The window is consumed all the same: the next step waits for newer clicks.
    assert load_checkpoint(encoder_checkpoint_path(shop)).offset == outcome["events"]["until"] > 0
    log.close()


def test_a_tower_that_never_beats_the_serving_one_on_validation_is_not_written(
    shop: Settings, tiny: Path, tmp_path: Path
) -> None:
    # A learning rate too small to change any ranking: the best validated weights are the start's.
    log = clicks.synthetic_log(tmp_path / "events.sqlite3", 400)
    loader = FakeLoader(shop)
    outcome = step(
        shop, tiny, log, loader, every=50, train=replace(TRAIN, lr=1e-12, restore_best=True)
    ).run_once()
    assert outcome["action"] == "unchanged" and outcome["version"] is None
    assert outcome["training"]["best_step"] == 0 and outcome["training"]["steps"] > 0
    assert QueryEncoderStore(shop).versions() == [1] and loader.loaded == []
    assert QueryEncoderStore(shop).rollouts.records()[-1]["action"] == "unchanged"
    assert load_checkpoint(encoder_checkpoint_path(shop)).offset == outcome["events"]["until"] > 0
    log.close()


def test_a_judged_check_set_gates_too(shop: Settings, tiny: Path, tmp_path: Path) -> None:
    log = clicks.synthetic_log(tmp_path / "events.sqlite3", 400)
    judged = [
        EvalQuery("j1", "red saw", {"red-saw": 3.0}),
        EvalQuery("j2", "pink drill", {"pink-drill": 3.0}),
    ]
    outcome = step(
        shop, tiny, log, FakeLoader(shop), every=50, tolerance=-1.0, check=judged, check_min_grade=1.0
    ).run_once()
    assert outcome["action"] == "rejected"
    assert outcome["gate"]["check_set"]["queries"] == 2 and not outcome["gate"]["check_set"]["accepted"]
    assert np.isfinite(outcome["gate"]["check_set"]["candidate_ndcg"])
    log.close()


def test_bad_settings_are_named(shop: Settings, tiny: Path, tmp_path: Path) -> None:
    log = clicks.synthetic_log(tmp_path / "events.sqlite3", 10)
    with pytest.raises(InvalidInput, match="every >= 1"):
        step(shop, tiny, log, FakeLoader(shop), every=0)
    both = EncoderStepConfig(train=FinetuneConfig(towers="both"))
    with pytest.raises(InvalidInput, match="query tower only"):
        EncoderStep(shop, log, lambda: None, lambda p: None, tiny, None, both)  # type: ignore[arg-type]
    log.close()
