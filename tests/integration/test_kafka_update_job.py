"""The ranking-update job on the Kafka log: the consumer group's committed offset is its checkpoint.

Against a real broker: a run killed before its checkpoint commits nothing, the rerun resumes after what
the recorded run consumed (no event trained twice) and commits; a job started on another machine, with
no local checkpoint at all, resumes from the committed offset.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.config import Settings, load_settings
from engine.events.kafka import KafkaEventLog
from engine.learning import update as update_module
from engine.learning.update import UpdateConfig, UpdateJob
from engine.learning.versions import RankerStore
from tests.unit.test_learning_fixtures import FakeLoader, World, make_log, shop

pytestmark = pytest.mark.integration
__all__ = ["shop"]  # fixture used by name below

GROUP = "ranker-update-test"
# What is under test is the checkpoint, not the gate: each run promotes (forced) so each one consumes.
CONFIG = UpdateConfig(
    epochs=3, min_train_clicks=30, consumer_group=GROUP, trial=None, force=True, learn="all"
)


def last_rollout(settings: Settings) -> dict:
    return RankerStore(settings).rollouts.records()[-1]


def test_committed_offset_is_the_update_jobs_checkpoint(
    shop: Settings,
    kafka_bootstrap: str,
    kafka_topic_prefix: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = KafkaEventLog(kafka_bootstrap, kafka_topic_prefix)
    world, rng = World(), np.random.default_rng(7)
    make_log(log, world, 600, rng)  # type: ignore[arg-type]

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("killed before the checkpoint")

    with monkeypatch.context() as patch:
        patch.setattr(update_module, "save_checkpoint", killed)
        with pytest.raises(KeyboardInterrupt):
            UpdateJob(shop, log, FakeLoader(shop), CONFIG).run_once()
    consumed = last_rollout(shop)["events"]["until"]
    assert consumed > 0 and log.committed(GROUP) == 0

    make_log(log, world, 600, rng)  # type: ignore[arg-type]
    job = UpdateJob(shop, log, FakeLoader(shop), CONFIG)
    assert job.resume_offset() == consumed
    job.run_once()
    second = last_rollout(shop)["events"]
    assert second["after"] == consumed  # nothing trained twice
    assert log.committed(GROUP) == second["until"] > consumed

    elsewhere = load_settings(data_dir=tmp_path / "another-host")
    assert UpdateJob(elsewhere, log, FakeLoader(elsewhere), CONFIG).resume_offset() == second["until"]
    log.close()
