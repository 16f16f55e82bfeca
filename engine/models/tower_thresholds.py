"""Match thresholds carried over to a query-tower version, read back while that version serves.

The index manifest's semantic and near thresholds (`engine.vectors.calibration`) are cosines calibrated
for the encoder that embedded the products, and queries through that same encoder. A query tower
fine-tuned against those vectors moves its queries: on homedepot, a tower trained on judged pairs sits
at lower cosine to the products it was not trained towards, so at the manifest's threshold its match
sets shrank from 495 to 294 products on average and twice as many held-out queries answered
`total: 0` (1.2% against 0.6%). When a query-only version is written, each threshold is therefore
carried over (`engine.encoder.thresholds`): the share of a sample of products that real queries clear
through the tower it replaces, kept for the new tower (homedepot: 0.410 -> 0.356; sets of 477, 0.4%
empty). The values go to `thresholds.json` beside the version's weights; the gateway uses them exactly
while that version serves, and the manifest's values otherwise (a rollback, or a both-towers version,
whose generation is calibrated when it is built).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from engine.errors import InvalidInput
from engine.models.tower_fusion import ServingVersionFile, serving_version

THRESHOLDS_FILE = "thresholds.json"
THRESHOLD_NAMES = ("semantic_threshold", "near_threshold")


def read_thresholds(path: Path) -> dict[str, float] | None:
    """The thresholds in a `thresholds.json`; None when there is none. Malformed: `InvalidInput`."""
    if not path.is_file():
        return None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))["thresholds"]
        return {name: float(stored[name]) for name in THRESHOLD_NAMES if name in stored}
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{path} holds no thresholds: {exc}") from exc


def write_thresholds(folder: Path, thresholds: Mapping[str, float], details: Mapping[str, Any]) -> None:
    """`thresholds.json` in a version's folder (before it is published), with how they were carried."""
    body = {"thresholds": {k: float(v) for k, v in thresholds.items()}, **details}
    (folder / THRESHOLDS_FILE).write_text(json.dumps(body, indent=2, sort_keys=True), encoding="utf-8")


def serving_thresholds(
    model_dir: Path, inference: Any, space: Callable[[], Any]
) -> ServingVersionFile[dict[str, float]] | None:
    """The thresholds of the version queries go through now; None for a backend without versions."""
    version = serving_version(inference, space)
    if version is None:
        return None
    return ServingVersionFile(model_dir, version, THRESHOLDS_FILE, read_thresholds)
