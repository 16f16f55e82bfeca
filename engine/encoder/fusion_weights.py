"""Writing the fusion weights fitted for a fine-tuned encoder version (`engine encoder fusion`).

The file format, and the gateway's reader, are in `engine.models.tower_fusion`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.encoder.versions import QueryEncoderStore
from engine.errors import InvalidInput
from engine.models.tower_fusion import FUSION_FILE, WEIGHT_NAMES
from engine.storage import atomic_file


def write_fusion(
    store: QueryEncoderStore, version: int, weights: Mapping[str, float], record: dict[str, Any]
) -> Path:
    """Store `weights` (lexical, dense) with fine-tuned `version`; `record` says what they were fitted on.

    The shipped model (a version without a tower manifest) is refused: its weights are the configured
    defaults, which a fit must not move for every install.
    """
    if store.manifest(version) is None:
        raise InvalidInput(
            f"query-encoder version {version} is the configured model: fusion weights are stored only "
            "with a fine-tuned version (its defaults are AISLE's fusion settings)"
        )
    bad = {k: v for k, v in weights.items() if k not in WEIGHT_NAMES or not 0.0 <= float(v) <= 10.0}
    if bad or set(weights) != set(WEIGHT_NAMES):
        raise InvalidInput(f"fusion weights must be lexical and dense in [0, 10], got {dict(weights)}")
    path = store.model_dir / str(version) / FUSION_FILE
    with atomic_file(path) as fh:
        fh.write(json.dumps({"weights": {k: float(v) for k, v in weights.items()}, **record}, indent=2))
    return path
