"""Which `query_encoder` version serves which product space, and the query encoder paired with the
live vectors.

Every `query_encoder` version answers queries in one product space: version 1 (no manifest) in the
configured text model's, a query-only version in the space its manifest's `base` names, a both-towers
version in its own (its manifest's `base` is the fingerprint of its weights; it embedded the vectors).
A vector generation's manifest names the space of its text vectors (`encoders["text"]`) and the version
that embedded them (`text_tower`), so the generation switch (`CURRENT`) moves vectors and their query
tower as one: the paired version of a generation is the highest loaded version of its space, and the
gateway names that version in every query request (`PairedTextEncoder`). During a blue/green switch
both pairs stay loaded in Triton, so whichever generation a reader holds, its queries are encoded in
its own space; a query tower never answers against vectors it does not match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from engine.errors import IndexMismatch, NotFound
from engine.inference.base import EncoderInfo
from engine.models.sources import ModelIdentity
from engine.models.tower import MANIFEST_FILE, TowerManifest


class TowerSpaces:
    """The product space of each version under a runtime `query_encoder` model directory (manifests
    are immutable once a version is published, so each is read once)."""

    def __init__(self, model_dir: Path | None, configured: Callable[[], EncoderInfo]) -> None:
        self.model_dir = model_dir
        self._configured = configured
        self._manifests: dict[int, TowerManifest | None] = {}

    def manifest(self, version: int) -> TowerManifest | None:
        if version not in self._manifests:
            path = self.model_dir / str(version) / MANIFEST_FILE if self.model_dir else None
            self._manifests[version] = TowerManifest.read(path) if path and path.is_file() else None
        return self._manifests[version]

    def space(self, version: int) -> tuple[str, str]:
        """(name, version) of the product space `version` answers queries in."""
        manifest = self.manifest(version)
        if manifest is not None:
            return manifest.base.name, manifest.base.version
        configured = self._configured()
        return configured.name, configured.version

    def product_tower(self, version: int) -> ModelIdentity:
        """The identity a both-towers `version` embeds products under (`NotFound` when the version is
        not one: a query-only tower cannot embed products)."""
        manifest = self.manifest(version)
        if manifest is None or not manifest.embeds_products:
            where = self.model_dir / str(version) if self.model_dir else f"version {version}"
            raise NotFound(f"query_encoder {where} is not a both-towers version: it cannot embed products")
        return manifest.base


def paired_version(ready: Iterable[int], spaces: TowerSpaces, built: EncoderInfo) -> int | None:
    """The highest of the `ready` versions that answers in the space `built` (a generation's text
    encoder) was embedded in; None when none does."""
    wanted = (built.name, built.version)
    matching = [v for v in ready if spaces.space(v) == wanted]
    return max(matching, default=None)


class VersionedTextEncoder(Protocol):
    """What pairing needs of the served query encoder (`engine.inference.triton.TritonTextEncoder`)."""

    def info(self) -> EncoderInfo: ...

    def encode_versioned(
        self, texts: Sequence[str], version: int | None = None
    ) -> tuple[np.ndarray, int]: ...


class PairedTextEncoder:
    """The gateway's query encoder: every request names the version paired with the vectors served.

    `space` returns the text encoder of the generation the gateway serves now; `resolve` maps it to a
    loaded version (`TritonInference.query_version_for`, re-read from Triton at most once a second).
    No loaded version of that space is `IndexMismatch` (the search answers an error; the vectors are
    never searched with another space's query)."""

    def __init__(
        self,
        inner: VersionedTextEncoder,
        space: Callable[[], EncoderInfo],
        resolve: Callable[[EncoderInfo], int | None],
    ) -> None:
        self.inner, self._space, self._resolve = inner, space, resolve

    def info(self) -> EncoderInfo:
        return self._space()

    def tower_version(self) -> int:
        space = self._space()
        version = self._resolve(space)
        if version is None:
            raise IndexMismatch(
                f"no loaded query_encoder version answers in the space of the served vectors "
                f"({space.name} v{space.version}): load the version that embedded them"
            )
        return version

    def encode_versioned(self, texts: Sequence[str]) -> tuple[np.ndarray, int]:
        return self.inner.encode_versioned(texts, self.tower_version())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode_versioned(texts)[0]
