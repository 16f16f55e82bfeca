"""POST /v1/events request and response."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from api.schemas.common import RequestModel


class EventIn(RequestModel):
    type: Literal["impression", "click", "add_to_cart", "purchase"]
    product_id: str = Field(min_length=1, max_length=256)
    search_id: str | None = Field(None, max_length=128, description="From the search response.")
    position: int | None = Field(None, ge=1, description="1-based position in the served list.")
    user_id: str | None = Field(None, max_length=256)
    session_id: str | None = Field(None, max_length=256)
    timestamp: float | None = Field(
        None, ge=0, strict=True, description="Unix seconds (a JSON number); the server's clock if absent."
    )
    event_id: str | None = Field(
        None,
        min_length=1,
        max_length=128,
        description="Idempotency key: a retried event with the same id is stored once.",
    )


MAX_EVENTS = 1000
EventBatch = Annotated[list[EventIn], Field(min_length=1, max_length=MAX_EVENTS)]


class EventsAccepted(BaseModel):
    accepted: int
    event_ids: list[str]
    offsets: list[int] = Field(description="Log offsets; a duplicate event_id keeps its first offset.")
    unknown_search_ids: list[str] = Field(
        default_factory=list,
        description="search_ids this gateway has no impression for: stored, but flagged.",
    )
