"""GET/PUT /v1/admin/synonyms: the catalog's synonym sets, applied to the next query without a rebuild."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, require_writer
from api.schemas.common import ERROR_RESPONSES
from api.schemas.synonyms import SynonymSets
from engine.lexical.analysis import make_analyzer
from engine.lexical.synonyms import SynonymFile, synonyms_path

router = APIRouter(tags=["admin"])


def _file(services: ServicesDep) -> SynonymFile:
    return SynonymFile(synonyms_path(services.settings), check_interval_s=0.0)


@router.get(
    "/v1/admin/synonyms",
    response_model=SynonymSets,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_writer)],
    summary="The synonym sets in force",
)
async def get_synonyms(services: ServicesDep) -> SynonymSets:
    return SynonymSets(synonyms=await run_in_threadpool(_file(services).sets))


@router.put(
    "/v1/admin/synonyms",
    response_model=SynonymSets,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_writer)],
    summary="Replace the synonym sets (all or nothing; a bad entry is a 422 naming it)",
)
async def put_synonyms(body: SynonymSets, services: ServicesDep) -> SynonymSets:
    analyzer = make_analyzer(services.settings.catalog_language)
    stored = await run_in_threadpool(_file(services).replace, body.synonyms, analyzer)
    return SynonymSets(synonyms=stored)
