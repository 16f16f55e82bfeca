"""The update job: IPS training, the validation gate, rollout, checkpoint semantics under crashes."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from engine.config import Settings
from engine.events.embedded import EmbeddedEventLog
from engine.learning import update as update_module
from engine.learning.checkpoint import load_checkpoint
from engine.learning.update import UpdateConfig, UpdateJob
from engine.learning.versions import RankerStore
from tests.unit.test_learning_fixtures import FakeLoader, World, event_log, make_log, shop

__all__ = ["event_log", "shop"]  # fixtures used by name below

# These tests exercise training, the click gate, rollout and checkpoints: an accepted candidate is
# promoted directly (forced: no check set, no trial). The gates are tested in test_learning_trial.py.
# The synthetic world's relevance is in `title_overlap`, not in click features, so the whole network
# learns (learn="all"); the default click-only residual is tested in test_learning_no_leaks.py.
FAST = UpdateConfig(epochs=3, min_train_clicks=30, trial=None, force=True, learn="all")


def rollout_records(settings: Settings) -> list[dict]:
    return RankerStore(settings).rollouts.records()


def test_clicks_train_a_better_ranker_that_is_rolled_out(shop: Settings, event_log: EmbeddedEventLog) -> None:
    world = World()
    make_log(event_log, world, 800, np.random.default_rng(0))
    loader = FakeLoader(shop)
    outcome = UpdateJob(shop, event_log, loader, FAST).run_once()

    assert outcome["action"] == "rollout"
    assert outcome["version"] == 2 and outcome["previous"] == 1
    assert loader.loaded == [2]
    store = RankerStore(shop)
    assert store.serving() == 2
    validation = outcome["validation"]
    assert validation["clicks"]["candidate"] > validation["clicks"]["serving"]
    # The learned ranker orders the hidden grades better than the prior it started from.
    net, manifest = store.load(2)
    assert manifest.training.parent == 1 and manifest.training.clicks_seen == outcome["clicks"]
    import torch

    def ndcg_gain(model) -> float:
        total = 0.0
        for q in range(world.queries):
            with torch.no_grad():
                scores = model(torch.from_numpy(world.features[q])).numpy()
            order = np.argsort(-scores)
            total += sum((2.0 ** world.grades[q, d] - 1) / np.log2(i + 2) for i, d in enumerate(order[:5]))
        return total

    assert ndcg_gain(net) > 1.1 * ndcg_gain(store.load(1)[0])
    # The checkpoint sits at the boundary: the held-out tail is read again next time.
    assert (
        load_checkpoint(Path(shop.data_dir) / "learning" / "checkpoint.json").offset
        == outcome["events"]["until"]
    )
    assert outcome["events"]["until"] < event_log.last_offset()


@pytest.mark.parametrize("corrected", [True, False])
def test_a_run_publishes_its_examination_estimate_for_the_gateways_query_ctr(
    shop: Settings, event_log: EmbeddedEventLog, corrected: bool
) -> None:
    from dataclasses import replace

    from engine.ranking.examination import examination_path, load_examination

    make_log(event_log, World(), 800, np.random.default_rng(4))
    config = replace(FAST, bias_correction=corrected, examination_query_ctr=True)
    UpdateJob(shop, event_log, FakeLoader(shop), config).run_once()
    theta = load_examination(examination_path(shop.data_dir))
    if corrected:  # examination falls down the list, clipped like the training weights
        assert theta[0] == 1.0 and theta[-1] < 0.6 and min(theta) >= 1.0 / FAST.max_weight
        assert all(a >= b for a, b in itertools.pairwise(theta))
    else:  # no correction anywhere: every view counts 1
        assert theta == (1.0,)


def test_by_default_no_examination_estimate_is_published(shop: Settings, event_log: EmbeddedEventLog) -> None:
    make_log(event_log, World(), 800, np.random.default_rng(4))
    UpdateJob(shop, event_log, FakeLoader(shop), FAST).run_once()
    assert not (Path(shop.data_dir) / "learning" / "examination.json").exists()


def test_too_few_clicks_waits_and_consumes_nothing(shop: Settings, event_log: EmbeddedEventLog) -> None:
    make_log(event_log, World(), 20, np.random.default_rng(1))
    loader = FakeLoader(shop)
    outcome = UpdateJob(shop, event_log, loader, FAST).run_once()
    assert outcome["action"] == "waiting"
    assert loader.loaded == []
    assert rollout_records(shop) == []
    assert not (Path(shop.data_dir) / "learning" / "examination.json").exists()
    assert load_checkpoint(Path(shop.data_dir) / "learning" / "checkpoint.json").offset == 0


def test_a_candidate_trained_on_inverted_clicks_is_rejected(
    shop: Settings, event_log: EmbeddedEventLog
) -> None:
    world, rng = World(), np.random.default_rng(2)
    make_log(event_log, world, 800, rng, invert=True)  # training part: shoppers click the worst items
    make_log(event_log, world, 200, rng)  # hold-out part: real behaviour
    loader = FakeLoader(shop)
    outcome = UpdateJob(shop, event_log, loader, FAST).run_once()

    assert outcome["action"] == "rejected"
    assert outcome["validation"]["clicks"]["candidate"] < outcome["validation"]["clicks"]["serving"]
    assert "IPS click estimate" in outcome["validation"]["reasons"][0]
    assert loader.loaded == []
    assert RankerStore(shop).versions() == [1] and RankerStore(shop).serving() == 1
    assert [r["action"] for r in rollout_records(shop)] == ["rejected"]
    # A rejection still consumes its events: the next run does not retrain on them.
    assert (
        load_checkpoint(Path(shop.data_dir) / "learning" / "checkpoint.json").offset
        == outcome["events"]["until"]
    )


def test_crash_before_the_checkpoint_does_not_train_twice(
    shop: Settings, event_log: EmbeddedEventLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_log(event_log, World(), 800, np.random.default_rng(3))
    loader = FakeLoader(shop)

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("killed")

    with monkeypatch.context() as patch:
        patch.setattr(update_module, "save_checkpoint", crash)
        with pytest.raises(KeyboardInterrupt):
            UpdateJob(shop, event_log, loader, FAST).run_once()
    first = rollout_records(shop)[-1]
    assert (
        first["action"] == "rollout"
        and load_checkpoint(Path(shop.data_dir) / "learning" / "checkpoint.json").offset == 0
    )

    again = UpdateJob(shop, event_log, loader, FAST)
    assert again.resume_offset() == first["events"]["until"]
    outcome = again.run_once()  # starts after what the recorded run consumed
    assert outcome["events"]["after"] == first["events"]["until"]


def test_crash_while_loading_resumes_the_accepted_rollout(
    shop: Settings, event_log: EmbeddedEventLog
) -> None:
    make_log(event_log, World(), 800, np.random.default_rng(4))
    with pytest.raises(RuntimeError):
        UpdateJob(shop, event_log, FakeLoader(shop, fail=True), FAST).run_once()
    assert RankerStore(shop).versions() == [1, 2]
    assert rollout_records(shop) == []

    loader = FakeLoader(shop)
    outcome = UpdateJob(shop, event_log, loader, FAST).run_once()
    assert outcome["action"] == "rollout" and outcome["recovered"] is True
    assert loader.loaded == [2]  # served without retraining
    assert RankerStore(shop).versions() == [1, 2]
    checkpoint = load_checkpoint(Path(shop.data_dir) / "learning" / "checkpoint.json")
    assert checkpoint.offset == outcome["events"]["until"]


def test_events_after_a_run_are_learned_by_the_next_and_versions_are_pruned(
    shop: Settings, event_log: EmbeddedEventLog
) -> None:
    world, rng = World(), np.random.default_rng(5)
    loader = FakeLoader(shop)
    config = UpdateConfig(epochs=2, min_train_clicks=30, keep_versions=2, trial=None, force=True, learn="all")
    job = UpdateJob(shop, event_log, loader, config)
    ranges = []
    for _ in range(3):
        make_log(event_log, world, 400, rng)
        outcome = job.run_once()
        assert outcome["action"] in ("rollout", "rejected")
        ranges.append((outcome["events"]["after"], outcome["events"]["until"]))
    # Consecutive runs consume adjacent, non-overlapping ranges of the log.
    assert ranges[0][0] == 0
    assert all(ranges[i][1] == ranges[i + 1][0] for i in range(2))
    store = RankerStore(shop)
    # keep=2, plus the prior: forced versions pass no gate, so the prior stays as the rollback target.
    assert len(store.versions()) <= 3 and store.serving() in store.versions() and 1 in store.versions()
    served = [r for r in rollout_records(shop) if r["action"] == "rollout"]
    assert served and loader.loaded == [r["version"] for r in served]


def test_rollouts_file_is_json_lines(shop: Settings, event_log: EmbeddedEventLog) -> None:
    make_log(event_log, World(), 600, np.random.default_rng(6))
    UpdateJob(shop, event_log, FakeLoader(shop), FAST).run_once()
    lines = (Path(shop.data_dir) / "rollouts.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["validation"]["accepted"] is True
