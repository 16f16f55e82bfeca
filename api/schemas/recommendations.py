"""GET /v1/recommendations response."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.common import Hit


class RecommendationsResponse(BaseModel):
    user_id: str
    search_id: str
    strategy: str = Field(description="personal | category_popular | popular")
    ranker_version: int | None = None
    hits: list[Hit]
