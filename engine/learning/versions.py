"""Ranker versions in the runtime model repository, and the durable record of every rollout decision.

Layout (under `settings.data_dir`):

- `model_repository/ranker/<n>/`  one directory per version (`engine.models.ranker_net` artifact); the
  serving version is the one pinned by `version_policy` in `model_repository/ranker/config.pbtxt`
  (or the newest directory when nothing is pinned yet).
- `rollouts.jsonl`                one JSON object per decision: `rollout`, `rejected`, `rollback`, with
  the validation numbers and the log offsets the decision consumed. Appends are fsync'd.

A new version is written into a staging directory first and published by `engine.storage`
(fsync, rename), so Triton (or a concurrent `versions` listing) never sees a half-written version.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from engine.config import Settings
from engine.errors import NotFound
from engine.models.ranker_net import (
    RankerManifest,
    RankerNet,
    list_ranker_versions,
    load_ranker,
    write_ranker_version,
)
from engine.pipeline.trialstate import load_trial, trial_path
from engine.storage import append_synced
from engine.triton.repository import (
    CONFIG_FILE,
    RANKER,
    pinned_versions,
    read_config,
    set_version_policy,
    write_config,
)

ROLLOUTS_FILE = "rollouts.jsonl"


DETAIL_KEYS = ("propensities", "fit")  # large per-run internals a summary leaves out


def brief(record: dict[str, Any]) -> dict[str, Any]:
    """A rollout or update record without its large per-run internals (for pages and the CLI)."""
    return {k: v for k, v in record.items() if k not in DETAIL_KEYS}


class RolloutLog:
    """Append-only JSON lines; a torn last line (crash mid-write) is ignored on read."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        record = {"time": time.time(), **record}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n"
        append_synced(self.path, line)
        return record

    def records(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out


class RankerStore:
    """The ranker model directory of the runtime repository plus its rollout record."""

    def __init__(self, settings: Settings) -> None:
        self.data_dir = Path(settings.data_dir)
        self.model_dir = self.data_dir / "model_repository" / RANKER
        self.rollouts = RolloutLog(self.data_dir / ROLLOUTS_FILE)

    def versions(self) -> list[int]:
        return list_ranker_versions(self.model_dir)

    def serving(self) -> int | None:
        """The version Triton is configured to serve: the pinned one, else the newest. During an
        interleaved trial both the serving version and the candidate are pinned; the candidate is not
        serving (it answers only its share of interleaved searches)."""
        config_path = self.model_dir / CONFIG_FILE
        if config_path.is_file():
            pinned = pinned_versions(read_config(config_path))
            if pinned:
                trial = load_trial(trial_path(self.data_dir))
                if trial is not None and trial.active and len(pinned) > 1:
                    pinned = [v for v in pinned if v != trial.candidate] or pinned
                return max(pinned)
        versions = self.versions()
        return versions[-1] if versions else None

    def load(self, version: int) -> tuple[RankerNet, RankerManifest]:
        if version not in self.versions():
            raise NotFound(f"ranker version {version} is not in {self.model_dir} (have {self.versions()})")
        return load_ranker(self.model_dir / str(version))

    def manifest(self, version: int) -> RankerManifest:
        return self.load(version)[1]

    def add(self, net: RankerNet, manifest: RankerManifest) -> int:
        """Write `net` as the next version number; returns it. The version is not served yet.

        Under Triton's default `latest` policy a new directory would go live at the next (re)load or
        restart, unvalidated; so before adding, the version serving now is pinned (if nothing is).
        """
        current = self.serving()
        config_path = self.model_dir / CONFIG_FILE
        if current is not None and config_path.is_file():
            config = read_config(config_path)
            if not pinned_versions(config):
                set_version_policy(config, [current])
                write_config(config_path, config)
        version = max(self.versions(), default=0) + 1
        manifest.version = version
        # Staged outside the model directory, so Triton's scan never meets even a hidden folder there.
        staging = self.data_dir / "learning" / "staging"
        write_ranker_version(self.model_dir, net, manifest, staging=staging)
        return version

    def prune(self, keep: int, protect: set[int]) -> list[int]:
        """Delete all but the newest `keep` versions, never one in `protect`; returns the deleted."""
        versions = self.versions()
        doomed = [v for v in versions[: max(len(versions) - keep, 0)] if v not in protect]
        for version in doomed:
            shutil.rmtree(self.model_dir / str(version), ignore_errors=True)
        return doomed
