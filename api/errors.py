"""Every error the gateway returns is JSON: `{"error": {"code": "...", "message": "..."}}`.

Engine errors (`engine.errors.AisleError`) carry their own code and HTTP status; request validation
failures become 422 `invalid_input` with the offending fields named; Starlette's own errors (unknown
route, wrong method) keep their status; anything unexpected is logged with its traceback and answered
500 `internal` without details, so no stack trace or internal path ever reaches a client.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.errors import AisleError, BackendUnavailable

log = logging.getLogger("api")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    503: "backend_unavailable",
}


class Unauthorized(AisleError):
    """No usable `Authorization: Bearer` header on a write request."""

    code = "unauthorized"
    http_status = 401


class Overloaded(AisleError):
    """A search waited `AISLE_SEARCH_QUEUE_S` for a slot: the process has more searches than it can serve,
    and answering this one later would only make every later one later too."""

    code = "overloaded"
    http_status = 503


class Forbidden(AisleError):
    """A bearer token that is not the configured key, or writes disabled (no key configured)."""

    code = "forbidden"
    http_status = 403


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def public_message(exc: AisleError) -> str:
    """What a client may read: a backend failure names the backend only (its detail, with hosts, ports
    and client exceptions, goes to the log)."""
    if isinstance(exc, BackendUnavailable):
        return exc.public or f"{exc.backend} is unavailable; try again shortly"
    return exc.message


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for item in exc.errors()[:10]:
        where = ".".join(str(p)[:40] for p in item.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AisleError)
    async def _engine_error(request: Request, exc: AisleError) -> JSONResponse:
        if isinstance(exc, BackendUnavailable):
            metrics = getattr(request.app.state, "metrics", None)
            if metrics is not None:
                metrics.backend_errors.labels(backend=exc.backend).inc()
            log.warning("%s %s: %s", request.method, request.url.path, exc.message)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
        if isinstance(exc, Overloaded):
            headers = {"Retry-After": "1"}
        return JSONResponse(
            error_body(exc.code, public_message(exc)), status_code=exc.http_status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body("invalid_input", _describe_validation(exc)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code
        return JSONResponse(
            error_body(code, message), status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal", "internal error"), status_code=500)
