"""`/v1/admin/trial`: the running interleaved trial of ranker versions (counts, p-value, searches so far)
and a way to stop it; `trial_router` builds the same two endpoints for any trialled model
(`api.routes.encoder_trials` for query-tower versions).

The update job runs trials; the gateway only serves them and shows them. Stopping here unloads the
candidate and records the decision like the job would, so the next job run trains a new candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep, require_writer
from api.schemas.common import ERROR_RESPONSES

if TYPE_CHECKING:
    from engine.learning.trial import TrialLifecycle

STOP_REASON = "stopped from the admin page"


def trial_router(prefix: str, runner: Callable[[Services], TrialLifecycle], what: str) -> APIRouter:
    """`GET prefix` (the running or last trial with its counts, `{"trial": null}` before the first one)
    and `POST prefix/stop` (unload the candidate, record the stop) over the trial `runner` builds from
    the gateway's services; both need the API key. `what` names the trialled versions in the docs."""
    router = APIRouter(
        prefix=prefix, tags=["admin"], dependencies=[Depends(require_writer)], responses=ERROR_RESPONSES
    )

    def status(services: Services) -> dict[str, Any]:
        trials = runner(services)
        state = trials.state()
        if state is None:
            return {"trial": None}
        counts = trials.counts(state).to_dict()
        return {"trial": {**state.to_dict(), "active": state.active, "counts": counts}}

    @router.get("", summary=f"The running (or last) interleaved trial of {what} with its counts")
    async def trial_status(services: ServicesDep) -> dict[str, Any]:
        return await run_in_threadpool(status, services)

    @router.post("/stop", summary=f"Stop the running trial of {what}; the serving version keeps serving")
    async def stop_trial(services: ServicesDep) -> dict[str, Any]:
        return await run_in_threadpool(lambda: runner(services).stop(STOP_REASON))

    return router


def _rankers(services: Services) -> TrialLifecycle:
    from engine.learning.trial import TrialRunner
    from engine.learning.versions import RankerStore

    return TrialRunner(RankerStore(services.settings), services.events, services.inference)


router = trial_router("/v1/admin/trial", _rankers, "ranker versions")
