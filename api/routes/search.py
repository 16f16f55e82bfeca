"""POST /v1/search: text, image or multimodal search with filters, facets, paging and sorting."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from api.deps import ServicesDep
from api.present import page_currency, relevance, to_hit
from api.schemas.common import ERROR_RESPONSES
from api.schemas.rules import AppliedRuleOut
from api.schemas.search import FacetValue, SearchRequest, SearchResponse
from api.serving import serve
from api.ubi_search import ubi_extra, ubi_search_id
from engine.errors import InvalidInput
from engine.pipeline.types import SearchQuery

router = APIRouter(tags=["search"])

MAX_IMAGE_BYTES = 10 * 1024 * 1024
# Evaluation and monitoring traffic sends `X-Aisle-Log: off`: the list is answered as usual but not
# logged as an impression, so it neither trains rankers nor moves click-through statistics.
NO_LOG_HEADER = "x-aisle-log"
_FORM_FIELDS = ("query", "page", "size", "sort", "user_id", "session_id", "pipeline", "debug")

_OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/SearchRequest"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "image": {"type": "string", "format": "binary"},
                        "request": {"type": "string", "description": "SearchRequest as JSON"},
                        "query": {"type": "string"},
                    },
                }
            },
        },
    }
}


async def _parse(request: Request) -> tuple[SearchRequest, bytes | None]:
    """JSON body (image as base64) or multipart form (image upload + `request` JSON or plain fields)."""
    content_type = request.headers.get("content-type", "")
    upload: bytes | None = None
    try:
        if content_type.startswith("multipart/form-data"):
            form = await request.form()
            data: dict[str, Any] = {}
            if isinstance(form.get("request"), str):
                data = json.loads(str(form["request"]))
                if not isinstance(data, dict):
                    raise InvalidInput("the 'request' form field must be a JSON object")
            for name in _FORM_FIELDS:
                value = form.get(name)
                if isinstance(value, str):
                    data[name] = value
            image = form.get("image")
            if isinstance(image, UploadFile):
                upload = await image.read(MAX_IMAGE_BYTES + 1)
            body = SearchRequest.model_validate(data)
        else:
            body = SearchRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"the 'request' form field is not valid JSON: {exc.msg}") from None
    if body.image is not None:
        try:
            upload = base64.b64decode(body.image, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("image: not valid base64") from None
    if upload is not None and len(upload) > MAX_IMAGE_BYTES:
        raise InvalidInput(f"image: larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MiB")
    if upload is not None and not upload:
        raise InvalidInput("image: empty")
    return body, upload


@router.post(
    "/v1/search",
    response_model=SearchResponse,
    responses=ERROR_RESPONSES,
    openapi_extra=_OPENAPI_BODY,
    summary="Search the catalog",
)
async def search(request: Request, services: ServicesDep) -> Response:
    body, image = await _parse(request)
    ubi = body.ext.ubi if body.ext is not None else None
    search_id = ubi_search_id(services, ubi)
    user_id = body.user_id or (ubi.client_id if ubi is not None else None)
    query = SearchQuery(
        text=body.query,
        image=image,
        filters=body.filters.to_filters(),
        facets=tuple(body.facets),
        page=body.page,
        size=body.size,
        sort=body.sort,
        method=body.pipeline,
        user_id=user_id,
        session_id=body.session_id,
        prefix_last=body.prefix_last,
        distinct=body.distinct,
        disjunctive_facets=tuple(body.disjunctive_facets),
    )
    services.pipeline.validate(query)  # bad input fails before the search takes a slot
    log = request.headers.get(NO_LOG_HEADER, "").strip().lower() != "off"
    served = await serve(services, query, log=log, search_id=search_id, extra=ubi_extra(ubi))
    outcome = served.outcome
    hits = [
        to_hit(
            served.product(h),
            relevance(h),
            h,
            body.debug,
            outcome.ranker_version,
            outcome.identified,
            outcome.variants.get(h.product_id),
            outcome.prices.get(h.product_id),
        )
        for h in served.shown
    ]
    answer = SearchResponse(
        search_id=search_id,
        total=outcome.total,
        suggestion=outcome.suggestion,
        page=body.page,
        size=body.size,
        hits=hits,
        facets={
            name: [FacetValue(value=v, count=c) for v, c in values] for name, values in outcome.facets.items()
        },
        degraded=outcome.degraded,
        ranker_version=outcome.ranker_version,
        pipeline=outcome.method,
        timings_ms={k: round(v, 3) for k, v in outcome.timings_ms.items()} if body.debug else None,
        ext={"ubi": {"query_id": search_id}} if ubi is not None else None,
        rules=[
            AppliedRuleOut(
                rule_id=a.rule_id, action=a.action, product_ids=list(a.product_ids), skipped=list(a.skipped)
            )
            for a in outcome.merchandising
        ]
        if body.debug
        else None,
        currency=services.settings.currency or page_currency(outcome.products.values()),
    )
    # Serialised here, once: returning the model would make FastAPI validate it again against
    # `response_model` (which stays declared for the OpenAPI schema) before encoding it.
    return Response(answer.model_dump_json(), media_type="application/json")
