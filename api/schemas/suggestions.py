"""Query suggestions for the search box (GET /v1/suggest)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Suggestion(BaseModel):
    query: str
    count: int = Field(description="Searches with results for this query in the recent log window.")


class Suggestions(BaseModel):
    prefix: str
    suggestions: list[Suggestion]
