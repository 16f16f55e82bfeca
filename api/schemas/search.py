"""POST /v1/search request and response."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from api.schemas.common import Hit, RequestModel
from api.schemas.rules import AppliedRuleOut
from api.schemas.ubi import SearchExt
from engine.pipeline.types import Method, Sort
from engine.records import CATEGORY_SEPARATOR, Filters

# Bounds on filters: each value becomes a clause of the lexical query (OpenSearch refuses more than
# 1,024 per query) and a key of the filter cache, so a request is refused long before either hurts.
MAX_FILTER_VALUES = 100
MAX_ATTRIBUTE_FILTERS = 20
MAX_CATEGORY_DEPTH = 10
MAX_FACETS = 20
Name = Annotated[str, StringConstraints(max_length=100)]
Value = Annotated[str, StringConstraints(max_length=200)]
LongValue = Annotated[str, StringConstraints(max_length=1000)]
CategoryPath = Annotated[str, StringConstraints(max_length=2000)]
AttributeValues = Annotated[list[LongValue], Field(max_length=MAX_FILTER_VALUES)]
# `engine.records.AVAILABILITY_VALUES`, spelt out for the schema (a unit test holds the two together).
Availability = Literal["in_stock", "out_of_stock", "preorder", "backorder", "discontinued"]


class PriceRange(RequestModel):
    min: float | None = Field(None, ge=0)
    max: float | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> PriceRange:
        """A range whose ends are swapped is a client's mistake, not a query that matches nothing."""
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g})")
        return self


class SearchFilters(RequestModel):
    category: Annotated[list[Value], Field(max_length=MAX_CATEGORY_DEPTH)] | CategoryPath | None = Field(
        None, description='Category path prefix: ["Home", "Kitchen"] or "Home > Kitchen".'
    )
    brand: Annotated[list[Value], Field(max_length=MAX_FILTER_VALUES)] | Value = Field(
        default_factory=list, description='Any of these brands: ["Acme", "Globex"], or one: "Acme".'
    )
    price: PriceRange | None = None
    available_only: bool = Field(False, description="Only in-stock, preorder and backorder items.")
    availability: list[Availability] | Availability = Field(
        default_factory=list,
        description='Any of these availabilities: ["preorder", "backorder"], or one: "in_stock".',
    )
    attributes: dict[Name, AttributeValues | LongValue] = Field(
        default_factory=dict,
        max_length=MAX_ATTRIBUTE_FILTERS,
        description="Attribute name -> accepted value(s).",
    )

    def to_filters(self) -> Filters:
        category: tuple[str, ...] = ()
        if isinstance(self.category, str):
            category = tuple(p.strip() for p in self.category.split(CATEGORY_SEPARATOR.strip()) if p.strip())
        elif self.category:
            category = tuple(p.strip() for p in self.category if p.strip())
        attributes = {
            name: (values,) if isinstance(values, str) else tuple(values)
            for name, values in self.attributes.items()
        }
        return Filters(
            category=category,
            brands=(self.brand,) if isinstance(self.brand, str) else tuple(self.brand),
            price_min=self.price.min if self.price else None,
            price_max=self.price.max if self.price else None,
            available_only=self.available_only,
            availability=(self.availability,)
            if isinstance(self.availability, str)
            else tuple(self.availability),
            attributes=attributes,
        )


class SearchRequest(RequestModel):
    query: str = Field("", description="Free text in any language; may be empty when an image is sent.")
    image: str | None = Field(None, description="Base64 of a JPEG/PNG/WebP image (image search).")
    filters: SearchFilters = Field(default_factory=lambda: SearchFilters.model_validate({}))
    facets: list[Name] = Field(
        default_factory=list,
        max_length=MAX_FACETS,
        description='Facets to count: "brand", "category", "category_path", "availability", "price", '
        '"attr.<name>".',
    )
    disjunctive_facets: list[Name] = Field(
        default_factory=list,
        max_length=MAX_FACETS,
        description="Facets among `facets` a shopper picks several values of: each counted without its "
        "own filter, so the values beside a pick keep their counts (not category, category_path).",
    )
    page: int = Field(1, ge=1, le=1000)
    size: int = Field(10, ge=1, le=100)
    sort: Sort = "relevance"
    user_id: str | None = Field(None, max_length=256)
    session_id: str | None = Field(None, max_length=256)
    pipeline: Method = Field(
        "full", description="Method variant (for evaluation); `full` is the production pipeline."
    )
    prefix_last: bool = Field(
        True,
        description="Search as you type: the query's last word also matches words it begins "
        '("hobb" finds "Hobbit") and its end the beginning of an identifier. false: whole words only.',
    )
    distinct: bool | None = Field(
        None,
        description="Show each product family (its sizes and colours, the products naming the same "
        "`group`) once: `total` and pages count families, each hit says how many of its family match "
        "(`variants`). Default: AISLE_DISTINCT_FAMILIES (on).",
    )
    debug: bool = Field(False, description="Add per-stage scores and timings.")
    ext: SearchExt | None = Field(None, description="Extensions: `ubi` (User Behavior Insights ids).")


class FacetValue(BaseModel):
    value: str
    count: int


class SearchResponse(BaseModel):
    search_id: str = Field(description="Refer to it in events (clicks, carts, purchases).")
    total: int = Field(
        description="Products matching the query (lexically or semantically, filters applied): the set "
        "facets count and pages walk through."
    )
    suggestion: str | None = Field(
        None, description='When nothing matches: a relaxed query that does ("Did you mean …").'
    )
    page: int
    size: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = Field(default_factory=dict)
    degraded: list[str] = Field(default_factory=list, description="Parts answered without, e.g. lexical.")
    ranker_version: int | None = None
    pipeline: str
    timings_ms: dict[str, float] | None = None
    ext: dict[str, dict[str, str]] | None = Field(
        None, description="`ubi.query_id` when the request sent ext.ubi."
    )
    rules: list[AppliedRuleOut] | None = Field(
        None, description="With `debug`: the merchandising rules that changed this list."
    )
    currency: str | None = Field(
        None, description="The catalog's currency (AISLE_CURRENCY, else the most common on this page)."
    )
