"""GET /v1/recommendations: personal picks for a user (popular items for new users)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep
from api.present import impression, new_search_id, to_hit
from api.schemas.common import ERROR_RESPONSES
from api.schemas.recommendations import RecommendationsResponse

router = APIRouter(tags=["recommendations"])


def _recommend(services: Services, user_id: str, size: int) -> RecommendationsResponse:
    with services.serving():
        picks = services.recommender.recommend(user_id, size)
        products = services.products([h.product_id for h in picks.hits])
    shown = [h for h in picks.hits if h.product_id in products]
    search_id = new_search_id()
    features = picks.features if picks.features and len(picks.features) == len(picks.hits) else []
    kept = [f for h, f in zip(picks.hits, features, strict=False) if h.product_id in products]
    services.impressions.submit(
        impression(
            search_id,
            "",
            [h.product_id for h in shown],
            1,
            picks.ranker_version,
            kept,
            user_id,
            surface="recommendations",
            extra={"strategy": picks.strategy},
        )
    )
    return RecommendationsResponse(
        user_id=user_id,
        search_id=search_id,
        strategy=picks.strategy,
        ranker_version=picks.ranker_version,
        hits=[to_hit(products[h.product_id], h.score) for h in shown],
    )


@router.get(
    "/v1/recommendations",
    response_model=RecommendationsResponse,
    responses=ERROR_RESPONSES,
    summary="Recommendations for a user",
)
async def recommendations(
    user_id: Annotated[str, Query(min_length=1, max_length=256)],
    services: ServicesDep,
    size: Annotated[int, Query(ge=1, le=100)] = 10,
) -> RecommendationsResponse:
    return await run_in_threadpool(_recommend, services, user_id, size)
