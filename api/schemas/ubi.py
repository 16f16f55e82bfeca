"""OpenSearch User Behavior Insights (UBI) documents: query and event, and the `ext.ubi` search extension.

Field names, types and limits follow the UBI specification's JSON schemas (versions 1.0 to 1.3):
an event needs `action_name` and an ISO 8601 `timestamp`; `event_attributes.object.object_id` is a
string or an integer; `event_attributes.position.ordinal` is the result's position, either a number
(1.0-1.2 and the reference `ubi.js`) or `{"index": n}` (1.3). A query needs `user_query` and lists what
it returned in `query_response_hit_ids`. Extra properties are allowed where the spec allows them
(`event_attributes`, `object`, `position`, `query_attributes`); positions are 1-based, as in the
spec's examples. Everything else is checked as in the native API (`RequestModel`): unknown fields where
the spec allows none, non-finite numbers and control characters (keys too, at any depth) are a 422
naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas.common import RequestModel

SHORT = 100  # the spec's maxLength for ids and names


class UbiOrdinal(RequestModel):
    model_config = ConfigDict(extra="allow")
    index: int = Field(ge=1)


class UbiPosition(RequestModel):
    model_config = ConfigDict(extra="allow")
    ordinal: int | UbiOrdinal | None = None

    @field_validator("ordinal")
    @classmethod
    def _one_based(cls, value: int | UbiOrdinal | None) -> int | UbiOrdinal | None:
        if isinstance(value, int) and value < 1:
            raise ValueError("positions are 1-based")
        return value

    def number(self) -> int | None:
        return self.ordinal.index if isinstance(self.ordinal, UbiOrdinal) else self.ordinal


class UbiObject(RequestModel):
    model_config = ConfigDict(extra="allow")
    object_id: str | int
    object_id_field: str | None = Field(None, max_length=SHORT)
    object_id_type: str | None = Field(None, max_length=SHORT)
    internal_id: str | int | None = None

    @field_validator("object_id")
    @classmethod
    def _short(cls, value: str | int) -> str | int:
        if isinstance(value, str) and not 1 <= len(value) <= 256:
            raise ValueError("object_id must have 1 to 256 characters")
        return value


class UbiEventAttributes(RequestModel):
    model_config = ConfigDict(extra="allow")
    object: UbiObject | None = None
    position: UbiPosition | None = None


def _iso_text(value: Any) -> Any:
    if value is not None and not isinstance(value, str):
        raise ValueError("timestamp must be an ISO 8601 date-time string")
    return value


class UbiEvent(RequestModel):
    """One document of the spec's `ubi_events`."""

    action_name: str = Field(min_length=1, max_length=SHORT)
    timestamp: datetime
    application: str | None = Field(None, max_length=SHORT)
    query_id: str | None = Field(None, min_length=1, max_length=SHORT)
    session_id: str | None = Field(None, max_length=SHORT)
    client_id: str | None = Field(None, max_length=SHORT)
    user_id: str | None = Field(None, max_length=SHORT)
    message_type: str | None = Field(None, max_length=SHORT)
    message: str | None = Field(None, max_length=1024)
    extra_info: str | None = Field(None, max_length=1024, description="ubi.js: a second message.")
    extra_info_type: str | None = Field(None, max_length=SHORT)
    event_attributes: UbiEventAttributes | None = None

    _timestamp_text = field_validator("timestamp", mode="before")(_iso_text)


class UbiQuery(RequestModel):
    """One document of the spec's `ubi_queries`: a search a client ran and what it showed."""

    user_query: str
    query_id: str | None = Field(None, min_length=1, max_length=SHORT)
    client_id: str | None = Field(None, max_length=SHORT)
    application: str | None = Field(None, max_length=SHORT)
    query_attributes: dict[str, Any] = Field(default_factory=dict)
    object_id_field: str | None = Field(None, max_length=SHORT)
    timestamp: datetime | None = None
    query_response_id: str | None = None
    query_response_hit_ids: list[str] = Field(default_factory=list, max_length=1000)
    # What the reference ubi.js client adds to every query (kept out of the log: nothing reads them).
    message_type: str | None = Field(None, max_length=SHORT)
    message: str | None = Field(None, max_length=1024)
    extra_info: str | None = Field(None, max_length=1024)
    extra_info_type: str | None = Field(None, max_length=SHORT)

    _timestamp_text = field_validator("timestamp", mode="before")(_iso_text)


class UbiSearchExt(RequestModel):
    """`ext.ubi` on `POST /v1/search`: the client's ids for this query (OpenSearch's UBI plugin's form)."""

    query_id: str | None = Field(
        None, min_length=1, max_length=SHORT, description="Becomes the search_id; must be new."
    )
    client_id: str | None = Field(None, max_length=SHORT, description="The user, when user_id is not given.")
    user_query: str | None = None
    object_id_field: str | None = Field(None, max_length=SHORT)
    query_attributes: dict[str, Any] = Field(default_factory=dict)


class SearchExt(RequestModel):
    ubi: UbiSearchExt | None = None


class UbiAccepted(BaseModel):
    accepted: int = Field(description="Documents stored in the event log.")
    ignored: int = Field(0, description="Events with an action or no object that nothing learns from.")
    query_ids: list[str] = Field(default_factory=list, description="Ids the stored queries are logged under.")
    unknown_query_ids: list[str] = Field(
        default_factory=list,
        description="query_ids of events that no logged search has: stored, but flagged.",
    )
