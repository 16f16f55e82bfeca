"""What the engine needs from a model server, as protocols.

Two implementations stand behind these: `engine.inference.triton` (the default: gRPC to Triton Inference
Server serving `model_repository/`) and `engine.inference.inprocess` (the same model code run inside the
calling process, only for machines where the Triton binary cannot run). `engine.inference.factory` picks
one from settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class EncoderInfo:
    """Identity of an embedding model; index manifests record it and the gateway compares them."""

    name: str
    version: str
    dim: int


@runtime_checkable
class TextEncoder(Protocol):
    """BERT sentence encoder: texts -> L2-normalised float32 vectors of shape (n, dim)."""

    def info(self) -> EncoderInfo: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class ClipEncoder(Protocol):
    """CLIP: images (encoded bytes: JPEG/PNG/...) and texts into one L2-normalised space."""

    def info(self) -> EncoderInfo: ...

    def encode_images(self, images: Sequence[bytes]) -> np.ndarray: ...

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class RankerModel(Protocol):
    """Scores candidate rows: features of shape (n, n_features) float32 -> scores of shape (n,).

    `version` is the served model version (Triton's version directory number) so every response and
    every logged impression can say which ranker produced it.
    """

    def score(self, features: np.ndarray) -> np.ndarray: ...

    def version(self) -> int: ...


@runtime_checkable
class VersionedRanker(Protocol):
    """A ranker that can score with a named loaded version: during an interleaved trial the serving
    version and the candidate are both loaded (Triton and in-process rankers both do this)."""

    def score(self, features: np.ndarray, version: int | None = None) -> np.ndarray: ...

    def version(self) -> int: ...


class InferenceBackend(Protocol):
    """One handle on the model server: the three models plus health and version control."""

    def text_encoder(self) -> TextEncoder: ...

    def product_text_encoder(self, version: int | None = None) -> TextEncoder:
        """The text encoder for product vectors. Where query-tower versions exist (Triton) that is the
        product-space version, not the serving query tower (or the both-towers `version` named: the
        one a vector generation is re-embedded with); elsewhere the same as `text_encoder`."""
        ...

    def clip_encoder(self) -> ClipEncoder | None:
        """None when no CLIP weights could be loaded: the engine then runs without the image side."""
        ...

    def ranker(self) -> RankerModel: ...

    def ready(self) -> dict[str, bool]:
        """Readiness per model name, e.g. {"query_encoder": True, "clip": False, "ranker": True}."""
        ...

    def load_ranker_version(self, version: int, candidate: int | None = None) -> None:
        """Make `version` the served ranker version (explicit model control; no restart); with
        `candidate`, also keep that version loaded for an interleaved trial."""
        ...

    def close(self) -> None: ...
