"""A search reports the ranker version that produced its scores, also on the first search after a
rollout switched versions (the served ranker only learns the new version from the call it answers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from api.main import create_app
from tests.unit.gateway_fakes import PriorRanker, make_services


class SwitchingRanker(PriorRanker):
    """Like a ranker served by Triton during a rollout: `version()` names the version that answered the
    latest call; once `switch_to` is set, the next call is answered by that version (scores x10)."""

    def __init__(self) -> None:
        super().__init__(version=1)
        self.answered = 1
        self.switch_to = 1

    def score(self, features: np.ndarray) -> np.ndarray:
        self.answered = self.switch_to
        scores = super().score(features)
        return scores * 10.0 if self.answered == 2 else scores

    def version(self) -> int:
        return self.answered


def test_the_first_search_after_a_switch_names_the_new_version(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    ranker = SwitchingRanker()
    services.inference.prior = ranker  # type: ignore[attr-defined]
    try:
        with TestClient(create_app(services)) as client:
            body = {"query": "running shoes", "size": 3, "debug": True}
            before = client.post("/v1/search", json=body).json()
            assert before["ranker_version"] == 1
            ranker.switch_to = 2
            after = client.post("/v1/search", json=body).json()
            assert after["ranker_version"] == 2
            assert {h["debug"]["ranker_version"] for h in after["hits"]} == {2}
            first, second = before["hits"][0]["debug"], after["hits"][0]["debug"]
            assert second["ranker_score"] == 10 * first["ranker_score"]  # the new version's scores
            services.impressions.flush()
            assert services.events.impression(after["search_id"]).ranker_version == 2
    finally:
        services.close()
