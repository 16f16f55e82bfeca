"""The gateway's clients, built once per process and handed to routes.

`Services` is the engine's own assembly (`engine.services.EngineServices`: lexical index, model server,
catalog, event log, pipeline, recommender) plus the gateway's metrics and search slots.
`build_services(settings)` opens the real backends through the engine's factories; tests build a
`Services` from fakes with `Services.assemble`. Routes receive it through `get_services` (FastAPI
dependency), never through module globals, so two apps can live in one process.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import anyio
from fastapi import Depends, Request

from api.errors import Forbidden, Unauthorized
from api.metrics import GatewayMetrics
from engine.config import Settings
from engine.lexical.guarded import GuardedLexical
from engine.resilience import CircuitBreaker
from engine.services import EngineServices, open_backends

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self needs Python 3.11


@dataclass(kw_only=True)
class Services(EngineServices):
    """The engine's services plus what only the gateway has: its metrics and the search slots."""

    metrics: GatewayMetrics
    search_slots: anyio.CapacityLimiter

    @classmethod
    def assemble(
        cls, settings: Settings, *backends: Any, breakers: Sequence[CircuitBreaker] = (), **options: Any
    ) -> Self:
        """`EngineServices.assemble` (same arguments) with the gateway's metrics observing the
        pipeline's stages and `breakers` (the circuit breakers guarding the backends), and
        `search_concurrency` search slots."""
        metrics = GatewayMetrics(breakers)
        options.setdefault("observe", metrics.observe_stage)
        slots = anyio.CapacityLimiter(settings.search_concurrency)
        return super().assemble(settings, *backends, metrics=metrics, search_slots=slots, **options)


def build_services(settings: Settings) -> Services:
    """The real backends from settings (`engine.services.open_backends`, built for serving: short
    deadlines and a circuit breaker on the lexical index and on Triton), writable through the
    indexer's update path, with the product cache warming in the background."""
    from indexer.updates import serving_updater

    backends = open_backends(settings, writer=serving_updater, serving=True)
    guarded = (
        backends.lexical.breaker if isinstance(backends.lexical, GuardedLexical) else None,
        getattr(backends.inference, "breaker", None),
    )
    breakers = [b for b in guarded if isinstance(b, CircuitBreaker)]
    services = Services.assemble(settings, *backends, breakers=breakers)
    services.warm_products()
    return services


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]


def require_writer(request: Request) -> None:
    """Write endpoints need `Authorization: Bearer <AISLE_API_KEY>`; without a configured key every
    write is refused, so a gateway never runs with open writes by accident."""
    key = get_services(request).settings.api_key
    if key is None or not key.get_secret_value():
        raise Forbidden("writes are disabled on this gateway: set AISLE_API_KEY to enable them")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("this endpoint needs an 'Authorization: Bearer <API key>' header")
    if not hmac.compare_digest(token.strip().encode(), key.get_secret_value().encode()):
        raise Forbidden("the API key is not valid")
