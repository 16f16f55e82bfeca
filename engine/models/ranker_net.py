"""The ranking network and its on-disk artifact.

`RankerNet` scores one candidate row of features: per-feature standardisation (mean/std stored with the
weights, so callers pass raw features), then a linear part plus a small MLP. The linear part alone is
enough to express a hand-set prior (`init_prior_ranker`); the MLP starts at zero output so training can
grow non-linear interactions from there.

An artifact is a directory with `weights.safetensors` and `manifest.json` (never a pickle), and, inside a
Triton model repository, the thin `model.py` that serves it (`write_ranker_version`). The feature count
is fixed by the manifest and checked everywhere a row meets the network.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from engine.errors import InvalidInput, NotFound
from engine.storage import staged_directory

WEIGHTS_FILE = "weights.safetensors"
MANIFEST_FILE = "manifest.json"
MODEL_PY = '''"""Triton entry point of a ranker version; the code lives in engine.models.served."""

import os
import site
import sys

# Triton's python stub starts its interpreter without reading PYTHONPATH, so apply it here, ahead of the
# base interpreter's own paths: the launcher puts the project root and the virtualenv's site-packages there.
_base = list(sys.path)
for _entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
    if _entry and _entry not in sys.path:
        site.addsitedir(_entry)
sys.path[:] = [p for p in sys.path if p not in _base] + _base

from engine.models.served import RankerServable as TritonPythonModel  # noqa: E402

__all__ = ["TritonPythonModel"]
'''


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


class RankerNet(nn.Module):
    """(n, n_features) raw features -> (n,) scores."""

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, n_features: int, hidden: int = 32) -> None:
        super().__init__()
        if n_features < 1 or hidden < 1:
            raise InvalidInput(f"ranker needs n_features >= 1 and hidden >= 1, got {n_features}, {hidden}")
        self.n_features = n_features
        self.register_buffer("mean", torch.zeros(n_features))
        self.register_buffer("std", torch.ones(n_features))
        self.linear = nn.Linear(n_features, 1)
        self.mlp_hidden = nn.Linear(n_features, hidden)
        self.mlp_out = nn.Linear(hidden, 1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        z = (features - self.mean) / self.std
        return (self.linear(z) + self.mlp_out(torch.relu(self.mlp_hidden(z)))).squeeze(-1)

    def set_normalisation(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        """Store feature statistics; near-constant features get std 1 so they cannot blow up."""
        std = torch.where(std.abs() < 1e-6, torch.ones_like(std), std)
        self.mean.copy_(mean.float())
        self.std.copy_(std.float())


def init_prior_ranker(feature_names: list[str], weights: dict[str, float], hidden: int = 32) -> RankerNet:
    """An untrained ranker whose score is exactly sum(weights[name] * feature[name]).

    Normalisation is the identity, the MLP's output layer is zero, and the hidden layer is seeded so the
    artifact is byte-for-byte reproducible.
    """
    unknown = sorted(set(weights) - set(feature_names))
    if unknown:
        raise InvalidInput(f"prior weights name unknown features: {unknown}")
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(0)
    try:
        net = RankerNet(len(feature_names), hidden)
    finally:
        torch.random.set_rng_state(generator_state)
    with torch.no_grad():
        net.linear.weight.copy_(torch.tensor([[weights.get(n, 0.0) for n in feature_names]]))
        net.linear.bias.zero_()
        net.mlp_out.weight.zero_()
        net.mlp_out.bias.zero_()
    return net.eval()


def save_ranker(directory: Path, net: RankerNet, manifest: RankerManifest) -> None:
    """Write `weights.safetensors` and `manifest.json` into `directory` (created if missing)."""
    if manifest.n_features != net.n_features:
        raise InvalidInput(f"manifest names {manifest.n_features} features, the net takes {net.n_features}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {name: t.detach().cpu().contiguous() for name, t in net.state_dict().items()}
    save_file(tensors, str(directory / WEIGHTS_FILE), metadata={"version": str(manifest.version)})
    (directory / MANIFEST_FILE).write_text(manifest.to_json())


def load_ranker(directory: Path) -> tuple[RankerNet, RankerManifest]:
    """Inverse of `save_ranker`; `NotFound` without the files, `InvalidInput` when they disagree."""
    directory = Path(directory)
    manifest_path, weights_path = directory / MANIFEST_FILE, directory / WEIGHTS_FILE
    if not manifest_path.is_file() or not weights_path.is_file():
        raise NotFound(f"no ranker artifact in {directory} (needs {MANIFEST_FILE} and {WEIGHTS_FILE})")
    manifest = RankerManifest.from_json(manifest_path.read_text(), manifest_path)
    net = RankerNet(manifest.n_features, manifest.hidden)
    try:
        net.load_state_dict(load_file(str(weights_path)), strict=True)
    except (RuntimeError, ValueError) as exc:
        raise InvalidInput(f"ranker weights {weights_path} do not match its manifest: {exc}") from None
    if not all(math.isfinite(float(v)) for v in torch.cat([p.flatten() for p in net.state_dict().values()])):
        raise InvalidInput(f"ranker weights {weights_path} contain NaN or infinite values")
    return net.eval(), manifest


def write_ranker_version(
    model_dir: Path, net: RankerNet, manifest: RankerManifest, *, staging: Path | None = None
) -> Path:
    """Add version `manifest.version` to a Triton `ranker` model directory; returns the version dir.

    The version is filled in `staging` (default: a hidden folder beside it) and published whole by
    `engine.storage.staged_directory`, so a crash never leaves half a version for Triton to load; an
    existing version is never overwritten. Triton does not serve a version until it is loaded, so
    writing one never changes what is served.
    """
    if manifest.version < 1:
        raise InvalidInput(f"ranker versions start at 1, got {manifest.version}")
    version_dir = Path(model_dir) / str(manifest.version)
    with staged_directory(version_dir, staging=staging) as folder:
        save_ranker(folder, net, manifest)
        (folder / "model.py").write_text(MODEL_PY)
    return version_dir


def list_ranker_versions(model_dir: Path) -> list[int]:
    """Version numbers present in a ranker model directory (with an artifact), ascending."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        return []
    return sorted(
        int(p.name)
        for p in model_dir.iterdir()
        if p.is_dir() and p.name.isdigit() and (p / MANIFEST_FILE).is_file()
    )
