"""Product endpoints' request and response models."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas.common import Hit, RequestModel
from engine.records import Product


class ProductIn(RequestModel):
    """A product as shops send it; validated by the product schema (`engine.product_schema`), which also
    accepts a category as "A > B" and keeps unknown fields as attributes.

    Through the API an image is an http(s) URL: a path would name a file on the gateway's machine,
    which the indexer would then open.
    """

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)
    id: str | int
    title: str
    description: str | None = None
    brand: str | None = None
    category: list[str] | list[list[str]] | str | None = None
    more_categories: list[list[str] | str] | None = Field(
        None, description='Further category paths: [["Katze", "Reisen"]] or ["Katze > Reisen"].'
    )
    price: float | str | None = None
    currency: str | None = None
    availability: str | None = None
    attributes: dict[str, Any] | str | None = None
    image: str | None = None
    popularity: float | str | None = None

    @field_validator("image")
    @classmethod
    def _remote_image(cls, value: str | None) -> str | None:
        if (
            value is not None
            and value.strip()
            and not value.strip().lower().startswith(("http://", "https://"))
        ):
            raise ValueError("must be an http:// or https:// URL")
        return value


MAX_UPSERT = 1000
ProductBatch = Annotated[list[ProductIn], Field(min_length=1, max_length=MAX_UPSERT)]


class ProductOut(BaseModel):
    id: str
    title: str
    description: str = ""
    brand: str = ""
    category: list[str] = Field(default_factory=list)
    price: float | None = None
    currency: str = "USD"
    availability: str = "in_stock"
    attributes: dict[str, Any] = Field(default_factory=dict)
    image: str | None = None
    popularity: float = 0.0
    more_categories: list[list[str]] = Field(
        default_factory=list, description="The further category paths of a product filed in several."
    )

    @classmethod
    def of(cls, product: Product) -> ProductOut:
        return cls(**product.to_dict())


class SimilarResponse(BaseModel):
    product_id: str
    space: str
    search_id: str
    hits: list[Hit]


class UpsertResult(BaseModel):
    upserted: int
    ids: list[str]
    unpublished: list[str] = Field(
        default_factory=list, description="ids sent with `published` false: taken out of search, not stored"
    )


class DeleteResult(BaseModel):
    deleted: str
