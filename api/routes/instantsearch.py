"""InstantSearch-compatible search: Algolia's multi-query and single-index query endpoints.

A shop's existing InstantSearch front end (or any Algolia API client) points its search client's host at
the gateway and keeps working: `POST /1/indexes/*/queries` (what InstantSearch sends, one request per
widget state, including the facet-only queries of disjunctive refinement lists) and
`POST /1/indexes/{index}/query`. Every index name serves the one catalog; names ending in `_price_asc` /
`_price_desc` sort by price (a sortBy widget's replicas). Hits are catalog records with `objectID`, plus
`_highlightResult` (and `_snippetResult` when asked) for the Highlight and Snippet widgets (`api.highlight`).

Bodies are read as JSON whatever the Content-Type: browser clients send `text/plain` (or a form type) to
avoid a CORS preflight. With `clickAnalytics` the answer carries `queryID`, which is the logged
impression's `search_id`: Insights events quoting it (`POST /1/events`) are joined to this list.
"""

from __future__ import annotations

import asyncio
import math
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.algolia import facet_fields, facet_maps, sort_for_index, to_filters, to_record
from api.bodies import read_model
from api.deps import Services, ServicesDep
from api.highlight import Highlighter, attribute_list, decorate, snippet_specs
from api.routes.search import NO_LOG_HEADER
from api.schemas.common import ERROR_RESPONSES
from api.schemas.instantsearch import (
    IndexResult,
    MultiQueryRequest,
    MultiQueryResponse,
    SearchParams,
)
from api.serving import serve
from engine.errors import InvalidInput
from engine.pipeline.facets import check_fields
from engine.pipeline.types import SearchQuery

router = APIRouter(tags=["instantsearch"])

USER_TOKEN_HEADER = "x-algolia-usertoken"


def _query(params: SearchParams, index: str, user_token: str | None) -> tuple[SearchQuery, bool]:
    """The engine query for one set of parameters, and whether its filters contradict each other."""
    unsupported = params.unsupported()
    if unsupported:
        raise InvalidInput(
            f"{', '.join(unsupported)}: not supported by this gateway; use facetFilters and numericFilters"
        )
    fields = facet_fields(params.facet_names())
    check_fields(fields)
    snippet_specs(attribute_list(params.attributesToSnippet))  # a bad count fails before searching
    filters, impossible = to_filters(params.facetFilters, params.numericFilters)
    query = SearchQuery(
        text=params.query,
        filters=filters,
        facets=fields,
        page=params.page + 1,
        size=max(params.hitsPerPage, 1),  # hitsPerPage 0 asks for facets only: search one, show none
        sort=sort_for_index(index),
        user_id=params.userToken or user_token,
        prefix_last=params.queryType != "prefixNone",
        distinct=params.distinct,
    )
    return query, impossible


async def _answer(
    services: Services, params: SearchParams, index: str, prepared: tuple[SearchQuery, bool], request: Request
) -> IndexResult:
    start = time.perf_counter()
    query, impossible = prepared
    hits: list[dict[str, object]] = []
    total = 0
    facets: dict[str, dict[str, int]] = {name: {} for name in query.facets}
    query_id = None
    exhaustive = True
    if not impossible:
        log = (
            params.analytics
            and params.hitsPerPage > 0
            and request.headers.get(NO_LOG_HEADER, "").strip().lower() != "off"
        )
        served = await serve(services, query, log=log, extra={"protocol": "instantsearch", "index": index})
        total = served.outcome.total
        facets = {**facets, **facet_maps(served.outcome.facets)}
        if params.hitsPerPage > 0:
            marker = Highlighter.of(params.query, params.highlightPreTag, params.highlightPostTag)
            highlighted = attribute_list(params.attributesToHighlight)
            snippeted = snippet_specs(attribute_list(params.attributesToSnippet))
            hits = [
                decorate(
                    to_record(
                        served.product(h),
                        served.outcome.variants.get(h.product_id),
                        served.outcome.prices.get(h.product_id),
                    ),
                    marker,
                    highlighted,
                    snippeted,
                    params.snippetEllipsisText,
                )
                for h in served.shown
            ]
        query_id = served.search_id if params.clickAnalytics and served.logged else None
        exhaustive = served.outcome.method == "browse"
    return IndexResult(
        hits=hits,
        nbHits=total,
        page=params.page,
        nbPages=math.ceil(total / params.hitsPerPage) if params.hitsPerPage else 0,
        hitsPerPage=params.hitsPerPage,
        facets=facets,
        exhaustiveNbHits=exhaustive,
        exhaustiveFacetsCount=exhaustive,
        query=params.query,
        params="",
        index=index,
        processingTimeMS=round((time.perf_counter() - start) * 1000),
        queryID=query_id,
    )


def _json(model: BaseModel) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json", exclude_none=True))


@router.post(
    "/1/indexes/*/queries",
    response_model=MultiQueryResponse,
    responses=ERROR_RESPONSES,
    summary="InstantSearch / Algolia multi-query search",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MultiQueryRequest"}}},
        }
    },
)
async def multiple_queries(request: Request, services: ServicesDep) -> JSONResponse:
    body = await read_model(request, MultiQueryRequest)
    for position, item in enumerate(body.requests):
        if item.type == "facet":
            raise InvalidInput(f"requests.{position}: searching for facet values is not supported")
    user_token = request.headers.get(USER_TOKEN_HEADER)
    prepared = [_query(item, item.indexName, user_token) for item in body.requests]  # refuse before searching
    # A refinement list's facet-only queries run side by side.
    results = await asyncio.gather(
        *(
            _answer(services, item, item.indexName, query, request)
            for item, query in zip(body.requests, prepared, strict=True)
        )
    )
    return _json(MultiQueryResponse(results=list(results)))


@router.post(
    "/1/indexes/{index}/query",
    response_model=IndexResult,
    responses=ERROR_RESPONSES,
    summary="InstantSearch / Algolia single-index search",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchParams"}}},
        }
    },
)
async def index_query(index: str, request: Request, services: ServicesDep) -> JSONResponse:
    params = await read_model(request, SearchParams)
    prepared = _query(params, index, request.headers.get(USER_TOKEN_HEADER))
    return _json(await _answer(services, params, index, prepared, request))
