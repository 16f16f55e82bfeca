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
from typing import Any

import numpy as np

from engine.errors import ConfigError, MissingDependency
from engine.models.onnx_text import OnnxExport, OnnxTextRunner, export_plan, write_export, write_int8
from engine.models.sources import ModelIdentity, identify, resolve_model_dir

log = logging.getLogger(__name__)

DEFAULT_TEXT_MODEL_NAME = "all-MiniLM-L6-v2"
TEXT_MODEL_SETTING = "AISLE_TEXT_MODEL"
QUERY_PRECISIONS = ("fp32", "int8")


def resolve_text_model(configured: str, resolved: str) -> tuple[Path, ModelIdentity]:
    """Directory and identity of the configured text model.

    `configured` is the raw `Settings.text_model` (empty = packaged default) and `resolved` is
    `Settings.resolved_text_model()`. Raises `ConfigError` naming AISLE_TEXT_MODEL when it is not local.
    """
    model_dir = resolve_model_dir(resolved, TEXT_MODEL_SETTING)
    default_name = None if configured else DEFAULT_TEXT_MODEL_NAME
    return model_dir, identify(resolved, model_dir, default_name)


class SentenceEncoder:
    """A loaded sentence encoder; `encode` is thread-compatible but not re-entrant.

    `runtime` picks what runs the forward pass: "onnx" (ONNX Runtime, see `engine.models.onnx_text`),
    "torch", or "auto" = ONNX on CPU when the model exports cleanly and onnxruntime is installed, PyTorch
    otherwise (always on GPU). `onnx_cache` is where exports are kept; `threads` caps ONNX Runtime's
    threads (0 = one per core).

    On ONNX with an export already in the cache, nothing else is loaded: `model` stays None and neither
    torch nor sentence-transformers is imported (seconds of start-up saved, which is most of the time a
    restarted Triton takes to serve again). Otherwise the sentence-transformers model is loaded (`model`)
    and, for ONNX, exported once.

    `query_precision` "int8" runs `encode_queries` on the export's int8 graph (`onnx_text.write_int8`,
    written once beside the export); `encode` (products, bulk work) always runs the float32 graph. On
    PyTorch there is no int8 graph and both use the model as it is.
    """

    def __init__(
        self,
        model_dir: Path,
        max_tokens: int,
        device: str = "cpu",
        runtime: str = "torch",
        onnx_cache: Path | None = None,
        threads: int = 0,
        query_precision: str = "fp32",
    ) -> None:
        if runtime not in ("auto", "onnx", "torch"):
            raise ConfigError(f"AISLE_TEXT_RUNTIME={runtime!r}: expected auto, onnx or torch")
        if query_precision not in QUERY_PRECISIONS:
            raise ConfigError(f"AISLE_TEXT_QUERY_PRECISION={query_precision!r}: expected fp32 or int8")
        self.model: Any = None
        self.onnx: OnnxTextRunner | None = None
        export: OnnxExport | None = None
        if self._wants_onnx(runtime, device):
            cache = onnx_cache or Path(tempfile.gettempdir()) / "aisle-onnx"
            export = OnnxExport.cached(model_dir, max_tokens, cache)
            if export.complete():
                self.onnx = OnnxTextRunner(export, threads)
        if self.onnx is None:
            self.model = self._load(model_dir, max_tokens, device)
            if export is not None:
                self.onnx = self._exported(model_dir, runtime, export, threads)
        self.runtime = "onnx" if self.onnx is not None else "torch"
        self.queries: OnnxTextRunner | None = None
        if query_precision == "int8" and export is not None and self.onnx is not None:
            self.queries = OnnxTextRunner(write_int8(export), threads)
        self.query_precision = "int8" if self.queries is not None else "fp32"
        self.dim = int(self.encode(["dimension probe"]).shape[1])

    @staticmethod
    def _wants_onnx(runtime: str, device: str) -> bool:
        if runtime == "torch" or (runtime == "auto" and not device.startswith("cpu")):
            return False
        if importlib.util.find_spec("onnxruntime") is None:
            if runtime == "onnx":
                raise MissingDependency("onnxruntime", "AISLE_TEXT_RUNTIME=onnx")
            return False
        return True

    @staticmethod
    def _load(model_dir: Path, max_tokens: int, device: str) -> Any:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingDependency("sentence-transformers", "the BERT text encoder") from exc
        model = SentenceTransformer(str(model_dir), device=device, local_files_only=True)
        own_limit = int(model.max_seq_length or max_tokens)
        model.max_seq_length = min(max_tokens, own_limit)
        return model

    def _exported(
        self, model_dir: Path, runtime: str, export: OnnxExport, threads: int
    ) -> OnnxTextRunner | None:
        """Export the loaded model (what is missing of it) and run that, or None when the model is not
        something the export reproduces (then "onnx" is a configuration error, "auto" stays on torch)."""
        plan = export_plan(self.model) if getattr(self.model.tokenizer, "is_fast", False) else None
        if plan is None:
            if runtime == "onnx":
                raise ConfigError(
                    f"AISLE_TEXT_RUNTIME=onnx: {model_dir.name} is not transformer + mean/CLS pooling "
                    "with a fast tokenizer; use torch"
                )
            log.info("%s does not export to ONNX as is; the encoder runs on PyTorch", model_dir.name)
            return None
        write_export(self.model, plan, self.max_tokens, export)
        return OnnxTextRunner(export, threads)

    @property
    def max_tokens(self) -> int:
        if self.model is None and self.onnx is not None:
            return self.onnx.max_tokens
        return int(self.model.max_seq_length or 0)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Like `encode`, on the int8 graph when `query_precision` is int8 (searches' queries).

        The int8 graph quantises its activations with one range per tensor, taken over the whole batch
        (padding included), so a text's vector would depend on the texts batched with it (in Triton:
        on whichever searches arrived together). It therefore runs one text at a time: a query's
        vector is a function of the query alone, as the embedding cache assumes."""
        if self.queries is None or not texts:
            return self.encode(texts, batch_size)
        runner = self.queries
        return np.concatenate([runner.encode([text]) for text in texts])

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
