"""Version store, rollout, rollback and pruning."""

from __future__ import annotations

import pytest

from engine.config import Settings
from engine.errors import NotFound
from engine.learning.rollout import roll_out, rollback
from engine.learning.versions import RankerStore, RolloutLog
from engine.models.ranker_net import RankerManifest
from tests.unit.test_learning_fixtures import FakeLoader, shop

__all__ = ["shop"]


def add_versions(store: RankerStore, n: int) -> list[int]:
    net, manifest = store.load(1)
    out = []
    for _ in range(n):
        out.append(store.add(net, RankerManifest(version=0, feature_names=manifest.feature_names)))
    return out


def test_add_numbers_versions_and_does_not_serve_them(shop: Settings) -> None:
    store = RankerStore(shop)
    assert add_versions(store, 2) == [2, 3]
    assert store.versions() == [1, 2, 3]
    assert store.manifest(3).version == 3
    assert not (store.data_dir / "learning" / "staging").exists()


def test_roll_out_prunes_but_keeps_the_served_version(shop: Settings) -> None:
    store, loader = RankerStore(shop), FakeLoader(shop)
    roll_out(store, loader, 1)
    add_versions(store, 4)
    record = roll_out(store, loader, 5, keep=2, previous=1)
    # Versions 2-4 passed no gate; the prior (1) did and is what a rollback would offer: it stays.
    assert store.versions() == [1, 4, 5]
    assert record["pruned"] == [2, 3] and record["previous"] == 1
    assert store.serving() == 5


def test_prune_never_deletes_a_protected_version(shop: Settings) -> None:
    store = RankerStore(shop)
    add_versions(store, 3)
    assert store.prune(keep=1, protect={1}) == [2, 3]
    assert store.versions() == [1, 4]


def test_rollback_to_a_kept_version_and_forward_again(shop: Settings) -> None:
    store, loader = RankerStore(shop), FakeLoader(shop)
    add_versions(store, 2)
    roll_out(store, loader, 3)
    record = rollback(store, loader, 2)
    assert record["action"] == "rollback" and record["previous"] == 3 and record["pruned"] == []
    assert store.serving() == 2 and store.versions() == [1, 2, 3]
    roll_out(store, loader, 3)
    assert loader.loaded == [3, 2, 3]
    assert [r["action"] for r in store.rollouts.records()] == ["rollout", "rollback", "rollout"]


def test_rollback_to_a_missing_version_fails_and_changes_nothing(shop: Settings) -> None:
    store, loader = RankerStore(shop), FakeLoader(shop)
    with pytest.raises(NotFound):
        rollback(store, loader, 7)
    assert loader.loaded == [] and store.rollouts.records() == []


def test_a_torn_last_line_is_ignored(tmp_path) -> None:
    log = RolloutLog(tmp_path / "rollouts.jsonl")
    log.append({"action": "rollout", "version": 2})
    with log.path.open("a") as fh:
        fh.write('{"action": "roll')
    assert [r["version"] for r in log.records()] == [2]
