"""A fine-tuned query tower's manifest: which product space (encoder of the product vectors) it serves.

A query-only version (`towers="query"`) was trained against the product vectors of `base`. A both-towers
version (`towers="both"`) is one shared encoder for queries and products: its `base` is its own identity
(the fingerprint of its weights), so it matches only a vector generation it embedded itself.

Lives with the model code because both the Triton model (which refuses a mismatched version when it
loads) and the version store (`engine.encoder.versions`) read it.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import IndexMismatch, InvalidInput
from engine.models.sources import ModelIdentity

MANIFEST_FILE = "manifest.json"
WEIGHTS_DIR = "encoder"
PRODUCT_TOWER_VERSION = 1
"""The `query_encoder` version that embeds products: the shipped version, the configured text model, the
encoder the product vectors are built with. It stays loaded while a fine-tuned query tower serves, and
product embedding names it, so a product indexed after a query-tower rollout lands in the same space as
the rest of the index."""


@dataclass
class TowerManifest:
    """What a query-tower version is: its number, the product space it serves, how it was made."""

    version: int
    base: ModelIdentity  # the encoder the product vectors were built with
    parent: int | None = None  # the version training started from
    created: float = field(default_factory=time.time)
    training: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)
    towers: str = "query"  # "both": also the product tower; `base` is then its own identity

    @property
    def embeds_products(self) -> bool:
        return self.towers == "both"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def read(cls, path: Path) -> TowerManifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data["base"] = ModelIdentity(**data["base"])
            return cls(**data)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"{path} is not a query-tower manifest: {exc}") from None


def check_compatible(manifest: TowerManifest, vectors: ModelIdentity) -> None:
    """Refuse a query tower trained against another product space than the one the vectors are in."""
    if (manifest.base.name, manifest.base.version) != (vectors.name, vectors.version):
        raise IndexMismatch(
            f"query-tower version {manifest.version} was trained against product vectors of "
            f"{manifest.base.name}@{manifest.base.version}, but the served vectors are "
            f"{vectors.name}@{vectors.version}: re-embed the products or use a matching version"
        )
