"""Liveness, readiness and metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep
from api.schemas.health import Alive, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Alive, summary="The process is alive")
async def healthz() -> Alive:
    return Alive()


def _readiness(services: Services) -> Readiness:
    checks: dict[str, Any] = {}
    try:
        checks["lexical"] = {
            "ok": bool(services.lexical.ping()),
            "backend": "embedded" if services.settings.embedded_lexical else "opensearch",
        }
    except Exception as exc:
        checks["lexical"] = {"ok": False, "error": str(exc)}
    try:
        models = services.inference.ready()
        clip = services.inference.clip_encoder() is not None
        required = {name: ok for name, ok in models.items() if name != "clip" and "clip" not in name}
        checks["triton"] = {
            "ok": bool(required) and all(required.values()),
            "models": models,
            "clip": "on" if clip else "off",
        }
    except Exception as exc:
        checks["triton"] = {"ok": False, "error": str(exc)}
    services.refresh_catalog()
    try:
        if services.catalog_error is not None:
            raise RuntimeError(services.catalog_error)
        manifest = services.catalog.manifest
        checks["index"] = {
            "ok": True,
            "generation": getattr(manifest, "generation", None),
            "count": getattr(manifest, "count", None),
            "revision": getattr(manifest, "revision", None),
        }
    except Exception as exc:
        checks["index"] = {"ok": False, "error": str(getattr(exc, "message", exc))}
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
