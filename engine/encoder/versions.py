"""Query-tower versions in the runtime model repository, each with a manifest naming its product space.

Layout (under `settings.data_dir`):

- `model_repository/query_encoder/1/`   the version the source repository ships: the configured text
  model (AISLE_TEXT_MODEL), which also built the product vectors.
- `model_repository/query_encoder/<n>/` a fine-tuned tower: `model.py` (the same Triton entry point),
  `encoder/` (sentence-transformers weights; the served model exports them to ONNX like version 1) and
  `manifest.json` with the identity of the product-vector encoder it was trained against (`base`); a
  both-towers version's `base` is its own identity (`query_encoder/<n>` and its weights' fingerprint),
  the text encoder of the vector generation `indexer build --text-tower <n>` embeds with it.
- `encoder_rollouts.jsonl`              every rollout, rejection and rollback, fsync'd.

Serving pins `version_policy` in `query_encoder/config.pbtxt`. A version is written into a staging
directory and published whole by `engine.storage` (fsync, rename), so Triton never sees half a version.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from engine.catalog import catalog_root, live_text_tower, read_current, read_manifest
from engine.config import Settings
from engine.encoder.trained import write_trained_queries
from engine.errors import NotFound
from engine.learning.versions import RolloutLog
from engine.models.sources import ModelIdentity, fingerprint
from engine.models.tower import MANIFEST_FILE, WEIGHTS_DIR, TowerManifest
from engine.models.tower_thresholds import THRESHOLD_NAMES, THRESHOLDS_FILE, read_thresholds, write_thresholds
from engine.pipeline.trialstate import load_trial, trial_path
from engine.storage import staged_directory
from engine.triton.repository import (
    CONFIG_FILE,
    pinned_versions,
    read_config,
    set_version_policy,
    write_config,
)

QUERY_ENCODER = "query_encoder"
ROLLOUTS_FILE = "encoder_rollouts.jsonl"


class QueryEncoderStore:
    """The `query_encoder` model directory of the runtime repository plus its rollout record."""

    def __init__(self, settings: Settings) -> None:
        self.data_dir = Path(settings.data_dir)
        self.model_dir = self.data_dir / "model_repository" / QUERY_ENCODER
        self.rollouts = RolloutLog(self.data_dir / ROLLOUTS_FILE)
        self.catalog_root = catalog_root(settings)

    def versions(self) -> list[int]:
        if not self.model_dir.is_dir():
            return []
        return sorted(int(p.name) for p in self.model_dir.iterdir() if p.is_dir() and p.name.isdigit())

    def serving(self) -> int | None:
        """The version queries get against the live vectors: the highest pinned one that answers in
        their space (a both-towers version pinned beside the others serves only its own generation),
        else the newest (Triton's `latest` policy). During an interleaved trial
        (`engine.encoder.trial`) the candidate is pinned too but does not serve: it answers only its
        share of interleaved searches."""
        path = self.model_dir / CONFIG_FILE
        if path.is_file():
            pinned = pinned_versions(read_config(path))
            trial = load_trial(trial_path(self.data_dir, "encoder"))
            if pinned and trial is not None and trial.active and len(pinned) > 1:
                pinned = [v for v in pinned if v != trial.candidate] or pinned
            if pinned:
                return max(self._paired(pinned) or pinned)
        versions = self.versions()
        return versions[-1] if versions else None

    def _paired(self, pinned: list[int]) -> list[int]:
        """The pinned versions that answer against the live vectors: those of the live both-towers
        version's space when one embedded them, else every version that does not embed products."""
        kept = set(self.versions())
        manifests = {v: self.manifest(v) for v in pinned if v in kept}
        tower = self.live_text_tower()
        if tower > 1:
            space = self.space_of(tower) if tower in kept else None
            return [v for v, m in manifests.items() if m is not None and m.base == space]
        return [v for v, m in manifests.items() if m is None or not m.embeds_products]

    def live_text_tower(self) -> int:
        """The version whose product side embedded the live text vectors (1: the configured model)."""
        return live_text_tower(self.catalog_root)

    def vectors_identity(self) -> ModelIdentity:
        """The space of the served product vectors: the live generation's text encoder (a both-towers
        version once its re-embedded generation is switched in), else the configured model."""
        current = read_current(self.catalog_root)
        if current is not None:
            built = read_manifest(self.catalog_root, current).encoders.get("text")
            if built is not None:
                return ModelIdentity(built.name, built.version)
        return self.configured_identity()

    def space_of(self, version: int) -> ModelIdentity:
        """The product space `version` answers queries in (its manifest's `base`; the configured model
        for a version without one)."""
        manifest = self.manifest(version)
        return manifest.base if manifest is not None else self.configured_identity()

    def configured_identity(self) -> ModelIdentity:
        """The product-vector encoder the served configuration names (the launcher writes it from
        AISLE_TEXT_MODEL): the space of version 1."""
        path = self.model_dir / CONFIG_FILE
        if not path.is_file():
            raise NotFound(
                f"no runtime query_encoder config at {path}: start Triton once (engine triton start)"
            )
        params = {k: v.string_value for k, v in read_config(path).parameters.items()}
        if not params.get("encoder_version"):
            raise NotFound(f"{path} names no encoder_version: start Triton once (engine triton start)")
        return ModelIdentity(params.get("encoder_name", ""), params["encoder_version"])

    def manifest(self, version: int) -> TowerManifest | None:
        """The manifest of a fine-tuned version; None for a version that is the configured model itself."""
        if version not in self.versions():
            raise NotFound(
                f"query-encoder version {version} is not in {self.model_dir} (have {self.versions()})"
            )
        path = self.model_dir / str(version) / MANIFEST_FILE
        return TowerManifest.read(path) if path.is_file() else None

    def weights(self, version: int) -> Path | None:
        """The sentence-transformers directory of a fine-tuned version (None: the configured model)."""
        return self.model_dir / str(version) / WEIGHTS_DIR if self.manifest(version) is not None else None

    def match_thresholds(self) -> dict[str, float | None]:
        """The semantic and near thresholds searches use now: the serving version's carried ones
        (`engine.models.tower_thresholds`), else the live generation's calibrated ones."""
        serving = self.serving()
        if serving is not None:
            carried = read_thresholds(self.model_dir / str(serving) / THRESHOLDS_FILE)
            if carried:
                return {name: carried.get(name) for name in THRESHOLD_NAMES}
        current = read_current(self.catalog_root)
        if current is None:
            return {}
        built = read_manifest(self.catalog_root, current)
        return {name: getattr(built, name) for name in THRESHOLD_NAMES}

    def add(
        self,
        model: Any,
        manifest: TowerManifest,
        trained_queries: Iterable[str] = (),
        thresholds: tuple[Mapping[str, float], Mapping[str, Any]] | None = None,
    ) -> int:
        """Write `model` (a `SentenceTransformer`) as the next version; it is not served yet.
        `trained_queries` (the texts of its training pairs) is kept beside it (`engine.encoder.trained`),
        and so are `thresholds` (values, how they were carried) for a query tower
        (`engine.models.tower_thresholds`).

        The version serving now is pinned first, so Triton's `latest` policy cannot put an unvalidated
        directory live at the next reload.
        """
        current = self.serving()
        config_path = self.model_dir / CONFIG_FILE
        if current is None or not config_path.is_file():
            raise NotFound(
                f"no runtime query_encoder at {self.model_dir}: start Triton once (engine triton start)"
            )
        config = read_config(config_path)
        if not pinned_versions(config):
            set_version_policy(config, [current])
            write_config(config_path, config)
        version = max(self.versions()) + 1
        manifest.version = version
        shipped = self.model_dir / str(min(self.versions())) / "model.py"
        # Staged outside the model directory, so Triton's scan never meets even a hidden folder there.
        staging = self.data_dir / "learning" / "encoder-staging"
        with staged_directory(self.model_dir / str(version), staging=staging) as folder:
            shutil.copy2(shipped, folder / "model.py")
            model.save(str(folder / WEIGHTS_DIR))
            if manifest.embeds_products:  # its own product space: named by where it lives and its weights
                manifest.base = ModelIdentity(f"{QUERY_ENCODER}/{version}", fingerprint(folder / WEIGHTS_DIR))
            (folder / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
            write_trained_queries(folder, trained_queries)
            if thresholds is not None and thresholds[0]:
                write_thresholds(folder, thresholds[0], thresholds[1])
        return version
