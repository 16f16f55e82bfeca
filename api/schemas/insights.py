"""Request and response of the Insights-compatible events endpoint (Algolia's `POST /1/events`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from api.schemas.common import RequestModel

MAX_OBJECTS = 20  # objectIDs per event, as in the Insights API
# InstantSearch.js reports its own start-up (widgets, timings) as an event of this type: not a shopper
# action, so it is counted as ignored instead of failing the batch it came in.
TELEMETRY_TYPE = "instantsearch"


class InsightsEvent(RequestModel):
    """One event as `search-insights` sends it (`clickedObjectIDsAfterSearch` is a click with a queryID
    and positions; `convertedObjectIDsAfterSearch` a conversion with a queryID; `viewedObjectIDs` a
    view). Events on `filters` instead of objects are accepted and not stored (nothing learns from them).
    The Insights API's fields this log has no place for (`objectData`, `value`, `currency`, and the
    `algoliaSource` tags InstantSearch adds) are checked and not stored; any other field is refused."""

    eventType: Literal["click", "conversion", "view"]
    eventSubtype: Literal["addToCart", "purchase"] | None = None
    eventName: str = Field(min_length=1, max_length=64)
    index: str = Field(min_length=1, max_length=256)
    userToken: str | None = Field(None, min_length=1, max_length=129)
    authenticatedUserToken: str | None = Field(None, min_length=1, max_length=129)
    timestamp: int | None = Field(None, ge=0, description="Milliseconds since the epoch.")
    queryID: str | None = Field(None, min_length=1, max_length=128, description="From a search answer.")
    objectIDs: list[str] | None = Field(None, min_length=1, max_length=MAX_OBJECTS)
    positions: list[int] | None = Field(None, min_length=1, max_length=MAX_OBJECTS)
    filters: list[str] | None = Field(None, min_length=1, max_length=10)
    objectData: list[dict[str, Any]] | None = Field(None, max_length=MAX_OBJECTS)
    value: float | str | None = None
    currency: str | None = Field(None, max_length=3)
    algoliaSource: list[str] | None = Field(None, max_length=10)

    @model_validator(mode="after")
    def _consistent(self) -> InsightsEvent:
        if self.userToken is None and self.authenticatedUserToken is None:
            raise ValueError("userToken or authenticatedUserToken is required")
        if (self.objectIDs is None) == (self.filters is None):
            raise ValueError("exactly one of objectIDs and filters is required")
        if any(not oid or len(oid) > 256 for oid in self.objectIDs or ()):
            raise ValueError("objectIDs: every id must have 1 to 256 characters")
        if self.positions is not None:
            if self.objectIDs is None or len(self.positions) != len(self.objectIDs):
                raise ValueError("positions: one position per objectID is required")
            if any(p < 1 for p in self.positions):
                raise ValueError("positions: positions are 1-based")
        if (
            self.eventType == "click"
            and self.queryID is not None
            and self.objectIDs
            and self.positions is None
        ):
            raise ValueError("positions: a click after search needs the clicked positions")
        return self


class InsightsEvents(RequestModel):
    events: list[InsightsEvent] = Field(max_length=1000)
    telemetry: int = Field(0, description="InstantSearch's own start-up events, set aside.")

    @model_validator(mode="before")
    @classmethod
    def _set_telemetry_aside(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("events"), list):
            return data
        events = data["events"]
        if not events:
            raise ValueError("events: at least one event is required")
        kept = [e for e in events if not (isinstance(e, dict) and e.get("eventType") == TELEMETRY_TYPE)]
        return {**data, "events": kept, "telemetry": len(events) - len(kept)}


class InsightsAccepted(BaseModel):
    status: int = 200
    message: str = "OK"
    accepted: int = Field(description="Events stored (one per object id).")
    ignored: int = Field(0, description="Filter events and InstantSearch's telemetry, which are not stored.")
    unknown_query_ids: list[str] = Field(
        default_factory=list, description="queryIDs this gateway has no served list for: stored, but flagged."
    )
