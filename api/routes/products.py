"""Product endpoints: read one, its similar items, and authenticated upsert/delete through the catalog."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep, require_writer
from api.present import impression, new_search_id, to_hit
from api.schemas.common import ERROR_RESPONSES
from api.schemas.products import (
    DeleteResult,
    ProductBatch,
    ProductIn,
    ProductOut,
    SimilarResponse,
    UpsertResult,
)
from engine.errors import InvalidInput, NotFound
from engine.personalize import similar_items
from engine.product_schema import Limits, Unpublished, validate_record

router = APIRouter(tags=["products"])


def _get_product(services: Services, product_id: str) -> ProductOut:
    with services.serving():  # a product deleted or changed by another process must not be served
        found = services.products([product_id])
    if product_id not in found:
        raise NotFound(f"no product with id {product_id!r}")
    return ProductOut.of(found[product_id])


@router.get(
    "/v1/products/{product_id}", response_model=ProductOut, responses=ERROR_RESPONSES, summary="One product"
)
async def get_product(product_id: str, services: ServicesDep) -> ProductOut:
    return await run_in_threadpool(_get_product, services, product_id)


def _similar(services: Services, product_id: str, space: str, size: int) -> SimilarResponse:
    with services.serving():
        try:
            store = services.catalog.vector_store(space)
        except NotFound:
            store = None
        found = similar_items(store, services.lexical, product_id, size, space)
        products = services.products([h.product_id for h in found])
    shown = [h for h in found if h.product_id in products and products[h.product_id].available][:size]
    hits = [to_hit(products[h.product_id], h.score) for h in shown]
    search_id = new_search_id()
    services.impressions.submit(
        impression(
            search_id,
            "",
            [h.id for h in hits],
            1,
            None,
            surface="similar",
            extra={"product_id": product_id, "space": space},
        )
    )
    return SimilarResponse(product_id=product_id, space=space, search_id=search_id, hits=hits)


@router.get(
    "/v1/products/{product_id}/similar",
    response_model=SimilarResponse,
    responses=ERROR_RESPONSES,
    summary="Items similar to a product",
)
async def similar(
    product_id: str,
    services: ServicesDep,
    space: Annotated[Literal["text", "image"], Query(description="text (BERT) or image (CLIP)")] = "text",
    size: Annotated[int, Query(ge=1, le=100)] = 10,
) -> SimilarResponse:
    return await run_in_threadpool(_similar, services, product_id, space, size)


def _upsert(services: Services, body: list[ProductIn]) -> UpsertResult:
    products = []
    hidden: list[str] = []  # published false: the shop does not show them, so search must not either
    limits = Limits.for_shop(services.settings.currency, services.settings.category_lists)
    for number, item in enumerate(body, start=1):
        raw = item.model_dump(exclude_none=True)
        try:
            products.append(validate_record(raw, limits))
        except InvalidInput as exc:
            raise InvalidInput(f"product {number} ({raw.get('id')!r}): {exc.message}") from None
        except Unpublished as unpublished:
            hidden.append(unpublished.product_id)
    ids = [p.id for p in products]
    if len(set(ids + hidden)) != len(ids) + len(hidden):
        raise InvalidInput("duplicate product ids in one request")
    if products:
        services.upsert_products(products)
    if hidden:
        services.delete_products(hidden)
    return UpsertResult(upserted=len(products), ids=ids, unpublished=hidden)


@router.post(
    "/v1/products",
    response_model=UpsertResult,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_writer)],
    summary="Insert or replace products",
)
async def upsert_products(body: ProductIn | ProductBatch, services: ServicesDep) -> UpsertResult:
    items = body if isinstance(body, list) else [body]
    return await run_in_threadpool(_upsert, services, items)


def _patch(services: Services, product_id: str, body: dict[str, Any]) -> ProductOut:
    [product] = services.patch_products({product_id: body})
    return ProductOut.of(product)


@router.patch(
    "/v1/products/{product_id}",
    response_model=ProductOut,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_writer)],
    summary="Change some fields of a product, keep the rest",
)
async def patch_product(
    product_id: str,
    services: ServicesDep,
    body: Annotated[
        dict[str, Any],
        Body(
            description="The fields to change; null resets a field, `attributes` merges key by key (null "
            "removes one), other fields are attributes. Re-embeds only when title, description, brand, "
            "category or image changed.",
            examples=[{"price": 12.5, "availability": "out_of_stock", "attributes": {"stock": 0}}],
        ),
    ],
) -> ProductOut:
    return await run_in_threadpool(_patch, services, product_id, body)


def _delete(services: Services, product_id: str) -> DeleteResult:
    if services.delete_products([product_id]) == 0:
        raise NotFound(f"no product with id {product_id!r}")
    return DeleteResult(deleted=product_id)


@router.delete(
    "/v1/products/{product_id}",
    response_model=DeleteResult,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_writer)],
    summary="Delete a product",
)
async def delete_product(product_id: str, services: ServicesDep) -> DeleteResult:
    return await run_in_threadpool(_delete, services, product_id)
