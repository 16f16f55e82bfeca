"""`/v1/admin/...`: ranker versions with their validation, rollouts, rollback, event-log counts and the
update job's progress, behind the same bearer key as the write endpoints (the admin page's API)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep, require_writer
from api.schemas.admin import (
    CheckpointOut,
    EventCountsOut,
    RankersOut,
    RankerVersionOut,
    RollbackIn,
    RolloutRecord,
    RolloutsOut,
    UpdateJobOut,
    ValidatedOut,
)
from api.schemas.common import ERROR_RESPONSES
from engine.errors import AisleError

router = APIRouter(
    prefix="/v1/admin", tags=["admin"], dependencies=[Depends(require_writer)], responses=ERROR_RESPONSES
)


def _answering(services: Services) -> int | None:
    """The ranker version the model server reports as loaded (None when it cannot say)."""
    try:
        ranker: Any = services.inference.ranker()
        served = getattr(ranker, "served_version", ranker.version)
        return int(served())
    except AisleError:
        return None


def _rankers(services: Services) -> RankersOut:
    from engine.learning.history import last_passed, validations
    from engine.learning.versions import RankerStore

    store = RankerStore(services.settings)
    moves = [r for r in store.rollouts.records() if r.get("action") in ("rollout", "rollback")]
    versions = []
    checked = validations(store)
    serving = store.serving()
    rollback_to = last_passed(store, exclude=serving)
    for version in store.versions():
        manifest = store.manifest(version)
        record = manifest.training
        versions.append(
            RankerVersionOut(
                version=version,
                created_at=manifest.created_at,
                kind=record.kind,
                parent=record.parent,
                validation=record.results,
                validated=ValidatedOut(**checked[version].to_dict()),
            )
        )
    return RankersOut(
        serving=serving,
        rollback_to=ValidatedOut(**rollback_to.to_dict()) if rollback_to is not None else None,
        answering=_answering(services),
        previous=moves[-1].get("previous") if moves else None,
        versions=versions,
    )


@router.get("/rankers", summary="Kept ranker versions, the serving one and the one before it")
async def rankers(services: ServicesDep) -> RankersOut:
    return await run_in_threadpool(_rankers, services)


@router.post("/rankers/rollback", summary="Serve a kept ranker version again")
async def rollback_ranker(body: RollbackIn, services: ServicesDep) -> RolloutRecord:
    from engine.learning.rollout import rollback
    from engine.learning.versions import RankerStore

    def run() -> RolloutRecord:
        return RolloutRecord(**rollback(RankerStore(services.settings), services.inference, body.version))

    return await run_in_threadpool(run)


@router.get("/rollouts", summary="The newest rollout decisions, newest first")
async def rollouts(services: ServicesDep, limit: Annotated[int, Query(ge=1, le=500)] = 20) -> RolloutsOut:
    from engine.learning.versions import RankerStore, brief

    records = await run_in_threadpool(RankerStore(services.settings).rollouts.records)
    return RolloutsOut(rollouts=[brief(r) for r in reversed(records[-limit:])])


def _events(services: Services) -> EventCountsOut:
    return EventCountsOut(counts=services.events.counts(), last_offset=services.events.last_offset())


@router.get("/events", summary="Event-log record counts per type")
async def event_counts(services: ServicesDep) -> EventCountsOut:
    return await run_in_threadpool(_events, services)


def _update_job(services: Services) -> UpdateJobOut:
    from engine.learning.checkpoint import checkpoint_path, load_checkpoint
    from engine.learning.versions import RankerStore, brief

    checkpoint = load_checkpoint(checkpoint_path(services.settings))
    runs = [r for r in RankerStore(services.settings).rollouts.records() if "events" in r]
    last = services.events.last_offset()
    return UpdateJobOut(
        checkpoint=CheckpointOut(
            offset=checkpoint.offset, runs=checkpoint.runs, updated_at=checkpoint.updated_at or None
        ),
        unread_records=max(last - checkpoint.offset, 0),
        last_run=brief(runs[-1]) if runs else None,
    )


@router.get("/update-job", summary="Where the ranking-update job stands and its last recorded run")
async def update_job(services: ServicesDep) -> UpdateJobOut:
    return await run_in_threadpool(_update_job, services)
