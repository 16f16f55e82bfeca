"""A ranker version on disk, read and scored without PyTorch.

An artifact is a directory with `weights.safetensors` and `manifest.json` (never a pickle). This module
owns both formats' reading and the manifest's schema, and `NumpyRanker` computes exactly the forward pass
of `engine.models.ranker_net.RankerNet` with numpy. Why a second implementation of a 30-weight MLP: the
Triton `ranker` model serves through it, so its stub starts without importing torch (seconds of CPU per
start on a small host, which is most of a crashed server's time to come back); training, which needs
autograd, keeps the torch network, and a unit test holds the two to the same scores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InvalidInput, NotFound

WEIGHTS_FILE = "weights.safetensors"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class TrainingRecord:
    """How a ranker version came to be: the `training` object of its manifest, written and read here.

    Offline training writes kind "judgements" with `metrics` (held-out nDCG before and after); a click
    update writes kind "clicks" with its `parent` version, `validation` (IPS clicks, check-set nDCG),
    the `events` range it consumed, `clicks_seen` and the `gate` that let it serve (`forced` when an
    operator overrode a refusal); the shipped prior writes kind "prior". What only one trainer records
    (its fit report, propensities, query counts, data files, the prior's weights) goes in `details`,
    kept as written beside the typed fields.
    """

    kind: str | None = None
    parent: int | None = None
    validation: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    events: dict[str, Any] | None = None
    clicks_seen: int = 0
    gate: str | None = None
    forced: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clash = sorted(set(self.details) & _TYPED_TRAINING_FIELDS)
        if clash:
            raise InvalidInput(f"training details may not carry the typed fields {clash}")

    @classmethod
    def of(cls, training: dict[str, Any]) -> TrainingRecord:
        """Read a manifest's `training` object (missing or malformed typed fields take their defaults)."""

        def mapping(value: Any) -> dict[str, Any]:
            return dict(value) if isinstance(value, dict) else {}

        kind, parent, events = training.get("kind"), training.get("parent"), training.get("events")
        gate = training.get("gate")
        return cls(
            kind=None if kind is None else str(kind),
            parent=None if parent is None else int(parent),
            validation=mapping(training.get("validation")),
            metrics=mapping(training.get("metrics")),
            events=dict(events) if isinstance(events, dict) else None,
            clicks_seen=int(training.get("clicks_seen", 0)),
            gate=None if gate is None else str(gate),
            forced=bool(training.get("forced", False)),
            details={k: v for k, v in training.items() if k not in _TYPED_TRAINING_FIELDS},
        )

    def to_dict(self) -> dict[str, Any]:
        """The manifest's `training` object: the details, then each typed field a trainer set (one left
        at its empty default, such as `forced` false or no `events`, is not written; `of` restores it)."""
        out = dict(self.details)
        for name in sorted(_TYPED_TRAINING_FIELDS):
            value = getattr(self, name)
            if value is not None and value != {} and value is not False and value != 0:
                out[name] = value
        return out

    @property
    def results(self) -> dict[str, Any]:
        """What a version was judged by: its click validation, else its offline metrics."""
        return self.validation or self.metrics

    @property
    def consumed_until(self) -> int:
        """The log offset up to which a click update consumed events (0 when none)."""
        return int(self.events.get("until", 0)) if self.events else 0


_TYPED_TRAINING_FIELDS = frozenset(f.name for f in fields(TrainingRecord)) - {"details"}


@dataclass
class RankerManifest:
    """What a ranker artifact is: `version` is Triton's version directory number."""

    version: int
    feature_names: list[str]
    hidden: int = 32
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    training: TrainingRecord = field(default_factory=TrainingRecord)

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    def to_json(self) -> str:
        data = {
            "version": self.version,
            "feature_names": self.feature_names,
            "hidden": self.hidden,
            "created_at": self.created_at,
            "training": self.training.to_dict(),
            "n_features": self.n_features,
        }
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, where: Path) -> RankerManifest:
        try:
            data = json.loads(text)
            manifest = cls(
                version=int(data["version"]),
                feature_names=[str(name) for name in data["feature_names"]],
                hidden=int(data.get("hidden", 32)),
                created_at=str(data.get("created_at", "")),
                training=TrainingRecord.of(dict(data.get("training") or {})),
            )
        except (ValueError, KeyError, TypeError, InvalidInput) as exc:
            raise InvalidInput(f"ranker manifest {where}: {exc}") from None
        if int(data.get("n_features", manifest.n_features)) != manifest.n_features:
            raise InvalidInput(
                f"ranker manifest {where}: n_features {data['n_features']} does not match "
                f"the {manifest.n_features} feature names"
            )
        return manifest


def parameter_shapes(n_features: int, hidden: int) -> dict[str, tuple[int, ...]]:
    """The tensors of a `RankerNet` state dict by name, with their shapes (the file format)."""
    return {
        "mean": (n_features,),
        "std": (n_features,),
        "linear.weight": (1, n_features),
        "linear.bias": (1,),
        "mlp_hidden.weight": (hidden, n_features),
        "mlp_hidden.bias": (hidden,),
        "mlp_out.weight": (1, hidden),
        "mlp_out.bias": (1,),
    }


def read_ranker_artifact(directory: Path) -> tuple[dict[str, np.ndarray], RankerManifest]:
    """The weights (float32 arrays by state-dict name) and manifest of the artifact in `directory`.

    `NotFound` without the files; `InvalidInput` when the manifest is malformed, the weights are not
    exactly the tensors the manifest's network has (names and shapes), or any weight is NaN/infinite.
    """
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    directory = Path(directory)
    manifest_path, weights_path = directory / MANIFEST_FILE, directory / WEIGHTS_FILE
    if not manifest_path.is_file() or not weights_path.is_file():
        raise NotFound(f"no ranker artifact in {directory} (needs {MANIFEST_FILE} and {WEIGHTS_FILE})")
    manifest = RankerManifest.from_json(manifest_path.read_text(), manifest_path)
    try:
        arrays = load_file(str(weights_path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise InvalidInput(f"ranker weights {weights_path} cannot be read: {exc}") from None
    expected = parameter_shapes(manifest.n_features, manifest.hidden)
    found = {name: tuple(array.shape) for name, array in arrays.items()}
    if found != expected:
        missing = sorted(set(expected) - set(found))
        unexpected = sorted(set(found) - set(expected))
        shapes = sorted(n for n in set(found) & set(expected) if found[n] != expected[n])
        raise InvalidInput(
            f"ranker weights {weights_path} do not match its manifest "
            f"({manifest.n_features} features, hidden {manifest.hidden}): missing {missing}, "
            f"unexpected {unexpected}, other shapes {[(n, found[n], expected[n]) for n in shapes]}"
        )
    arrays = {name: np.array(array, dtype=np.float32) for name, array in arrays.items()}  # owned, writable
    if not all(np.isfinite(array).all() for array in arrays.values()):
        raise InvalidInput(f"ranker weights {weights_path} contain NaN or infinite values")
    return arrays, manifest


class NumpyRanker:
    """(n, n_features) raw float32 features -> (n,) scores, the same arithmetic as `RankerNet.forward`:
    standardise, then a linear part plus a one-hidden-layer ReLU MLP."""

    def __init__(self, arrays: dict[str, np.ndarray], manifest: RankerManifest) -> None:
        self.manifest = manifest
        self._mean, self._std = arrays["mean"], arrays["std"]
        self._linear_w, self._linear_b = arrays["linear.weight"].T.copy(), arrays["linear.bias"]
        self._hidden_w, self._hidden_b = arrays["mlp_hidden.weight"].T.copy(), arrays["mlp_hidden.bias"]
        self._out_w, self._out_b = arrays["mlp_out.weight"].T.copy(), arrays["mlp_out.bias"]

    @classmethod
    def load(cls, directory: Path) -> NumpyRanker:
        """Read an artifact (raises like `read_ranker_artifact`)."""
        return cls(*read_ranker_artifact(directory))

    def score(self, features: np.ndarray) -> np.ndarray:
        if features.ndim != 2 or features.shape[1] != self.manifest.n_features:
            raise InvalidInput(
                f"ranker version {self.manifest.version} takes rows of "
                f"{self.manifest.n_features} features, got shape {list(features.shape)}"
            )
        z = (features.astype(np.float32, copy=False) - self._mean) / self._std
        hidden = np.maximum(z @ self._hidden_w + self._hidden_b, np.float32(0.0))
        scores = z @ self._linear_w + self._linear_b + hidden @ self._out_w + self._out_b
        return scores.reshape(-1)
