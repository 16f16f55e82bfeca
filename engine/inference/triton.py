"""The inference backend that talks gRPC to Triton Inference Server (`tritonclient.grpc`).

Requests are cut to each model's `max_batch_size` on the client; Triton's dynamic batcher merges
concurrent requests on the server. `TritonTextEncoder.encode_many` keeps several requests in flight for
bulk work (the indexer), which is how the python backend reaches its throughput.

Deadlines: shopper-facing calls (query encoder, ranker, CLIP's text tower, readiness) go through the
serving channel (`AISLE_TRITON_SERVING_TIMEOUT_S` and a circuit breaker, in the gateway), product
embedding and model loading through the bulk one (`AISLE_TRITON_TIMEOUT_S`): see
`engine.inference.triton_channel`, which also says which errors are raised.

Over 300 lines because the three served models (query encoder, CLIP, ranker) share one client, one
error mapping and one version-loading path; splitting them would copy that plumbing three times.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from engine.errors import BackendUnavailable, InvalidInput, NotFound
from engine.inference.base import ClipEncoder, EncoderInfo, RankerModel, TextEncoder
from engine.inference.towers import TowerSpaces, paired_version
from engine.inference.triton_channel import Channel, grpcclient, open_client
from engine.models.served import QUERY_PURPOSE
from engine.models.sources import ModelIdentity
from engine.models.tower import PRODUCT_TOWER_VERSION
from engine.resilience import CircuitBreaker
from engine.triton.launcher import TritonServer
from engine.triton.supervisor import TritonSupervisor

QUERY_ENCODER, CLIP, RANKER = "query_encoder", "clip", "ranker"


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


class _Channel(Channel):
    """A `Channel` plus the two requests every model wrapper makes."""

    def infer(
        self,
        model: str,
        name: str,
        data: np.ndarray,
        output: str,
        version: int | None = None,
        parameters: dict[str, str] | None = None,
    ) -> tuple[np.ndarray, int]:
        """One request (to `version`, else the server's default; with request `parameters`); returns the
        output array and the model version that served it."""
        dtype = "BYTES" if data.dtype == object else "FP32"
        tensor = grpcclient.InferInput(name, list(data.shape), dtype)
        tensor.set_data_from_numpy(data)
        result = self.call(
            f"{model} inference",
            self.client.infer,
            model,
            [tensor],
            model_version=str(version) if version is not None else "",
            outputs=[grpcclient.InferRequestedOutput(output)],
            parameters=parameters,
        )
        array = result.as_numpy(output)
        if array is None:
            raise BackendUnavailable("triton", f"{model} returned no {output}")
        return array, int(result.get_response().model_version or 0)

    def parameters(self, model: str) -> dict[str, str]:
        config = self.call(f"{model} config", self.client.get_model_config, model, as_json=True)["config"]
        return {k: str(v.get("string_value", "")) for k, v in config.get("parameters", {}).items()}


def _texts(texts: Sequence[str]) -> np.ndarray:
    return np.array([[t.encode("utf-8")] for t in texts], dtype=object).reshape(len(texts), 1)


class _Embedder:
    """Identity (from the config parameters the launcher writes) and dimension (probed once)."""

    def __init__(
        self,
        channel: _Channel,
        model: str,
        batch: int,
        version: int | None = None,
        identity: ModelIdentity | None = None,
        parameters: dict[str, str] | None = None,
    ) -> None:
        self._channel, self._model, self._batch = channel, model, batch
        self._pinned = version  # every request names this version (None: the server's default)
        self._identity = identity  # a both-towers version's own identity (else the config parameters')
        self._parameters = parameters  # sent with every request (`purpose`: queries or products)
        self._info: EncoderInfo | None = None

    def _run(self, name: str, data: np.ndarray) -> np.ndarray:
        parts = [
            self._channel.infer(self._model, name, data[s], "EMBEDDING", self._pinned, self._parameters)[0]
            for s in _chunks(len(data), self._batch)
        ]
        return np.concatenate(parts).astype(np.float32, copy=False)

    def _probe(self) -> np.ndarray:
        return self._run("TEXT", _texts(["dimension probe"]))

    def info(self) -> EncoderInfo:
        if self._info is None:
            if self._identity is not None:
                name, version = self._identity.name, self._identity.version
            else:
                params = self._channel.parameters(self._model)
                name = params.get("encoder_name") or self._model
                version = params.get("encoder_version") or "triton"
            self._info = EncoderInfo(name=name, version=version, dim=int(self._probe().shape[1]))
        return self._info

    def _empty(self) -> np.ndarray:
        return np.zeros((0, self.info().dim), dtype=np.float32)


class TritonTextEncoder(_Embedder):
    """`query_encoder` behind the `TextEncoder` protocol.

    `tower_version()` is the serving query-tower version (re-read from Triton at most every
    `VERSION_TTL_S`, and moved at once when a response comes from another version); caches of query
    embeddings key on it. `queries`: every request carries `purpose=query`, which the model runs on its
    query graph (int8 where AISLE_TEXT_QUERY_PRECISION says so); product requests carry nothing.
    """

    VERSION_TTL_S = 1.0

    def __init__(
        self,
        channel: _Channel,
        model: str,
        batch: int,
        version: int | None = None,
        identity: ModelIdentity | None = None,
        *,
        queries: bool = False,
    ) -> None:
        parameters = {"purpose": QUERY_PURPOSE} if queries else None
        super().__init__(channel, model, batch, version, identity, parameters)
        self._version, self._version_read = 0, float("-inf")
        self._ready: tuple[int, ...] = ()

    def ready_versions(self) -> tuple[int, ...]:
        """The versions Triton has ready (re-read at most every `VERSION_TTL_S`)."""
        if time.monotonic() - self._version_read > self.VERSION_TTL_S:
            index = self._channel.call("repository index", self._channel.client.get_model_repository_index)
            self._ready = tuple(
                sorted(
                    int(m.version)
                    for m in index.models
                    if m.name == self._model and m.state == "READY" and m.version.isdigit()
                )
            )
            self._version, self._version_read = max(self._ready, default=0), time.monotonic()
        return self._ready

    def forget_versions(self) -> None:
        self._version_read = float("-inf")

    def tower_version(self) -> int:
        self.ready_versions()
        return self._version

    def encode_versioned(self, texts: Sequence[str], version: int | None = None) -> tuple[np.ndarray, int]:
        """One request's vectors and the tower version that computed them (`version`: that one, else
        the highest loaded)."""
        array, answered = self._channel.infer(
            self._model, "TEXT", _texts(texts), "EMBEDDING", version, self._parameters
        )
        if version is not None:
            return array.astype(np.float32, copy=False), answered
        version = answered
        if version and version != self._version:
            self._version, self._version_read = version, time.monotonic()
        return array.astype(np.float32, copy=False), version

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._run("TEXT", _texts(texts)) if len(texts) else self._empty()

    def encode_many(self, texts: Sequence[str], batch_size: int = 64, in_flight: int = 4) -> np.ndarray:
        """Bulk encoding with up to `in_flight` requests of `batch_size` texts outstanding at once."""
        if not len(texts):
            return self._empty()
        size = max(1, min(batch_size, self._batch))
        batches = [texts[s] for s in _chunks(len(texts), size)]
        with ThreadPoolExecutor(max_workers=max(1, in_flight), thread_name_prefix="encode") as pool:
            return np.concatenate(list(pool.map(self.encode, batches)))


class TritonClipEncoder(_Embedder):
    """`clip` behind the `ClipEncoder` protocol. Texts are queries (text -> image search) and go through
    the channel given; images are mostly product images being indexed, on the `images` channel."""

    def __init__(self, channel: _Channel, images: _Channel, model: str, batch: int) -> None:
        super().__init__(channel, model, batch)
        self._images = _Embedder(images, model, batch)

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        return self._run("TEXT", _texts(texts)) if len(texts) else self._empty()

    def encode_images(self, images: Sequence[bytes]) -> np.ndarray:
        if not len(images):
            return self._empty()
        data = np.empty((len(images), 1), dtype=object)
        data[:, 0] = [bytes(image) for image in images]
        return self._images._run("IMAGE", data)


class TritonRanker:
    """`ranker` behind the `RankerModel` protocol.

    `version()` is the version that answered this thread's latest `score()` (each response names the
    version that produced it, which stays exact while a new version rolls out), or, before any call, the
    version Triton reports as ready.
    """

    def __init__(self, channel: _Channel, batch: int = 1024) -> None:
        self._channel, self._batch = channel, batch
        self._local = threading.local()

    def score(self, features: np.ndarray, version: int | None = None) -> np.ndarray:
        """Scores from `version` (during an interleaved trial two versions are loaded), else from the
        version Triton serves by default."""
        rows = np.ascontiguousarray(features, dtype=np.float32)
        if rows.ndim != 2:
            raise InvalidInput(f"ranker features must be 2-D (n, n_features), got shape {rows.shape}")
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        scores = []
        for s in _chunks(len(rows), self._batch):
            array, answered = self._channel.infer(RANKER, "FEATURES", rows[s], "SCORE", version)
            scores.append(array.reshape(-1))
            self._local.version = answered
        return np.concatenate(scores).astype(np.float32, copy=False)

    def version(self) -> int:
        version = getattr(self._local, "version", None)
        return int(version) if version else self.served_version()

    def served_version(self) -> int:
        index = self._channel.call("repository index", self._channel.client.get_model_repository_index)
        ready = [
            int(m.version)
            for m in index.models
            if m.name == RANKER and m.state == "READY" and m.version.isdigit()
        ]
        if not ready:
            raise BackendUnavailable("triton", "no ranker version is loaded")
        return max(ready)

    def forget_version(self) -> None:
        self._local = threading.local()


class TritonInference:
    """`InferenceBackend` over one Triton server. `server` (if given: the server or the supervisor
    that keeps it running) is stopped by `close()`;
    `repository` is the local runtime repository used to pin ranker versions (None for a remote one).

    `timeout_s` is the deadline of bulk calls (product embedding); `serving_timeout_s` (default: the
    same) that of the query encoder, the ranker and readiness, which also go through `breaker` when
    one is given (the gateway's: one per server, since a hung or dead server fails every model at
    once, and per-model breakers would each have to wait out their own timeouts first)."""

    def __init__(
        self,
        url: str,
        timeout_s: float = 10.0,
        *,
        serving_timeout_s: float | None = None,
        breaker: CircuitBreaker | None = None,
        repository: Path | None = None,
        server: TritonServer | TritonSupervisor | None = None,
        load_timeout_s: float = 240.0,
    ) -> None:
        self.url, self.repository, self.server = url, repository, server
        self.load_timeout_s = load_timeout_s
        self.breaker = breaker
        client = open_client(url)
        self._channel = _Channel(client, url, timeout_s)
        serving = timeout_s if serving_timeout_s is None else serving_timeout_s
        self._serving = _Channel(client, url, serving, breaker)
        self._text = TritonTextEncoder(self._serving, QUERY_ENCODER, 128, queries=True)
        self._products = TritonTextEncoder(self._channel, QUERY_ENCODER, 128, PRODUCT_TOWER_VERSION)
        self._towers: dict[int, TritonTextEncoder] = {}
        self._spaces = TowerSpaces(repository / QUERY_ENCODER if repository else None, self._text.info)
        self._clip = TritonClipEncoder(self._serving, self._channel, CLIP, 64)
        self._ranker = TritonRanker(self._serving)

    def text_encoder(self) -> TextEncoder:
        return self._text

    def product_text_encoder(self, version: int | None = None) -> TextEncoder:
        """Version 1 (the configured model) by default; a both-towers `version` embeds products in its
        own space (its manifest, from the local runtime repository, names it)."""
        if version is None or version == PRODUCT_TOWER_VERSION:
            return self._products
        if version not in self._towers:
            identity = self._spaces.product_tower(version)
            self._towers[version] = TritonTextEncoder(self._channel, QUERY_ENCODER, 128, version, identity)
        return self._towers[version]

    def query_version_for(self, space: EncoderInfo) -> int | None:
        """The loaded `query_encoder` version paired with vectors embedded in `space` (the highest that
        answers in it), None when none is loaded (`engine.inference.towers`)."""
        return paired_version(self._text.ready_versions(), self._spaces, space)

    def add_query_encoder_version(self, version: int) -> None:
        """Load `version` beside the versions loaded now, if it is not loaded yet (a blue/green switch
        keeps both pairs servable); Triton keeps serving the others while it loads."""
        self._text.forget_versions()
        if version in self._text.ready_versions():
            return
        keep = sorted((set(self._text.ready_versions()) | {PRODUCT_TOWER_VERSION}) - {version})
        self._load_version(QUERY_ENCODER, version, tuple(keep))
        self._text.forget_versions()

    def clip_encoder(self) -> ClipEncoder | None:
        try:
            return self._clip if self._model_ready(CLIP) else None
        except BackendUnavailable:
            return None

    def ranker(self) -> RankerModel:
        return self._ranker

    def _model_ready(self, name: str) -> bool:
        """Through the serving channel: `BackendUnavailable` within its deadline when the server
        does not answer, at once while the breaker is open."""
        try:
            return bool(self._serving.call(f"{name} readiness", self._serving.client.is_model_ready, name))
        except InvalidInput:
            return False

    def ready(self) -> dict[str, bool]:
        """Per model; after a call that failed the others are not asked (the server is what failed),
        so a hung server costs one serving deadline here, not three."""
        status = dict.fromkeys((QUERY_ENCODER, CLIP, RANKER), False)
        for name in status:
            try:
                status[name] = self._model_ready(name)
            except BackendUnavailable:
                break
        return status

    def load_ranker_version(self, version: int, candidate: int | None = None) -> None:
        """Pin the ranker to `version` and reload it in place; Triton keeps the old version serving until
        the new one is ready. A failed load restores the previous config and raises. With `candidate`
        (an interleaved trial) both versions are pinned and loaded; callers name the version they want."""
        self._load_version(RANKER, version, () if candidate is None else (candidate,))
        self._ranker.forget_version()

    def load_query_encoder_version(self, version: int, candidate: int | None = None) -> None:
        """The same for the query tower (`engine.encoder.rollout`). The product-space version stays
        loaded beside a fine-tuned one (product embedding names it); queries name no version and get the
        highest loaded, the one rolled out. With `candidate` (an interleaved trial,
        `engine.encoder.trial`) that version is loaded too; the gateway names the version it wants."""
        also = {PRODUCT_TOWER_VERSION} | ({candidate} if candidate is not None else set())
        self._load_version(QUERY_ENCODER, version, tuple(sorted(also - {version})))

    def _load_version(self, model: str, version: int, also: tuple[int, ...] = ()) -> None:
        wanted = [version, *also]
        from engine.triton.repository import CONFIG_FILE, read_config, set_version_policy, write_config

        load = self._channel.client.load_model
        model_dir = self.repository / model if self.repository else None
        if model_dir is not None and model_dir.is_dir():
            for v in wanted:
                if not (model_dir / str(v)).is_dir():
                    raise NotFound(f"{model} version {v} is not in {model_dir}")
            path = model_dir / CONFIG_FILE
            previous = read_config(path)
            pinned = read_config(path)
            set_version_policy(pinned, wanted)
            write_config(path, pinned)
            try:
                self._channel.call(
                    f"loading {model} {version}", load, model, client_timeout=self.load_timeout_s
                )
            except Exception:
                write_config(path, previous)
                raise
        else:
            config = self._channel.call(
                f"{model} config", self._channel.client.get_model_config, model, as_json=True
            )["config"]
            config["version_policy"] = {"specific": {"versions": wanted}}
            self._channel.call(
                f"loading {model} {version}",
                load,
                model,
                config=json.dumps(config),
                client_timeout=self.load_timeout_s,
            )
        for v in wanted:
            if not self._channel.call(
                f"{model} readiness", self._channel.client.is_model_ready, model, str(v)
            ):
                raise BackendUnavailable("triton", f"{model} version {v} did not become ready")

    def close(self) -> None:
        self._channel.client.close()  # the serving channel shares it
        if self.server is not None:
            self.server.stop()
