"""The fallback inference backend: the same `engine.models` code run inside the calling process.

Only for machines where the Triton binary cannot run (the default is Triton, see `factory`). It loads
each model lazily on first use, serves the ranker version that Triton would serve from the same
repository (the pinned `version_policy` if any, else the newest version), and reports the same encoder
identities as the Triton backend so indexes built through one are valid with the other.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from engine.config import Settings
from engine.errors import ConfigError, InvalidInput, NotFound
from engine.inference.base import ClipEncoder, EncoderInfo, RankerModel, TextEncoder
from engine.models.clip import ClipModel, find_clip_model
from engine.models.ranker_net import RankerNet, list_ranker_versions, load_ranker
from engine.models.sources import ModelIdentity
from engine.models.text_encoder import SentenceEncoder, resolve_text_model

log = logging.getLogger(__name__)


class InProcessTextEncoder:
    """One side of the loaded encoder: `queries` (searches: the query graph, int8 where configured) or
    products (always float32). Both sides share the model and its lock."""

    def __init__(
        self, model: SentenceEncoder, identity: ModelIdentity, lock: threading.Lock, queries: bool
    ) -> None:
        self.model, self.identity, self.queries = model, identity, queries
        self._lock = lock

    def info(self) -> EncoderInfo:
        return EncoderInfo(self.identity.name, self.identity.version, self.model.dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if self.queries:
                return self.model.encode_queries(list(texts))
            return self.model.encode(list(texts))


class InProcessClipEncoder:
    def __init__(self, model: ClipModel, identity: ModelIdentity) -> None:
        self.model, self.identity = model, identity
        self._lock = threading.Lock()

    def info(self) -> EncoderInfo:
        return EncoderInfo(self.identity.name, self.identity.version, self.model.dim)

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return self.model.encode_texts(list(texts))

    def encode_images(self, images: Sequence[bytes]) -> np.ndarray:
        with self._lock:
            return self.model.encode_images(list(images))


class InProcessRanker:
    """Swapping `net` is one attribute assignment, so a concurrent `score` sees the old or the new one.

    `score(rows, version=v)` for another version (an interleaved trial's candidate) loads that version
    from `model_dir` on first use and keeps it: the update job that starts a trial runs in another
    process and cannot load it into this one.
    """

    def __init__(self, net: RankerNet, version: int, model_dir: Path | None = None) -> None:
        self._current = (net, version)
        self._model_dir = model_dir
        self._others: dict[int, RankerNet] = {}

    def swap(self, net: RankerNet, version: int) -> None:
        self._current = (net, version)

    def _net(self, version: int | None) -> RankerNet:
        net, current = self._current
        if version is None or version == current:
            return net
        other = self._others.get(version)
        if other is None:
            if self._model_dir is None or not (self._model_dir / str(version)).is_dir():
                raise NotFound(f"ranker version {version} is not loaded")
            other, _ = load_ranker(self._model_dir / str(version))
            self._others = {**self._others, version: other}
        return other

    def score(self, features: np.ndarray, version: int | None = None) -> np.ndarray:
        import torch

        net = self._net(version)
        rows = np.ascontiguousarray(features, dtype=np.float32)
        if rows.ndim != 2 or rows.shape[1] != net.n_features:
            raise InvalidInput(f"ranker takes rows of {net.n_features} features, got shape {rows.shape}")
        with torch.inference_mode():
            return net(torch.from_numpy(rows)).numpy().astype(np.float32, copy=False)

    def version(self) -> int:
        return self._current[1]


class InProcessInference:
    """`InferenceBackend` without a server; `ready()` reports what loaded."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._text: tuple[InProcessTextEncoder, InProcessTextEncoder] | None = None
        self._clip: InProcessClipEncoder | None = None
        self._clip_tried = False
        self._ranker: InProcessRanker | None = None

    def ranker_dir(self) -> Path:
        """The runtime repository's ranker (where rolled-out versions live), else the source one."""
        runtime = self.settings.path("model_repository", "ranker")
        return runtime if list_ranker_versions(runtime) else Path(self.settings.model_repository) / "ranker"

    def product_text_encoder(self, version: int | None = None) -> TextEncoder:
        """In process there are no query-tower versions: one model embeds queries and products."""
        if version is not None and version != 1:
            raise ConfigError(
                f"query_encoder version {version} is served by Triton only (AISLE_TRITON_URL is 'inprocess')"
            )
        return self._text_sides()[1]

    def text_encoder(self) -> TextEncoder:
        return self._text_sides()[0]

    def _text_sides(self) -> tuple[InProcessTextEncoder, InProcessTextEncoder]:
        """(queries, products) over one loaded model."""
        with self._lock:
            if self._text is None:
                settings = self.settings
                model_dir, identity = resolve_text_model(settings.text_model, settings.resolved_text_model())
                model = SentenceEncoder(
                    model_dir,
                    settings.text_max_tokens,
                    runtime=settings.text_runtime,
                    onnx_cache=settings.path("models", "onnx"),
                    query_precision=settings.text_query_precision,
                )
                lock = threading.Lock()
                self._text = (
                    InProcessTextEncoder(model, identity, lock, queries=True),
                    InProcessTextEncoder(model, identity, lock, queries=False),
                )
            return self._text

    def clip_encoder(self) -> ClipEncoder | None:
        with self._lock:
            if not self._clip_tried:
                self._clip_tried = True
                found = find_clip_model(self.settings.clip_model)
                if found is None:
                    log.warning(
                        "no local CLIP weights for AISLE_CLIP_MODEL=%r: image search is off",
                        self.settings.clip_model,
                    )
                else:
                    try:
                        self._clip = InProcessClipEncoder(ClipModel(found[0]), found[1])
                    except Exception as exc:
                        log.warning("CLIP at %s failed to load (%s): image search is off", found[0], exc)
            return self._clip

    def ranker(self) -> RankerModel:
        return self._load_ranker()

    def _load_ranker(self) -> InProcessRanker:
        with self._lock:
            if self._ranker is None:
                from engine.triton.repository import CONFIG_FILE, pinned_versions, read_config

                model_dir = self.ranker_dir()
                versions = list_ranker_versions(model_dir)
                pinned = None
                if (model_dir / CONFIG_FILE).is_file():
                    pinned = pinned_versions(read_config(model_dir / CONFIG_FILE))
                if not versions:
                    raise NotFound(f"no ranker version in {model_dir}")
                version = max(pinned) if pinned else versions[-1]
                net, _ = load_ranker(model_dir / str(version))
                self._ranker = InProcessRanker(net, version, model_dir)
            return self._ranker

    def ready(self) -> dict[str, bool]:
        status = {}
        for name, load in (("query_encoder", self.text_encoder), ("ranker", self.ranker)):
            try:
                load()
                status[name] = True
            except Exception as exc:
                log.warning("in-process %s is not ready: %s", name, exc)
                status[name] = False
        status["clip"] = self.clip_encoder() is not None
        return {name: status[name] for name in ("query_encoder", "clip", "ranker")}

    def load_ranker_version(self, version: int, candidate: int | None = None) -> None:
        """Serve `version`; a trial's `candidate` is loaded on its first `score(..., version=)`."""
        net, _ = load_ranker(self.ranker_dir() / str(version))
        self._load_ranker().swap(net, version)

    def close(self) -> None:
        self._text = self._clip = self._ranker = None
