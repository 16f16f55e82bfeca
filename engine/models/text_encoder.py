"""The BERT sentence encoder (sentence-transformers) behind query and product text embeddings.

One class used twice: inside Triton's `query_encoder` model and in the in-process fallback. Vectors are
float32 and L2-normalised so a dot product is the cosine; inputs longer than `max_tokens` word pieces are
truncated (the title comes first in `Product.text_for_embedding`, so truncation drops description text).
"""

from __future__ import annotations

import importlib.util
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from engine.errors import ConfigError, MissingDependency
from engine.models.onnx_text import OnnxTextRunner, export_plan
from engine.models.sources import ModelIdentity, identify, resolve_model_dir

log = logging.getLogger(__name__)

DEFAULT_TEXT_MODEL_NAME = "all-MiniLM-L6-v2"
TEXT_MODEL_SETTING = "AISLE_TEXT_MODEL"


def resolve_text_model(configured: str, resolved: str) -> tuple[Path, ModelIdentity]:
    """Directory and identity of the configured text model.

    `configured` is the raw `Settings.text_model` (empty = packaged default) and `resolved` is
    `Settings.resolved_text_model()`. Raises `ConfigError` naming AISLE_TEXT_MODEL when it is not local.
    """
    model_dir = resolve_model_dir(resolved, TEXT_MODEL_SETTING)
    default_name = None if configured else DEFAULT_TEXT_MODEL_NAME
    return model_dir, identify(resolved, model_dir, default_name)


class SentenceEncoder:
    """A loaded sentence-transformers model; `encode` is thread-compatible but not re-entrant.

    `runtime` picks what runs the forward pass: "onnx" (ONNX Runtime, see `engine.models.onnx_text`),
    "torch", or "auto" = ONNX on CPU when the model exports cleanly and onnxruntime is installed, PyTorch
    otherwise (always on GPU). `onnx_cache` is where exported graphs are kept; `threads` caps ONNX
    Runtime's threads (0 = one per core).
    """

    def __init__(
        self,
        model_dir: Path,
        max_tokens: int,
        device: str = "cpu",
        runtime: str = "torch",
        onnx_cache: Path | None = None,
        threads: int = 0,
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingDependency("sentence-transformers", "the BERT text encoder") from exc
        self.model = SentenceTransformer(str(model_dir), device=device, local_files_only=True)
        own_limit = int(self.model.max_seq_length or max_tokens)
        self.model.max_seq_length = min(max_tokens, own_limit)
        self.onnx = self._onnx_runner(model_dir, device, runtime, onnx_cache, threads)
        self.runtime = "onnx" if self.onnx is not None else "torch"
        self.dim = int(self.encode(["dimension probe"]).shape[1])

    def _onnx_runner(
        self, model_dir: Path, device: str, runtime: str, onnx_cache: Path | None, threads: int
    ) -> OnnxTextRunner | None:
        if runtime not in ("auto", "onnx", "torch"):
            raise ConfigError(f"AISLE_TEXT_RUNTIME={runtime!r}: expected auto, onnx or torch")
        if runtime == "torch" or (runtime == "auto" and not device.startswith("cpu")):
            return None
        if runtime == "auto" and importlib.util.find_spec("onnxruntime") is None:
            return None
        plan = export_plan(self.model)
        if plan is None:
            if runtime == "onnx":
                raise ConfigError(
                    f"AISLE_TEXT_RUNTIME=onnx: {model_dir.name} is not transformer + mean/CLS pooling; "
                    "use torch"
                )
            log.info("%s does not export to ONNX as is; the encoder runs on PyTorch", model_dir.name)
            return None
        cache = onnx_cache or Path(tempfile.gettempdir()) / "aisle-onnx"
        return OnnxTextRunner(self.model, model_dir, self.max_tokens, cache, plan, threads)

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length or 0)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Texts -> (n, dim) float32, each row of unit length (an empty input gives shape (0, dim))."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.onnx is not None:
            return self.onnx.encode(list(texts), batch_size=batch_size)
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
