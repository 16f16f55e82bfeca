"""`create_inference(settings)`: the one place that picks the inference backend.

- `AISLE_TRITON_URL=local` (default): reuse the launcher-managed Triton on the configured gRPC port if
  one is running (its pidfile says so), else launch one; a server launched here is stopped by `close()`.
- `AISLE_TRITON_URL=host:port`: connect to an existing Triton (e.g. the official container on a GPU
  host). Nothing is checked up front; calls raise `BackendUnavailable` while it is down.
- `AISLE_TRITON_URL=inprocess`: run the models in this process (fallback only).

For the local choices the model settings are checked before anything starts: a missing path fails with
a `ConfigError` naming AISLE_TEXT_MODEL or AISLE_CLIP_MODEL.
"""

from __future__ import annotations

import logging
from typing import Any

from engine.config import Settings
from engine.errors import ConfigError
from engine.inference.base import InferenceBackend
from engine.models.clip import find_clip_model
from engine.models.text_encoder import resolve_text_model

log = logging.getLogger(__name__)


def check_model_settings(settings: Settings) -> None:
    """Fail fast on model paths that cannot exist; a CLIP hub name without local weights only warns."""
    resolve_text_model(settings.text_model, settings.resolved_text_model())
    if settings.clip_model.strip() and find_clip_model(settings.clip_model) is None:
        log.warning("AISLE_CLIP_MODEL=%r has no local weights: image search will be off", settings.clip_model)


def create_inference(settings: Settings, *, serving: bool = False) -> InferenceBackend:
    """`serving` (the gateway): Triton's query encoder, ranker and readiness calls get the short
    `AISLE_TRITON_SERVING_TIMEOUT_S` and go through a circuit breaker (`engine.inference.triton_channel`);
    otherwise every call gets `AISLE_TRITON_TIMEOUT_S` (batch work, where long waits are normal and
    a breaker would only turn a slow batch into a failed one)."""
    if settings.triton_url == "inprocess":
        check_model_settings(settings)
        from engine.inference.inprocess import InProcessInference

        return InProcessInference(settings)

    from engine.inference.triton import TritonInference

    guard = serving_guard(settings) if serving else {}
    if settings.triton_url != "local":
        return TritonInference(
            settings.triton_url,
            settings.triton_timeout_s,
            load_timeout_s=settings.triton_startup_timeout_s,
            **guard,
        )

    from engine.triton.launcher import running_server
    from engine.triton.supervisor import TritonSupervisor

    supervisor = TritonSupervisor(settings)  # a dead server is replaced (docs: engine.triton.supervisor)
    server = running_server(settings)
    if server is not None:
        log.info("using the running Triton (pid %d) on %s", server.pid, server.grpc_url)
        supervisor.adopt(server)
        server = supervisor.wait_ready(settings.triton_startup_timeout_s)  # or its successor
    else:
        check_model_settings(settings)
        server = supervisor.start()
    return TritonInference(
        server.grpc_url,
        settings.triton_timeout_s,
        repository=server.repository,
        server=supervisor,
        load_timeout_s=settings.triton_startup_timeout_s,
        **guard,
    )


def serving_guard(settings: Settings) -> dict[str, Any]:
    """The serving deadline and the server's circuit breaker (counting only calls that waited out
    their deadline: `engine.inference.triton_channel.waited_out`)."""
    from engine.inference.triton_channel import waited_out
    from engine.resilience import CircuitBreaker

    breaker = CircuitBreaker("triton", settings.breaker_failures, settings.breaker_reset_s, counts=waited_out)
    return {"serving_timeout_s": settings.triton_serving_timeout_s, "breaker": breaker}


TOWER_VERSIONS_NEED_TRITON = "serving query-tower versions needs Triton (AISLE_TRITON_URL is 'inprocess')"


def load_query_tower(backend: object, version: int, candidate: int | None = None) -> None:
    """Serve query-tower `version` (and, for a trial, `candidate` beside it) on `backend`. Only Triton
    serves tower versions; the in-process backend has one tower, so asking it is a configuration error."""
    load = getattr(backend, "load_query_encoder_version", None)
    if not callable(load):
        raise ConfigError(TOWER_VERSIONS_NEED_TRITON)
    if candidate is None:
        load(version)
    else:
        load(version, candidate=candidate)


class QueryTowerLoader:
    """An open model server as an `EncoderTrialLoader` (the gateway's admin routes, the simulation's
    update job): tower versions load on `backend` through `load_query_tower`'s Triton-only check."""

    def __init__(self, backend: object) -> None:
        self.backend = backend

    def load_query_encoder_version(self, version: int, candidate: int | None = None) -> None:
        load_query_tower(self.backend, version, candidate)


class LazyLoader:
    """A `VersionLoader` (rollouts, the update job) that connects to the model server only when a
    ranker version must actually be loaded, so commands that end up loading nothing start nothing."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._backend: InferenceBackend | None = None

    def load_ranker_version(self, version: int, candidate: int | None = None) -> None:
        if self._backend is None:
            self._backend = create_inference(self.settings)
        self._backend.load_ranker_version(version, candidate=candidate)

    def load_query_encoder_version(self, version: int, candidate: int | None = None) -> None:
        """Serve a query-tower version (the update job's encoder step; with `candidate`, an encoder
        trial's two versions); Triton only."""
        if self._backend is None:
            self._backend = create_inference(self.settings)
        load_query_tower(self._backend, version, candidate)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
