"""The FastAPI application: routers, error mapping, request metrics and the services' lifetime.

`create_app()` builds the real backends from settings when the app starts (uvicorn's lifespan) and closes
them on shutdown; `create_app(services=...)` serves prebuilt ones (tests, benchmarks). `app` is the
module-level instance uvicorn imports (`api.main:app`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.cors import PublicCors
from api.deps import Services, build_services
from api.errors import install_error_handlers
from api.limits import BodyLimit
from api.metrics import GatewayMetrics
from api.openapi import install_openapi
from api.routes import (
    analytics,
    encoder_trials,
    events,
    health,
    insights,
    instantsearch,
    products,
    recommendations,
    rules,
    search,
    synonyms,
    trials,
    ubi,
    ui,
)
from api.sales_clock import SalesClock
from api.schemas.insights import InsightsEvents
from api.schemas.instantsearch import MultiQueryRequest, SearchParams
from api.schemas.ubi import UbiEvent, UbiQuery
from engine.config import Settings, get_settings

log = logging.getLogger("api")

DESCRIPTION = """Multi-modal product search and recommendations.

Search (`POST /v1/search`) combines BM25 and BERT dense retrieval (plus CLIP for images), fuses them and
re-ranks with the ranker served by Triton. Report what shoppers do with `POST /v1/events`, quoting the
`search_id` of the list they acted on. Errors are JSON: `{"error": {"code", "message"}}`.
"""


class RequestMetrics:
    """Latency histogram per route, method and status, as plain ASGI middleware.

    Plain ASGI rather than `@app.middleware("http")`: Starlette's `BaseHTTPMiddleware` relays every
    response through an extra task and stream, which cost measurable CPU on each search.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            state = scope.get("app")
            metrics: GatewayMetrics | None = getattr(getattr(state, "state", None), "metrics", None)
            path = getattr(scope.get("route"), "path", None)
            if metrics is not None and path is not None:
                metrics.requests.labels(route=path, method=scope["method"], status=str(status)).observe(
                    time.perf_counter() - start
                )


def create_app(services: Services | None = None, settings: Settings | None = None) -> FastAPI:
    owned = services is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        clock = None
        if app.state.services is None:
            app.state.services = build_services(settings or get_settings())
            app.state.metrics = app.state.services.metrics
            clock = SalesClock(app.state.services, app.state.services.settings.sales_interval_s).start()
        try:
            yield
        finally:
            if clock is not None:
                clock.stop()
            if owned and app.state.services is not None:
                app.state.services.close()

    app = FastAPI(title="Aisle gateway", version="1", description=DESCRIPTION, lifespan=lifespan)
    app.state.services = services
    app.state.metrics = services.metrics if services is not None else None
    install_error_handlers(app)
    compatible = (instantsearch, insights, ubi)  # the protocols shops' front ends and trackers speak
    resources = (search, products, recommendations, events, health, rules, synonyms, ui)
    admin = (trials, encoder_trials)
    for module in (*resources, *admin, *compatible, analytics):
        app.include_router(module.router)

    install_openapi(
        app,
        body_models=(
            search.SearchRequest,
            MultiQueryRequest,
            SearchParams,
            InsightsEvents,
            UbiEvent,
            UbiQuery,
        ),
    )
    app.add_middleware(BodyLimit, limit=_body_limit)
    origins = (services.settings if services is not None else settings or get_settings()).cors_origins
    if origins:
        app.add_middleware(PublicCors, origins=origins)
    app.add_middleware(RequestMetrics)
    return app


def _body_limit(scope: Scope) -> int:
    services: Services | None = scope["app"].state.services
    settings = services.settings if services is not None else get_settings()
    return settings.max_body_bytes


def __getattr__(name: str) -> FastAPI:
    """`api.main:app` for uvicorn, built on first access so importing this module has no side effects."""
    if name == "app":
        return create_app()
    raise AttributeError(name)
