"""`GET /v1/suggest?prefix=`: popular queries for the search box (`engine.suggestions.QuerySuggester`).

The page adds the browser's own recent queries (kept in localStorage) itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from api.deps import get_services
from api.schemas.suggestions import Suggestion, Suggestions
from engine.suggestions import QuerySuggester

router = APIRouter()


def get_suggester(request: Request) -> QuerySuggester:
    state = request.app.state
    suggester: QuerySuggester | None = getattr(state, "query_suggester", None)
    if suggester is None:
        suggester = state.query_suggester = QuerySuggester(get_services(request).events)
    return suggester


@router.get("/v1/suggest", response_model=Suggestions, tags=["ui"], summary="Popular queries for a prefix")
async def suggest(
    suggester: Annotated[QuerySuggester, Depends(get_suggester)],
    prefix: Annotated[str, Query(max_length=128)] = "",
    size: Annotated[int, Query(ge=1, le=20)] = 8,
) -> Suggestions:
    found = await run_in_threadpool(suggester.suggest, prefix, size)
    return Suggestions(prefix=prefix, suggestions=[Suggestion(query=q, count=c) for q, c in found])
