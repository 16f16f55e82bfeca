"""GET /v1/admin/analytics: search analytics for the admin view (needs the API key, like every admin
endpoint). Figures and definitions: `engine.analytics`."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep, require_writer
from api.schemas.common import ERROR_RESPONSES
from engine.analytics import read_log, summarise

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
