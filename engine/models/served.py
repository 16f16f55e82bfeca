"""The models as Triton python-backend classes (`model_repository/*/model.py` re-export these).

Contract of every class here, whatever goes wrong: `initialize` loads the model once (and raises, so
Triton marks the model unavailable, when it cannot), and `execute` returns exactly one response per
request, in order. A request that cannot be used (bad UTF-8, wrong feature count, an undecodable image)
gets an error response of its own and does not spoil the other requests of the dynamic batch; a failure
of the model itself turns into error responses for the batch, never a crashed stub.

Parameters (`config.pbtxt` `parameters`, written by `engine.triton.launcher` from settings) say which
weights to load; when a parameter is empty the same `AISLE_*` settings are read from the environment, so
the source repository also runs unchanged in the official Triton container.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import AisleError, InvalidInput


def _device(args: dict[str, str]) -> str:
    if args.get("model_instance_kind") == "GPU":
        return f"cuda:{args.get('model_instance_device_id', '0')}"
    return "cpu"


def _strings(tensor: Any, name: str) -> list[str]:
    values = tensor.as_numpy().reshape(-1)
    try:
        return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name} must be UTF-8 text: {exc}") from None


QUERY_PURPOSE = "query"


def _request_purpose(request: Any) -> str:
    """The request parameter `purpose` ("" when absent or unreadable: a product embedding)."""
    reader = getattr(request, "parameters", None)
    if reader is None:
        return ""
    try:
        value = json.loads(reader() or "{}").get("purpose", "")
    except (TypeError, ValueError, AttributeError):
        return ""
    return value if isinstance(value, str) else ""


class _Servable:
    """Shared request loop: subclasses implement `load`, `parse` (one request) and `run` (the batch)."""

    output_name = "EMBEDDING"
    model: Any = None

    def initialize(self, args: dict[str, str]) -> None:
        import triton_python_backend_utils as pb_utils  # only importable inside the Triton stub

        self.pb = pb_utils
        self.args = args
        config = json.loads(args["model_config"])
        self.params = {k: str(v.get("string_value", "")) for k, v in config.get("parameters", {}).items()}
        self.device = _device(args)
        self.load()

    def load(self) -> None:
        raise NotImplementedError

    def parse(self, request: Any) -> Any:
        raise NotImplementedError

    def run(self, items: list[Any]) -> list[np.ndarray]:
        raise NotImplementedError

    def execute(self, requests: list[Any]) -> list[Any]:
        errors: dict[int, Exception] = {}
        parsed: list[tuple[int, Any]] = []
        for i, request in enumerate(requests):
            try:
                parsed.append((i, self.parse(request)))
            except Exception as exc:
                errors[i] = exc
        outputs: dict[int, np.ndarray] = {}
        if parsed:
            try:
                results = self.run([item for _, item in parsed])
                outputs = {i: result for (i, _), result in zip(parsed, results, strict=True)}
            except Exception as exc:
                self._log_error(f"{type(self).__name__} failed on a batch of {len(parsed)}: {exc!r}")
                errors.update({i: exc for i, _ in parsed})
        return [self._response(outputs.get(i), errors.get(i)) for i in range(len(requests))]

    def _response(self, output: np.ndarray | None, error: Exception | None) -> Any:
        if error is not None or output is None:
            return self.pb.InferenceResponse(output_tensors=[], error=self._error(error))
        tensor = self.pb.Tensor(self.output_name, np.ascontiguousarray(output, dtype=np.float32))
        return self.pb.InferenceResponse(output_tensors=[tensor])

    def _error(self, error: Exception | None) -> Any:
        message = error.message if isinstance(error, AisleError) else f"{type(error).__name__}: {error}"
        code = getattr(self.pb.TritonError, "INVALID_ARG", None) if isinstance(error, InvalidInput) else None
        return self.pb.TritonError(message, code) if code is not None else self.pb.TritonError(message)

    def _log_error(self, message: str) -> None:
        logger = getattr(self.pb, "Logger", None)
        if logger is not None:
            logger.log_error(message)

    def finalize(self) -> None:
        self.model = None


class QueryEncoderServable(_Servable):
    """`query_encoder`: TEXT (BYTES [n, 1]) -> EMBEDDING (FP32 [n, dim]), rows L2-normalised."""

    def load(self) -> None:
        from engine.config import load_settings
        from engine.models.text_encoder import SentenceEncoder

        model_path, max_tokens = self.params.get("model", ""), self.params.get("max_tokens", "")
        runtime, cache = self.params.get("runtime", ""), self.params.get("onnx_cache", "")
        threads, precision = self.params.get("threads", ""), self.params.get("query_precision", "")
        if not (model_path and max_tokens and runtime and cache and threads and precision):
            settings = load_settings()
            model_path = model_path or settings.resolved_text_model()
            max_tokens = max_tokens or str(settings.text_max_tokens)
            runtime = runtime or settings.text_runtime
            cache = cache or str(settings.path("models", "onnx"))
            threads = threads or str(settings.text_threads)
            precision = precision or settings.text_query_precision
        model_path = self._tower_weights(model_path)
        self.model = SentenceEncoder(
            Path(model_path),
            int(max_tokens),
            self.device,
            runtime=runtime,
            onnx_cache=Path(cache),
            threads=int(threads),
            query_precision=precision,
        )

    def _tower_weights(self, configured: str) -> str:
        """A fine-tuned version directory carries its own weights and a manifest naming the product
        space it was trained against; refuse it when that is not the configured encoder's space."""
        from engine.models.sources import ModelIdentity
        from engine.models.text_encoder import resolve_text_model
        from engine.models.tower import MANIFEST_FILE, WEIGHTS_DIR, TowerManifest, check_compatible

        version_dir = Path(self.args.get("model_repository", "")) / str(self.args.get("model_version", ""))
        if not (version_dir / MANIFEST_FILE).is_file():
            return configured
        served = ModelIdentity(self.params.get("encoder_name", ""), self.params.get("encoder_version", ""))
        if not served.version:
            from engine.config import load_settings

            settings = load_settings()
            served = resolve_text_model(settings.text_model, settings.resolved_text_model())[1]
        manifest = TowerManifest.read(version_dir / MANIFEST_FILE)
        if not manifest.embeds_products:  # a both-towers version is its own product space
            check_compatible(manifest, served)
        return str(version_dir / WEIGHTS_DIR)

    def parse(self, request: Any) -> tuple[bool, list[str]]:
        """(is a search's query, texts): the request parameter `purpose` = "query" marks queries, which
        run on the query graph (int8 where configured); anything else embeds products."""
        texts = _strings(self.pb.get_input_tensor_by_name(request, "TEXT"), "TEXT")
        return _request_purpose(request) == QUERY_PURPOSE, texts

    def run(self, items: list[tuple[bool, list[str]]]) -> list[np.ndarray]:
        out: list[np.ndarray] = [np.empty((0, 0), dtype=np.float32)] * len(items)
        for query in (False, True):
            picked = [i for i, (is_query, _) in enumerate(items) if is_query == query]
            if not picked:
                continue
            texts = [text for i in picked for text in items[i][1]]
            encode = self.model.encode_queries if query else self.model.encode
            parts = np.split(
                encode(texts, batch_size=128), np.cumsum([len(items[i][1]) for i in picked])[:-1]
            )
            for i, part in zip(picked, parts, strict=True):
                out[i] = part
        return out


class ClipServable(_Servable):
    """`clip`: IMAGE (encoded bytes [n, 1]) or TEXT ([n, 1]) per request -> EMBEDDING (FP32 [n, dim])."""

    def load(self) -> None:
        from engine.models.clip import ClipModel, resolve_clip_model

        model_path = self.params.get("model", "")
        if not model_path:
            from engine.config import load_settings

            model_path = str(resolve_clip_model(load_settings().clip_model)[0])
        self.model = ClipModel(Path(model_path), self.device)

    def parse(self, request: Any) -> tuple[str, list[Any]]:
        from engine.models.clip import decode_image

        image = self.pb.get_input_tensor_by_name(request, "IMAGE")
        text = self.pb.get_input_tensor_by_name(request, "TEXT")
        if (image is None) == (text is None):
            raise InvalidInput("send exactly one of IMAGE or TEXT")
        if text is not None:
            return "text", _strings(text, "TEXT")
        return "image", [decode_image(bytes(data)) for data in image.as_numpy().reshape(-1)]

    def run(self, items: list[tuple[str, list[Any]]]) -> list[np.ndarray]:
        texts = [t for kind, values in items if kind == "text" for t in values]
        images = [i for kind, values in items if kind == "image" for i in values]
        encoded = {"text": iter(self.model.encode_texts(texts)), "image": iter(self.model.encode_pil(images))}
        return [
            np.stack([next(encoded[kind]) for _ in values])
            if values
            else np.zeros((0, self.model.dim), dtype=np.float32)
            for kind, values in items
        ]


class RankerServable(_Servable):
    """`ranker` (one instance per version directory): FEATURES (FP32 [n, F]) -> SCORE (FP32 [n, 1]).

    Scored with numpy (`NumpyRanker`, the same arithmetic as the torch `RankerNet`): a few hundred rows
    through a small MLP need no torch, and not importing it keeps a (re)start of this model under a
    second. A GPU instance computes on the CPU too; the network is too small to gain from a device.
    """

    output_name = "SCORE"

    def load(self) -> None:
        from engine.models.ranker_artifact import NumpyRanker

        version_dir = Path(self.args["model_repository"]) / self.args["model_version"]
        self.model = NumpyRanker.load(version_dir)
        self.manifest = self.model.manifest

    def parse(self, request: Any) -> np.ndarray:
        features = self.pb.get_input_tensor_by_name(request, "FEATURES").as_numpy()
        if features.ndim != 2 or features.shape[1] != self.manifest.n_features:
            raise InvalidInput(
                f"ranker version {self.manifest.version} takes rows of "
                f"{self.manifest.n_features} features, got shape {list(features.shape)}"
            )
        if not np.isfinite(features).all():
            raise InvalidInput("FEATURES contains NaN or infinite values")
        return features.astype(np.float32, copy=False)

    def run(self, items: list[np.ndarray]) -> list[np.ndarray]:
        scores = self.model.score(np.concatenate(items)).reshape(-1, 1)
        return np.split(scores, np.cumsum([len(item) for item in items])[:-1])
