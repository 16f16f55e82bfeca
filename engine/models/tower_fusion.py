"""Fusion weights stored with a fine-tuned query-encoder version, read back for the version that serves.

`engine encoder fusion` fits the lexical / dense weights while a fine-tuned version serves
(`engine.encoder.fusion_fit`) and writes them as `fusion.json` beside that version's weights
(`model_repository/query_encoder/<n>/`, `engine.encoder.fusion_weights`). They travel with the
version: the gateway fuses with them exactly while queries go through it, and a rollback, a rebuild
with another text tower or the shipped model (version 1, which never has the file) brings the
configured weights back. Lives with the tower manifest because the gateway reads it (`engine.services`)
and the version store writes it. `ServingVersionFile` is the reader both this file and a query tower's
carried match thresholds (`engine.models.tower_thresholds`) are served through.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from engine.errors import AisleError, InvalidInput

FUSION_FILE = "fusion.json"
WEIGHT_NAMES = ("lexical", "dense")

log = logging.getLogger(__name__)
T = TypeVar("T")


def read_fusion(path: Path) -> dict[str, float] | None:
    """The weights in a `fusion.json`; None when there is none. Malformed: `InvalidInput`."""
    if not path.is_file():
        return None
    try:
        weights = json.loads(path.read_text(encoding="utf-8"))["weights"]
        return {name: float(weights[name]) for name in WEIGHT_NAMES}
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{path} holds no fusion weights: {exc}") from exc


class ServingVersionFile(Generic[T]):
    """A file stored with the query-encoder version serving now, read back for each search.

    `version()` names the version queries go through (the one paired with the live vectors); each
    version's file is re-read at most every `ttl_s` seconds, so a search costs a dictionary look-up.
    A missing or unreadable file means None: the configured values (unreadable ones are logged once).
    """

    def __init__(
        self,
        model_dir: Path,
        version: Callable[[], int | None],
        filename: str,
        read: Callable[[Path], T | None],
        ttl_s: float = 10.0,
    ) -> None:
        self.model_dir = model_dir
        self.version = version
        self.filename = filename
        self.read = read
        self.ttl_s = ttl_s
        self._cache: dict[int, tuple[float, T | None]] = {}
        self._lock = threading.Lock()

    def __call__(self) -> T | None:
        version = self.version()
        if version is None:
            return None
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(version)
            if cached is not None and now - cached[0] < self.ttl_s:
                return cached[1]
            try:
                value = self.read(self.model_dir / str(version) / self.filename)
            except InvalidInput as exc:
                if cached is None or cached[1] is not None:
                    log.warning("ignoring %s: %s", self.filename, exc.message)
                value = None
            self._cache[version] = (now, value)
            return value


class ServingFusion(ServingVersionFile[dict[str, float]]):
    """`FusionConfig.tuned`: the weights stored with the query-encoder version serving now, if any."""

    def __init__(self, model_dir: Path, version: Callable[[], int | None], ttl_s: float = 10.0) -> None:
        super().__init__(model_dir, version, FUSION_FILE, read_fusion, ttl_s)


def serving_version(inference: Any, space: Callable[[], Any]) -> Callable[[], int | None] | None:
    """The version `inference` pairs with the live vectors' encoder (`space()`), as for the query text
    itself (None while there is no index or Triton is unavailable); None for a backend without
    versions."""
    resolve = getattr(inference, "query_version_for", None)
    if not callable(resolve):
        return None

    def version() -> int | None:
        try:
            found = resolve(space())
        except (AisleError, KeyError):  # no index yet, or Triton unavailable: configured values
            return None
        return int(found) if found is not None else None

    return version


def serving_fusion(model_dir: Path, inference: Any, space: Callable[[], Any]) -> ServingFusion | None:
    """The gateway's `ServingFusion` (`serving_version`); None for a backend without versions."""
    version = serving_version(inference, space)
    return ServingFusion(model_dir, version) if version is not None else None
