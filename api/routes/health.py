"""Liveness, readiness and metrics."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep
from api.errors import public_message
from api.schemas.health import Alive, Readiness
from engine.errors import AisleError

log = logging.getLogger("api")

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Alive, summary="The process is alive")
async def healthz() -> Alive:
    return Alive()


# Each probe gets this long: a hung backend makes /readyz answer "not ready" in bounded time, never
# hang with it (a probe still running is abandoned; its own client deadline ends it).
PROBE_TIMEOUT_S = 1.5
_probes = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


def _lexical_check(services: Services) -> dict[str, Any]:
    backend = "embedded" if services.settings.embedded_lexical else "opensearch"
    return {"ok": bool(services.lexical.ping()), "backend": backend}


def _triton_check(services: Services) -> dict[str, Any]:
    models = services.inference.ready()
    clip = bool(models.get("clip"))  # what `clip_encoder()` asks, without asking a hung server twice
    required = {name: ok for name, ok in models.items() if name != "clip" and "clip" not in name}
    return {
        "ok": bool(required) and all(required.values()),
        "models": models,
        "clip": "on" if clip else "off",
    }


def _index_check(services: Services) -> dict[str, Any]:
    services.refresh_catalog()
    if services.catalog_error is not None:
        return {"ok": False, "error": services.catalog_error}
    manifest = services.catalog.manifest
    return {
        "ok": True,
        "generation": getattr(manifest, "generation", None),
        "count": getattr(manifest, "count", None),
        "revision": getattr(manifest, "revision", None),
        "cached_products": len(services.pipeline.products),  # what degraded answers can show
        # "ready" once the text vectors' range-search copy is built (a start or a switch makes it in
        # the background; until then the match set's range search runs plain scans).
        "range_search": services.pipeline.dense.range_search_state(),
    }


def _readiness(services: Services) -> Readiness:
    probes = {"lexical": _lexical_check, "triton": _triton_check, "index": _index_check}
    running = {name: _probes.submit(probe, services) for name, probe in probes.items()}
    deadline = time.monotonic() + PROBE_TIMEOUT_S
    checks: dict[str, Any] = {}
    for name, future in running.items():
        try:
            checks[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            checks[name] = {"ok": False, "error": f"no answer within {PROBE_TIMEOUT_S:g}s"}
        except AisleError as exc:
            checks[name] = {"ok": False, "error": public_message(exc)}
        except Exception:  # the detail goes to the log, not to whoever polls the probe
            log.warning("readiness check %s failed", name, exc_info=True)
            checks[name] = {"ok": False, "error": "check failed"}
    return Readiness(ready=all(c.get("ok") for c in checks.values()), checks=checks)


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness}},
    summary="Every backend answers and the index matches the served encoder",
)
async def readyz(services: ServicesDep) -> JSONResponse:
    readiness = await run_in_threadpool(_readiness, services)
    return JSONResponse(readiness.model_dump(), status_code=200 if readiness.ready else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(services: ServicesDep) -> Response:
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)
