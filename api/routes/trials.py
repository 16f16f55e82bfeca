"""`/v1/admin/trial`: the running interleaved trial (counts, p-value, searches so far) and a way to stop it.

The update job runs trials; the gateway only serves them and shows them. Stopping here unloads the
candidate and records the decision like the job would, so the next job run trains a new candidate.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep, require_writer
from api.schemas.common import ERROR_RESPONSES

router = APIRouter(
    prefix="/v1/admin/trial",
    tags=["admin"],
    dependencies=[Depends(require_writer)],
    responses=ERROR_RESPONSES,
)


def _runner(services: Services) -> Any:
    from engine.learning.trial import TrialRunner
    from engine.learning.versions import RankerStore

    return TrialRunner(RankerStore(services.settings), services.events, services.inference)


def _status(services: Services) -> dict[str, Any]:
    runner = _runner(services)
    state = runner.state()
    if state is None:
        return {"trial": None}
    return {"trial": {**state.to_dict(), "active": state.active, "counts": runner.counts(state).to_dict()}}


@router.get("", summary="The running (or last) interleaved trial with its counts")
async def trial_status(services: ServicesDep) -> dict[str, Any]:
    return await run_in_threadpool(_status, services)


@router.post("/stop", summary="Stop the running trial; the serving version keeps serving")
async def stop_trial(services: ServicesDep) -> dict[str, Any]:
    return await run_in_threadpool(lambda: _runner(services).stop("stopped from the admin page"))
