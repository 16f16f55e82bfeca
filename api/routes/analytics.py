"""Search analytics for the admin view (need the API key, like every admin endpoint).

`GET /v1/admin/analytics`: searches over time, top and zero-result queries, click-through and conversion
by query and ranker version (figures and definitions: `engine.analytics`).
`POST /v1/admin/rankers/compare`: kept ranker versions side by side on chosen queries
(`engine.learning.compare`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep, require_writer
from api.schemas.common import ERROR_RESPONSES
from engine.analytics import read_log, summarise

if TYPE_CHECKING:
    from engine.learning.compare import Ranked

router = APIRouter(
    prefix="/v1/admin", tags=["admin"], dependencies=[Depends(require_writer)], responses=ERROR_RESPONSES
)

BUCKETS = {"hour": 3600, "day": 86400}
MAX_RECORDS = 500_000


def _analytics(services: Services, bucket: str, hours: float | None, limit: int) -> dict[str, Any]:
    since = time.time() - hours * 3600 if hours is not None else None
    records = read_log(services.events, MAX_RECORDS)
    result = summarise(records, BUCKETS[bucket], since).to_dict(limit)
    return {**result, "since": since, "bucket": bucket}


@router.get("/analytics", summary="Searches over time, top and zero-result queries, CTR by query and version")
async def analytics(
    services: ServicesDep,
    bucket: Literal["hour", "day"] = "hour",
    hours: Annotated[float | None, Query(gt=0, le=24 * 366, description="Only the last N hours.")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Queries per list.")] = 20,
) -> dict[str, Any]:
    return await run_in_threadpool(_analytics, services, bucket, hours, limit)


class CompareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queries: list[str] = Field(min_length=1, description="At most 50 (checked with the versions).")
    versions: list[int] = Field(min_length=1, description="1 to 4 kept versions.")
    size: int = Field(10, ge=1, le=50)


def _compare(services: Services, body: CompareIn) -> dict[str, Any]:
    from engine.learning.compare import compare_versions  # torch: loaded when first asked
    from engine.learning.versions import RankerStore

    with services.serving():
        results = compare_versions(
            services.pipeline, RankerStore(services.settings), body.queries, body.versions, body.size
        )
        ids = sorted({r.product_id for item in results for ranked in item.lists.values() for r in ranked})
        products = services.pipeline.products.get(ids)

    def shown(ranked: list[Ranked]) -> list[dict[str, Any]]:
        return [
            {
                "id": r.product_id,
                "title": products[r.product_id].title if r.product_id in products else "",
                "score": r.score,
                "ranker_score": r.raw,
            }
            for r in ranked
        ]

    answer = []
    for item in results:
        entry: dict[str, Any] = {
            "query": item.query,
            "lists": {str(v): shown(r) for v, r in item.lists.items()},
        }
        if len(body.versions) == 2:
            entry["overlap"] = item.overlap(*body.versions)
        answer.append(entry)
    return {"versions": body.versions, "results": answer}


@router.post(
    "/rankers/compare", summary="Kept ranker versions side by side on chosen queries (nothing is logged)"
)
async def compare(body: CompareIn, services: ServicesDep) -> dict[str, Any]:
    return await run_in_threadpool(_compare, services, body)
