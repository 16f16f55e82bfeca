"""An interleaved trial through the real gateway and the real Triton.

A candidate ranker version is put on trial: Triton loads it next to the serving version, the gateway
serves shopper searches as team-draft interleavings of both (each ranker call names its version), logs
each product's team, and clicks credit the teams. Shoppers here prefer the candidate's picks; the trial
promotes it, Triton then serves it alone, and searches are plain again.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.deps import Services, build_services
from api.main import create_app
from engine.config import load_settings
from engine.learning.trial import TrialRunner
from engine.learning.versions import RankerStore
from engine.models.ranker_net import RankerManifest, TrainingRecord, init_prior_ranker
from engine.pipeline.trialstate import TrialConfig, trial_path
from engine.sample import sample_catalog_path

pytestmark = pytest.mark.integration

QUERIES = ("jacket", "headphones", "knife", "tent", "lamp", "shampoo", "helmet", "puzzle")


@pytest.fixture(scope="module")
def gateway(triton_server) -> Iterator[tuple[TestClient, Services]]:
    """A gateway over the Triton server's own data dir (the runtime repository and the trial file are
    where the update job writes them) with the sample catalog in the embedded lexical index."""
    from engine.inference.triton import TritonInference
    from engine.lexical.factory import create_lexical
    from indexer.build import Builder, BuildOptions

    settings = load_settings(
        data_dir=triton_server.settings.data_dir,
        opensearch_url="embedded",
        triton_url=triton_server.grpc_url,
        triton_timeout_s=120.0,
        clip_model=triton_server.settings.clip_model,
        api_key="test-key",
    )
    inference = TritonInference(triton_server.grpc_url, 120.0, repository=triton_server.repository)
    Builder(settings, inference, create_lexical(settings)).build(
        sample_catalog_path(), BuildOptions(progress=False)
    )
    inference.close()
    services = build_services(settings)
    with TestClient(create_app(services)) as client:
        yield client, services
    services.close()


def test_a_trial_serves_interleaved_lists_and_promotes_the_winner(gateway, triton_server) -> None:
    client, services = gateway
    store = RankerStore(services.settings)
    backend = triton_server.backend()
    original = store.serving()
    assert original is not None
    names = list(store.manifest(original).feature_names)
    candidate = store.add(
        init_prior_ranker(names, {"log_price": 1.0, "fused_score": 0.2}),
        RankerManifest(version=0, feature_names=names, training=TrainingRecord(kind="clicks")),
    )
    runner = TrialRunner(store, services.events, backend)
    try:
        runner.start(candidate, TrialConfig(share=1.0, alpha=0.05, min_searches=30, max_searches=500))
        assert store.serving() == original
        time.sleep(1.0)  # the gateway looks at the trial file at most every 0.5 s

        rng = np.random.default_rng(0)
        teams_seen = set()
        for i in range(60):
            query = QUERIES[i % len(QUERIES)]
            body = client.post("/v1/search", json={"query": query, "user_id": f"u{i}", "size": 10}).json()
            assert body["ranker_version"] == original  # the serving version still answers for the list
            assert services.impressions.flush()
            impression = services.events.impression(body["search_id"])
            info = impression.extra.get("interleaving")
            assert info is not None and info["candidate"] == candidate and info["serving"] == original
            teams = info["teams"]
            assert len(teams) == len(body["hits"])
            teams_seen |= set(teams)
            # Shoppers like the candidate's picks: click its first product (now and then the other's).
            want = "B" if rng.random() < 0.85 or "A" not in teams else "A"
            if want in teams:
                index = teams.index(want)
                event = {
                    "type": "click",
                    "product_id": body["hits"][index]["id"],
                    "search_id": body["search_id"],
                }
                assert client.post("/v1/events", json=event).status_code == 202
        assert {"A", "B"} <= teams_seen

        plain = client.post("/v1/search", json={"query": "lamp"}).json()  # no shopper: not interleaved
        assert services.impressions.flush()
        assert "interleaving" not in services.events.impression(plain["search_id"]).extra

        outcome = runner.step()
        assert outcome is not None and outcome["outcome"] == "promoted", outcome
        assert outcome["trial"]["wins"] > outcome["trial"]["losses"] and outcome["trial"]["searches"] == 60
        assert store.serving() == candidate and backend.ranker().served_version() == candidate

        time.sleep(1.0)
        after = client.post("/v1/search", json={"query": "lamp", "user_id": "u-after"}).json()
        assert after["ranker_version"] == candidate
        assert services.impressions.flush()
        assert "interleaving" not in services.events.impression(after["search_id"]).extra
    finally:
        if backend.ranker().served_version() != original or len(store.versions()) > 1:
            backend.load_ranker_version(original)
        shutil.rmtree(store.model_dir / str(candidate), ignore_errors=True)
        trial_path(store.data_dir).unlink(missing_ok=True)
        backend.close()
