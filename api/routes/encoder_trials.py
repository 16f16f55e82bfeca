"""`/v1/admin/encoder-trial`: the running interleaved trial of query-tower versions
(`engine.encoder.trial`) and a way to stop it, with the ranker trial's shapes (`api.routes.trials`).

A stop unloads the candidate tower from Triton (the serving tower keeps serving) and records the
decision in `encoder_rollouts.jsonl`, as `engine encoder trial stop` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from api.deps import Services
from api.routes.trials import trial_router
from engine.inference.factory import load_query_tower

if TYPE_CHECKING:
    from engine.learning.trial import TrialLifecycle


class TowerLoader:
    """The gateway's model server as an `EncoderTrialLoader`. Only Triton serves tower versions; in
    process there is one tower and no encoder trial can have started, so a load says so instead of
    failing with an attribute error."""

    def __init__(self, inference: Any) -> None:
        self.inference = inference

    def load_query_encoder_version(self, version: int, candidate: int | None = None) -> None:
        load_query_tower(self.inference, version, candidate)


def _towers(services: Services) -> TrialLifecycle:
    from engine.encoder.trial import EncoderTrialRunner
    from engine.encoder.versions import QueryEncoderStore

    loader = TowerLoader(services.inference)
    return EncoderTrialRunner(QueryEncoderStore(services.settings), services.events, loader)


router = trial_router("/v1/admin/encoder-trial", _towers, "query-tower versions")
