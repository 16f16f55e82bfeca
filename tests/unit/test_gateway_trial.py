"""The gateway during an interleaved trial: a share of shopper searches is team-drafted from both ranker
versions and logged with its teams; the admin endpoints show the trial and can stop it; the rankers
listing says how each version was validated and which one a rollback would serve."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from engine.config import PROJECT_ROOT, load_settings
from engine.learning.trial import TrialRunner
from engine.learning.versions import RankerStore
from engine.models.make_prior_ranker import make_prior
from engine.models.ranker_net import RankerManifest, TrainingRecord
from engine.pipeline.trialstate import TrialConfig, TrialState, save_trial, trial_path
from engine.ranking.features import FEATURE_NAMES
from engine.triton.repository import CONFIG_FILE
from tests.unit.gateway_fakes import PriorRanker, make_services

AUTH = {"Authorization": "Bearer secret"}
FUSED = FEATURE_NAMES.index("fused_score")


class TwoVersions(PriorRanker):
    """Version 1 ranks by fused score, version 2 (the candidate) by its reverse."""

    def __init__(self) -> None:
        super().__init__(version=1)
        self.asked: list[int | None] = []

    def score(self, features: np.ndarray, version: int | None = None) -> np.ndarray:
        self.asked.append(version)
        scores = super().score(features)
        return -scores if version == 2 else scores


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[TestClient, Services, TwoVersions]]:
    ranker_dir = tmp_path / "model_repository" / "ranker"
    make_prior(ranker_dir / "1")
    shutil.copy(PROJECT_ROOT / "model_repository" / "ranker" / CONFIG_FILE, ranker_dir / CONFIG_FILE)
    store = RankerStore(load_settings(data_dir=tmp_path))
    net, manifest = store.load(1)
    store.add(
        net,
        RankerManifest(
            version=0, feature_names=manifest.feature_names, training=TrainingRecord(kind="clicks")
        ),
    )
    state = TrialState(
        candidate=2, serving=1, start_offset=0, config=TrialConfig(share=1.0), status="running"
    )
    save_trial(trial_path(tmp_path), state)
    services = make_services(tmp_path)
    ranker = TwoVersions()
    services.inference.prior = ranker  # type: ignore[attr-defined]
    with TestClient(create_app(services)) as client:
        yield client, services, ranker
    services.close()


def _logged(services: Services, search_id: str):
    assert services.impressions.flush()
    return services.events.impression(search_id)


def test_shopper_searches_are_interleaved_and_logged_with_their_teams(gateway) -> None:
    client, services, ranker = gateway
    body = client.post("/v1/search", json={"query": "running", "user_id": "u1", "size": 5}).json()
    impression = _logged(services, body["search_id"])
    info = impression.extra["interleaving"]
    assert info["serving"] == 1 and info["candidate"] == 2
    assert len(info["teams"]) == len(impression.product_ids) and set(info["teams"]) <= {"A", "B"}
    assert {"A", "B"} <= set(info["teams"])  # the two orders differ, so both teams show products
    assert 1 in ranker.asked and 2 in ranker.asked and None not in ranker.asked  # every call names a version
    assert impression.propensity_swaps == ()  # no exploration on an interleaved list

    # A click on a candidate product counts as a win for the candidate.
    index = info["teams"].index("B")
    event = {"type": "click", "product_id": impression.product_ids[index], "search_id": body["search_id"]}
    assert client.post("/v1/events", json=event).status_code == 202
    runner = TrialRunner(RankerStore(services.settings), services.events, services.inference)
    counts = runner.counts(runner.state())
    assert (counts.wins, counts.losses, counts.searches) == (1, 0, 1)


def test_searches_without_a_shopper_are_not_interleaved(gateway) -> None:
    client, services, ranker = gateway
    body = client.post("/v1/search", json={"query": "running shoes"}).json()
    assert "interleaving" not in _logged(services, body["search_id"]).extra
    assert ranker.asked and set(ranker.asked) == {1}  # still pinned to the serving version


def test_admin_shows_the_trial_and_stops_it(gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    client, services, _ = gateway
    loaded: list[int] = []
    monkeypatch.setattr(
        services.inference, "load_ranker_version", lambda v, candidate=None: loaded.append(v), raising=False
    )
    trial = client.get("/v1/admin/trial", headers=AUTH).json()["trial"]
    assert trial["active"] and trial["candidate"] == 2 and trial["counts"]["searches"] == 0
    assert client.get("/v1/admin/trial").status_code == 401

    record = client.post("/v1/admin/trial/stop", headers=AUTH).json()
    assert (
        record["outcome"] == "stopped" and record["reason"] == "stopped from the admin page" and loaded == [1]
    )
    assert client.get("/v1/admin/trial", headers=AUTH).json()["trial"]["status"] == "stopped"
    again = client.post("/v1/admin/trial/stop", headers=AUTH)
    assert again.status_code == 422 and again.json()["error"]["message"] == "no trial is running"

    rankers = client.get("/v1/admin/rankers", headers=AUTH).json()
    gates = {v["version"]: v["validated"] for v in rankers["versions"]}
    assert gates[1]["gate"] == "prior" and gates[1]["passed"]
    assert gates[2]["gate"] == "trial" and not gates[2]["passed"] and "0 searches" in gates[2]["summary"]
    assert rankers["serving"] == 1 and rankers["rollback_to"] is None  # the prior serves; 2 lost its trial
