"""User Behavior Insights intake: `POST /v1/ubi/queries` and `POST /v1/ubi/events` (one document or a list).

A shop that already emits UBI documents (OpenSearch's `ubi_queries` / `ubi_events`, e.g. from `ubi.js`)
sends them here instead of, or as well as, to OpenSearch, and they land in our event log:

- a query becomes an impression under its `query_id` (our `search_id`) listing `query_response_hit_ids`
  at positions 1..n, on the "ubi" surface: no ranker features, so it counts clicks and views but never
  trains a ranker. A query whose id the log already holds (a search answered here with `ext.ubi`) is
  not logged twice. A query without `query_id` gets one, returned in `query_ids`.
- an event with `action_name` click / click_through, add_to_cart, purchase, or view / impression on an
  `event_attributes.object` becomes our event of that type, tied by `query_id` and
  `event_attributes.position.ordinal`; the user is `user_id`, else `client_id`. Other actions (hover,
  filter, custom names) and events without an object are accepted and not stored (`ignored`).

Events and hit lists naming products the catalog does not hold are refused with 422, as on every intake
(`api.recording`). An event's id is derived from its content, so a resent document is stored once.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timezone
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep
from api.present import new_search_id
from api.recording import MAX_EVENTS, check_products, record
from api.schemas.common import ERROR_RESPONSES
from api.schemas.ubi import UbiAccepted, UbiEvent, UbiQuery
from engine.errors import InvalidInput
from engine.events.base import Event, EventType, Impression

router = APIRouter(tags=["ubi"])

SURFACE = "ubi"
MAX_CLOCK_SKEW_S = 24 * 3600.0
ACTIONS: dict[str, EventType] = {
    "click": "click",
    "click_through": "click",
    "add_to_cart": "add_to_cart",
    "purchase": "purchase",
    "view": "impression",
    "impression": "impression",
}


def _seconds(moment: datetime | None, now: float, where: str) -> float:
    if moment is None:
        return now
    if moment.tzinfo is None:  # the spec allows a bare local time; read it as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = moment.timestamp()
    if seconds > now + MAX_CLOCK_SKEW_S:
        raise InvalidInput(f"{where}.timestamp: in the future")
    return seconds


def _event_id(document: UbiEvent) -> str:
    content = json.dumps(document.model_dump(mode="json"), sort_keys=True)
    return "ubi-" + hashlib.sha256(content.encode()).hexdigest()[:32]


def to_event(document: UbiEvent, now: float, where: str) -> Event | None:
    """Our event for a UBI event, or None when nothing learns from it."""
    kind = ACTIONS.get(document.action_name)
    attributes = document.event_attributes
    if kind is None or attributes is None or attributes.object is None:
        return None
    return Event(
        event_id=_event_id(document),
        type=kind,
        product_id=str(attributes.object.object_id),
        timestamp=_seconds(document.timestamp, now, where),
        search_id=document.query_id,
        position=attributes.position.number() if attributes.position else None,
        user_id=document.user_id or document.client_id,
        session_id=document.session_id,
    )


def to_impression(document: UbiQuery, now: float, where: str) -> Impression:
    ids = tuple(document.query_response_hit_ids)
    extra: dict[str, object] = {"protocol": "ubi"}
    for name in ("application", "object_id_field", "query_response_id"):
        value = getattr(document, name)
        if value is not None:
            extra[name] = value
    if document.query_attributes:
        extra["query_attributes"] = document.query_attributes
    return Impression(
        search_id=document.query_id or new_search_id(),
        timestamp=_seconds(document.timestamp, now, where),
        query=document.user_query,
        product_ids=ids,
        positions=tuple(range(1, len(ids) + 1)),
        ranker_version=0,
        user_id=document.client_id,
        surface=SURFACE,
        extra=extra,
    )


M = TypeVar("M", bound=BaseModel)


async def _documents(request: Request, model: type[M]) -> list[M]:
    """One document or a JSON list of them; a malformed one is a 422 naming its index and field."""
    try:
        data = json.loads(await request.body() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}") from None
    items = data if isinstance(data, list) else [data]
    documents = []
    for index, item in enumerate(items):
        try:
            documents.append(model.model_validate(item))
        except ValidationError as exc:
            prefix = (index,) if isinstance(data, list) else ()
            raise RequestValidationError(
                [{**error, "loc": (*prefix, *error["loc"])} for error in exc.errors()]
            ) from None
    return documents


def _body_schema(name: str) -> dict[str, object]:
    schema = {"$ref": f"#/components/schemas/{name}"}
    content = {"oneOf": [schema, {"type": "array", "items": schema}]}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": content}}}}


def _accept_events(services: Services, documents: list[UbiEvent]) -> UbiAccepted:
    if not documents:
        raise InvalidInput("no events given")
    if len(documents) > MAX_EVENTS:
        raise InvalidInput(f"at most {MAX_EVENTS} events per request")
    now = time.time()
    events = [to_event(d, now, str(i)) for i, d in enumerate(documents)]
    stored = [e for e in events if e is not None]
    if not stored:
        return UbiAccepted(accepted=0, ignored=len(documents))
    recorded = record(services, stored)
    return UbiAccepted(
        accepted=len(stored),
        ignored=len(documents) - len(stored),
        unknown_query_ids=recorded.unknown_search_ids,
    )


def _accept_queries(services: Services, documents: list[UbiQuery]) -> UbiAccepted:
    if not documents:
        raise InvalidInput("no queries given")
    if len(documents) > MAX_EVENTS:
        raise InvalidInput(f"at most {MAX_EVENTS} queries per request")
    now = time.time()
    impressions = [to_impression(d, now, str(i)) for i, d in enumerate(documents)]
    check_products(services, [pid for item in impressions for pid in item.product_ids])
    new = [item for item in impressions if not services.impressions.known(item.search_id)]
    if new:
        services.events.append_impressions(new)  # durable before the answer, like events
        services.stats_feed.refresh()
    return UbiAccepted(
        accepted=len(new), ignored=len(impressions) - len(new), query_ids=[i.search_id for i in impressions]
    )


@router.post(
    "/v1/ubi/events",
    status_code=202,
    response_model=UbiAccepted,
    responses=ERROR_RESPONSES,
    summary="UBI events (the spec's ubi_events documents)",
    openapi_extra=_body_schema("UbiEvent"),
)
async def post_ubi_events(request: Request, services: ServicesDep) -> UbiAccepted:
    documents = await _documents(request, UbiEvent)
    return await run_in_threadpool(_accept_events, services, documents)


@router.post(
    "/v1/ubi/queries",
    status_code=202,
    response_model=UbiAccepted,
    responses=ERROR_RESPONSES,
    summary="UBI queries (the spec's ubi_queries documents)",
    openapi_extra=_body_schema("UbiQuery"),
)
async def post_ubi_queries(request: Request, services: ServicesDep) -> UbiAccepted:
    documents = await _documents(request, UbiQuery)
    return await run_in_threadpool(_accept_queries, services, documents)
