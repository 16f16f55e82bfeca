"""Shapes shared by several endpoints: the base of request bodies, the error body and a product hit."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine.charset import bad_character

MAX_DEPTH = 8


class RequestModel(BaseModel):
    """Base of every request body: unknown fields refused, numbers finite, every string (keys too, at any
    depth) free of unpaired surrogates and control characters (`engine.charset`).

    The character check runs on the raw input before field validation, so a `\\ud800` anywhere is a 422
    naming its path instead of a 500 from whichever backend first tries to encode it.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _clean_strings(cls, data: Any) -> Any:
        problem = _find_bad_string(data, (), 0)
        if problem is not None:
            raise ValueError(problem)
        return data


def _find_bad_string(value: Any, path: tuple[str, ...], depth: int) -> str | None:
    where = ".".join(path) or "value"
    if isinstance(value, str):
        problem = bad_character(value)
        return f"{where}: {problem}" if problem else None
    if depth > MAX_DEPTH:
        return f"{where}: nested deeper than {MAX_DEPTH} levels" if isinstance(value, (dict, list)) else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = str(key)[:40]
            if isinstance(key, str) and (problem := bad_character(key)):
                return f"{'.'.join((*path, 'key'))}: {problem}"
            if (found := _find_bad_string(item, (*path, name), depth + 1)) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _find_bad_string(item, (*path, str(index)), depth + 1)) is not None:
                return found
    return None


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
    identifier: bool = Field(
        False,
        description="The query names this product by an exact identifier (SKU, ISBN, GTIN, model): it leads.",
    )
    near_only: bool = Field(
        False,
        description="A near member only (it shares a query word and is close in meaning, but does not "
        "match as the query says), or a member by meaning alone that shares no query word: the ranked "
        "head lists it after the strict members.",
    )
    missing_word: bool = Field(
        False,
        description="A strict member that misses a word of a query of three words or more (the "
        "minimum-should-match rule lets it): the ranked head lists it after those matching every word.",
    )


class Hit(BaseModel):
    id: str
    title: str
    brand: str = ""
    price: float | None = None
    regular_price: float | None = Field(
        None, description="The price before a sale while the product is on sale (`price` is the sale price)."
    )
    sale_ends: str | None = Field(
        None,
        description="When the sale ends (ISO 8601, UTC: the first moment after it), while the product is on "
        "a sale with an end (its catalog's `sale_to`), else null.",
    )
    currency: str = "USD"
    availability: str = "in_stock"
    image: str | None = None
    family: str | None = Field(
        None,
        description="The product's family (its `group`: a Shopify handle, a WooCommerce parent id, a Google "
        "item_group_id), for a front end that links a family to its own product page; null for a "
        "product of its own.",
    )
    variant: str | None = Field(
        None,
        description="What tells this product apart from the rest of its family, as Shopify titles a variant "
        '("12 kg", "Negro / M"; the `variant` attribute), so a card says which size or colour it shows; '
        "null for a product without one.",
    )
    variants: int | None = Field(
        None,
        description="How many products of this hit's family (sizes, colours) match the search, when the "
        "search shows each family once (`distinct`); this one stands for them.",
    )
    price_min: float | None = Field(
        None,
        description="The lowest price of this hit's family's variants that match (those one can buy, where "
        "any can), when the search shows each family once and their prices differ (the page says "
        '"12.99 – 29.99"); null otherwise.',
    )
    price_max: float | None = Field(
        None, description="The highest price of those variants, with `price_min`."
    )
    score: float = Field(
        description="Relevance in 0..1 within this answer, on the same scale for every ranker version and "
        "method: the ordering score (ranker, else fused) min-max normalised over the candidates it was "
        "computed for (1 = the best, 0 = the worst or unscored). The raw scores are under `debug`. "
        "Similar products: cosine similarity; recommendations: their strategy's score."
    )
    debug: HitDebug | None = None


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "No bearer token."},
    403: {"model": ErrorBody, "description": "Wrong key, or writes disabled (AISLE_API_KEY unset)."},
    404: {"model": ErrorBody, "description": "Unknown id."},
    422: {"model": ErrorBody, "description": "Invalid request."},
    503: {"model": ErrorBody, "description": "A backend (Triton, OpenSearch, index) is unavailable."},
}
