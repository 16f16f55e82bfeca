"""Make Triton serve a ranker version, roll back to a kept one, prune old ones; record each step.

Triton runs with explicit model control: `load_ranker_version(v)` pins `version_policy` to v and reloads
the `ranker` model in place, so requests keep flowing and the new version answers within seconds. Every
change of the served version goes through here, so `rollouts.jsonl` is the complete history.
"""

from __future__ import annotations

from typing import Any, Protocol

from engine.errors import NotFound
from engine.learning.history import last_passed
from engine.learning.versions import RankerStore


class VersionLoader(Protocol):
    """The part of `engine.inference.base.InferenceBackend` a rollout needs."""

    def load_ranker_version(self, version: int) -> None: ...


def roll_out(
    store: RankerStore,
    loader: VersionLoader,
    version: int,
    *,
    action: str = "rollout",
    keep: int = 5,
    previous: int | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Serve `version`, record it, then prune all but the newest `keep` versions (the served one stays).

    The record is written only after Triton accepted the version: if loading fails the error propagates
    and nothing claims the version serves. `previous` defaults to the version served before the call.
    """
    if version not in store.versions():
        raise NotFound(f"ranker version {version} does not exist (kept: {store.versions()})")
    previous = store.serving() if previous is None else previous
    loader.load_ranker_version(version)
    fallback = last_passed(store, exclude=version)  # what a rollback would offer: never pruned
    pruned = store.prune(keep, protect={version} | ({fallback.version} if fallback else set()))
    record = {"action": action, "version": version, "previous": previous, "pruned": pruned}
    return store.rollouts.append({**record, **(details or {})})


def rollback(store: RankerStore, loader: VersionLoader, version: int, keep: int = 5) -> dict[str, Any]:
    """Return to any kept version (newer ones stay on disk, so rolling forward again works too)."""
    return roll_out(store, loader, version, action="rollback", keep=max(keep, len(store.versions())))


def validation_of(store: RankerStore, version: int) -> dict[str, Any]:
    """The validation numbers recorded for a version (from its manifest), or {} for the prior."""
    return store.manifest(version).training.validation
