"""Shapes shared by several endpoints: the error body and a product hit."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. invalid_input, not_found.")
    message: str = Field(description="What went wrong, for a person.")


class ErrorBody(BaseModel):
    error: ErrorDetail


class HitDebug(BaseModel):
    """Per-stage scores of one hit (only with `debug: true`)."""

    lexical_score: float | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None
    dense_rank: int | None = None
    image_score: float | None = None
    fused_score: float
    fused_rank: int
    ranker_score: float | None = None
    ranker_version: int | None = None
    features: dict[str, float] | None = None


class Hit(BaseModel):
    id: str
    title: str
    brand: str = ""
    price: float | None = None
    currency: str = "USD"
    availability: str = "in_stock"
    image: str | None = None
    score: float = Field(description="The score the list is ordered by (ranker, fused or retriever).")
    debug: HitDebug | None = None


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "No bearer token."},
    403: {"model": ErrorBody, "description": "Wrong key, or writes disabled (AISLE_API_KEY unset)."},
    404: {"model": ErrorBody, "description": "Unknown id."},
    422: {"model": ErrorBody, "description": "Invalid request."},
    503: {"model": ErrorBody, "description": "A backend (Triton, OpenSearch, index) is unavailable."},
}
