"""Fusion weights stored with a fine-tuned encoder version, and read back for the version that serves.

`engine encoder fusion` fits the lexical / dense weights on judged queries while a fine-tuned version
serves (`engine.encoder.fusion_fit`) and writes them as `fusion.json` beside that version's weights
(`model_repository/query_encoder/<n>/`). They travel with the version: the gateway fuses with them
exactly while queries go through that version, and a rollback, a rebuild with another text tower or
the shipped model (version 1, which never has the file) brings the configured weights back. The
configured defaults therefore never move for an install without a fine-tuned pair.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from engine.encoder.versions import QueryEncoderStore
from engine.errors import AisleError, InvalidInput
from engine.storage import atomic_file

FUSION_FILE = "fusion.json"
WEIGHT_NAMES = ("lexical", "dense")

log = logging.getLogger(__name__)


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


def read_fusion(path: Path) -> dict[str, float] | None:
    """The weights in a `fusion.json`; None when there is none. Malformed: `InvalidInput`."""
    if not path.is_file():
        return None
    try:
        weights = json.loads(path.read_text(encoding="utf-8"))["weights"]
        return {name: float(weights[name]) for name in WEIGHT_NAMES}
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{path} holds no fusion weights: {exc}") from exc


class ServingFusion:
    """`FusionConfig.tuned`: the weights stored with the query-encoder version serving now, if any.

    `version()` names the version queries go through (the one paired with the live vectors); each
    version's file is re-read at most every `ttl_s` seconds, so a search costs a dictionary look-up.
    A missing or unreadable file means the configured weights (unreadable ones are logged once).
    """

    def __init__(self, model_dir: Path, version: Callable[[], int | None], ttl_s: float = 10.0) -> None:
        self.model_dir = model_dir
        self.version = version
        self.ttl_s = ttl_s
        self._cache: dict[int, tuple[float, dict[str, float] | None]] = {}
        self._lock = threading.Lock()

    def __call__(self) -> dict[str, float] | None:
        version = self.version()
        if version is None:
            return None
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(version)
            if cached is not None and now - cached[0] < self.ttl_s:
                return cached[1]
            try:
                weights = read_fusion(self.model_dir / str(version) / FUSION_FILE)
            except InvalidInput as exc:
                if cached is None or cached[1] is not None:
                    log.warning("ignoring fusion weights: %s", exc.message)
                weights = None
            self._cache[version] = (now, weights)
            return weights


def serving_fusion(model_dir: Path, inference: Any, space: Callable[[], Any]) -> ServingFusion | None:
    """The gateway's `ServingFusion`: the version is the one `inference` pairs with the live vectors'
    encoder (`space()`), as for the query text itself; None for a backend without versions."""
    resolve = getattr(inference, "query_version_for", None)
    if not callable(resolve):
        return None

    def version() -> int | None:
        try:
            found = resolve(space())
        except (AisleError, KeyError):  # no index yet, or Triton unavailable: configured weights
            return None
        return int(found) if found is not None else None

    return ServingFusion(model_dir, version)
