"""`/v1/admin/encoder-trial`: the running interleaved trial of query-tower versions
(`engine.encoder.trial`) and a way to stop it, with the ranker trial's shapes (`api.routes.trials`).

A stop unloads the candidate tower from Triton (the serving tower keeps serving) and records the
decision in `encoder_rollouts.jsonl`, as `engine encoder trial stop` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from api.deps import Services
from api.routes.trials import trial_router
from engine.inference.factory import QueryTowerLoader

if TYPE_CHECKING:
    from engine.learning.trial import TrialLifecycle


def _towers(services: Services) -> TrialLifecycle:
    from engine.encoder.trial import EncoderTrialRunner
    from engine.encoder.versions import QueryEncoderStore

    loader = QueryTowerLoader(services.inference)  # Triton only: in process a stop says so (ConfigError)
    return EncoderTrialRunner(QueryEncoderStore(services.settings), services.events, loader)


router = trial_router("/v1/admin/encoder-trial", _towers, "query-tower versions")
