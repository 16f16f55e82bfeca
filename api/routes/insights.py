"""Insights-compatible events: `POST /1/events`, where `search-insights` and InstantSearch's insights
middleware report clicks, conversions and views.

Each event names up to 20 objects; each object becomes one event in our log (click -> `click`,
conversion -> `purchase`, or `add_to_cart` with `eventSubtype: addToCart`, view -> `impression`), tied
to its list by `queryID` (our `search_id`) and to its position by `positions`, so the ranker update job
learns from these exactly as from `POST /v1/events`. The authenticated token, when given, is the user;
otherwise the (often anonymous) `userToken` is.

An event with a timestamp gets an id derived from its content, so a beacon the browser retries is stored
once; without a timestamp the server's clock is used and the event cannot be recognised when repeated.
The body is read as JSON whatever the Content-Type (`navigator.sendBeacon` sends `text/plain`).
"""

from __future__ import annotations

import hashlib
import time
import uuid

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.bodies import read_model
from api.deps import Services, ServicesDep
from api.recording import record
from api.schemas.common import ERROR_RESPONSES
from api.schemas.insights import InsightsAccepted, InsightsEvent, InsightsEvents
from engine.errors import InvalidInput
from engine.events.base import Event, EventType

router = APIRouter(tags=["instantsearch"])

MAX_CLOCK_SKEW_S = 24 * 3600.0


def _type(event: InsightsEvent) -> EventType:
    if event.eventType == "click":
        return "click"
    if event.eventType == "view":
        return "impression"
    return "add_to_cart" if event.eventSubtype == "addToCart" else "purchase"


def _event_id(event: InsightsEvent, object_id: str) -> str:
    if event.timestamp is None:
        return uuid.uuid4().hex
    key = "\x1f".join(
        str(part)
        for part in (
            event.eventType,
            event.eventSubtype,
            event.eventName,
            event.queryID,
            event.userToken,
            event.authenticatedUserToken,
            event.timestamp,
            object_id,
        )
    )
    return "insights-" + hashlib.sha256(key.encode()).hexdigest()[:32]


def to_events(items: list[InsightsEvent], now: float) -> list[Event]:
    """Our log's events for the object events among `items` (filter events yield none)."""
    events: list[Event] = []
    for number, item in enumerate(items):
        timestamp = item.timestamp / 1000.0 if item.timestamp is not None else now
        if timestamp > now + MAX_CLOCK_SKEW_S:
            raise InvalidInput(f"events.{number}.timestamp: in the future (milliseconds expected)")
        for i, object_id in enumerate(item.objectIDs or ()):
            events.append(
                Event(
                    event_id=_event_id(item, object_id),
                    type=_type(item),
                    product_id=object_id,
                    timestamp=timestamp,
                    search_id=item.queryID,
                    position=item.positions[i] if item.positions else None,
                    user_id=item.authenticatedUserToken or item.userToken,
                )
            )
    return events


def _accept(services: Services, body: InsightsEvents) -> InsightsAccepted:
    events = to_events(body.events, time.time())
    ignored = body.telemetry + sum(1 for e in body.events if e.objectIDs is None)
    if not events:
        return InsightsAccepted(accepted=0, ignored=ignored)
    recorded = record(services, events)
    return InsightsAccepted(
        accepted=len(events), ignored=ignored, unknown_query_ids=recorded.unknown_search_ids
    )


@router.post(
    "/1/events",
    response_model=InsightsAccepted,
    responses=ERROR_RESPONSES,
    summary="Insights-compatible click, conversion and view events",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InsightsEvents"}}},
        }
    },
)
async def post_insights_events(request: Request, services: ServicesDep) -> InsightsAccepted:
    body = await read_model(request, InsightsEvents)
    return await run_in_threadpool(_accept, services, body)
