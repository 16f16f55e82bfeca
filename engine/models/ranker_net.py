"""The ranking network (PyTorch, for training) and writing its on-disk artifact.

`RankerNet` scores one candidate row of features: per-feature standardisation (mean/std stored with the
weights, so callers pass raw features), then a linear part plus a small MLP. The linear part alone is
enough to express a hand-set prior (`init_prior_ranker`); the MLP starts at zero output so training can
grow non-linear interactions from there.

An artifact is a directory with `weights.safetensors` and `manifest.json` (never a pickle; their formats
and the torch-free reader are `engine.models.ranker_artifact`), and, inside a Triton model repository,
the thin `model.py` that serves it (`write_ranker_version`). The feature count is fixed by the manifest
and checked everywhere a row meets the network.
"""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

from engine.errors import InvalidInput
from engine.models.ranker_artifact import (
    MANIFEST_FILE,
    WEIGHTS_FILE,
    RankerManifest,
    TrainingRecord,
    read_ranker_artifact,
)
from engine.storage import staged_directory

# The artifact's formats live in engine.models.ranker_artifact (readable without torch); they are
# re-exported here for the trainers, which build and save networks and manifests together.
__all__ = [
    "MANIFEST_FILE",
    "MODEL_PY",
    "WEIGHTS_FILE",
    "RankerManifest",
    "RankerNet",
    "TrainingRecord",
    "init_prior_ranker",
    "list_ranker_versions",
    "load_ranker",
    "save_ranker",
    "write_ranker_version",
]

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
    """Inverse of `save_ranker`; `NotFound` without the files, `InvalidInput` when they disagree (the
    checks are `engine.models.ranker_artifact.read_ranker_artifact`'s, shared with the served ranker)."""
    arrays, manifest = read_ranker_artifact(directory)
    net = RankerNet(manifest.n_features, manifest.hidden)
    net.load_state_dict({name: torch.from_numpy(array) for name, array in arrays.items()}, strict=True)
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
