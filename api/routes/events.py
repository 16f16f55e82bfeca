"""POST /v1/events: shopper actions, durable before the 202.

Unknown `search_id`s are accepted and flagged (`unknown_search_ids` in the answer) rather than refused:
impressions are appended a moment after the response and may have been served by another gateway
process, so refusing would lose real clicks; the ranking-update job joins events to impressions and skips
the ones without a match. Events without `event_id` get a server-made one (and so are not idempotent).
Events naming a product the catalog does not hold are refused with 422 (see `api.recording`).
"""

from __future__ import annotations

import time
import uuid

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep
from api.recording import record
from api.schemas.common import ERROR_RESPONSES
from api.schemas.events import EventBatch, EventIn, EventsAccepted
from engine.errors import InvalidInput
from engine.events.base import Event

router = APIRouter(tags=["events"])

MAX_CLOCK_SKEW_S = 24 * 3600.0


def _accept(services: Services, items: list[EventIn]) -> EventsAccepted:
    now = time.time()
    events = []
    for item in items:
        if item.timestamp is not None and item.timestamp > now + MAX_CLOCK_SKEW_S:
            raise InvalidInput(f"event {item.event_id or item.product_id!r}: timestamp is in the future")
        events.append(
            Event(
                event_id=item.event_id or uuid.uuid4().hex,
                type=item.type,
                product_id=item.product_id,
                timestamp=item.timestamp if item.timestamp is not None else now,
                search_id=item.search_id,
                position=item.position,
                user_id=item.user_id,
                session_id=item.session_id,
            )
        )
    recorded = record(services, events)
    return EventsAccepted(
        accepted=len(events),
        event_ids=[e.event_id for e in events],
        offsets=recorded.offsets,
        unknown_search_ids=recorded.unknown_search_ids,
    )


@router.post(
    "/v1/events",
    status_code=202,
    response_model=EventsAccepted,
    responses=ERROR_RESPONSES,
    summary="Report impressions, clicks, add-to-carts and purchases",
)
async def post_events(body: EventIn | EventBatch, services: ServicesDep) -> EventsAccepted:
    items = body if isinstance(body, list) else [body]
    return await run_in_threadpool(_accept, services, items)
