"""An interleaved trial of query-tower versions through the gateway on the real Triton.

A query-only tower (another tiny BERT) is written into the store and put on trial against the serving
tower: Triton loads both `query_encoder` versions, every shopper search is embedded by both (each
request names its version, each vector is what that version's weights compute), the two lists are
team-drafted and clicks credit the candidate; an anonymous search still gets the serving tower only.
A stop from the admin API unloads the candidate (Triton's repository index and readiness say so) and
the serving tower keeps serving, alone.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.deps import Services, build_services
from api.main import create_app
from engine.encoder.trial import EncoderTrialRunner
from engine.encoder.versions import QueryEncoderStore
from engine.inference.triton import TritonInference, TritonTextEncoder
from engine.lexical.factory import create_lexical
from engine.models.tower import TowerManifest
from engine.pipeline.trialstate import TrialConfig
from engine.triton.launcher import TritonServer, start_triton
from indexer.build import Builder, BuildOptions
from tests.fixtures.triton import triton_settings
from tests.support.tiny_text import make_tiny_text_model, sample_head

pytestmark = pytest.mark.integration

ROWS = 16
KEY = {"Authorization": "Bearer trial-key"}
# Each text once, so no search finds its vectors in the gateway's query-embedding cache.
QUERIES = ("urban jacket", "white pillow", "northpeak tent", "voltix earbuds", "santoku knife", "jacket")
ANONYMOUS, AFTER = "down jacket", "plush bunny"


class Shop:
    """A Triton serving a tiny text model, the first `ROWS` sample products indexed with it, and the
    gateway in process over the same data directory (its `TritonInference` is the trial's loader)."""

    def __init__(self, root: Path) -> None:
        catalog = root / "catalog.jsonl"
        rows = sample_head(catalog, ROWS)
        self.words = {w.strip(",-").lower() for r in rows for w in r["title"].split()} - {""}
        self.tiny = make_tiny_text_model(root / "tiny", self.words)
        # Every product a semantic match (a random tiny tower's similarities are not calibrated to
        # anything): the list is the ranked fusion of both sides, so each tower orders it its own way.
        settings = triton_settings(
            root / "data",
            text_model=str(self.tiny),
            clip_model="",
            opensearch_url="embedded",
            api_key="trial-key",
            semantic_match_threshold=-1.0,
        )
        self.server: TritonServer = start_triton(settings)
        try:
            backend = TritonInference(
                self.server.grpc_url, settings.triton_timeout_s, repository=self.server.repository
            )
            try:
                Builder(settings, backend, create_lexical(settings)).build(
                    catalog, BuildOptions(progress=False)
                )
            finally:
                backend.close()
            self.services: Services = build_services(settings)  # finds the running server of this data dir
        except BaseException:
            self.server.stop()
            raise

    def triton(self, path: str, body: bytes | None = None) -> tuple[int, Any]:
        """Ask Triton's HTTP API directly (not through the engine's client)."""
        request = urllib.request.Request(
            f"{self.server.http_url}{path}", data=body, method="POST" if body else "GET"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as exc:
            return exc.code, None

    def ready_towers(self) -> set[int]:
        """The `query_encoder` versions Triton's repository index says are READY."""
        status, index = self.triton("/v2/repository/index", b"{}")
        assert status == 200
        return {
            int(m["version"]) for m in index if m["name"] == "query_encoder" and m.get("state") == "READY"
        }

    def version_ready(self, version: int) -> bool:
        return self.triton(f"/v2/models/query_encoder/versions/{version}/ready")[0] == 200

    def close(self) -> None:
        self.services.close()
        self.server.stop()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    shop = Shop(tmp_path_factory.mktemp("encoder-trial"))
    try:
        yield shop
    finally:
        shop.close()


@pytest.fixture
def client(shop: Shop) -> Iterator[TestClient]:
    with TestClient(create_app(shop.services)) as client:
        yield client


class Embeddings:
    """Every request the gateway's query tower sends to Triton: the texts, the version it named, the
    version that answered and the vectors (a spy around the real `TritonTextEncoder`)."""

    def __init__(self, served: TritonTextEncoder) -> None:
        self.served, self.real = served, served.encode_versioned
        self.calls: list[tuple[tuple[str, ...], int | None, int, np.ndarray]] = []

    def __call__(self, texts: Sequence[str], version: int | None = None) -> tuple[np.ndarray, int]:
        vectors, answered = self.real(texts, version)
        self.calls.append((tuple(texts), version, answered, vectors.copy()))
        return vectors, answered

    def take(self) -> list[tuple[tuple[str, ...], int | None, int, np.ndarray]]:
        calls, self.calls = self.calls, []
        return calls


def test_a_tower_trial_embeds_with_both_versions_counts_clicks_and_stops(
    shop: Shop, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sentence_transformers import SentenceTransformer

    services, store = shop.services, QueryEncoderStore(shop.services.settings)
    serving_model = SentenceTransformer(str(shop.tiny), device="cpu", local_files_only=True)
    other = make_tiny_text_model(shop.tiny.parent.parent / "other", shop.words, seed=1)
    candidate_model = SentenceTransformer(str(other), device="cpu", local_files_only=True)
    candidate = store.add(
        candidate_model, TowerManifest(version=0, base=store.vectors_identity(), parent=1, towers="query")
    )
    assert candidate == 2 and store.serving() == 1 and shop.ready_towers() == {1}  # written, not loaded
    local = {1: serving_model, candidate: candidate_model}

    runner = EncoderTrialRunner(store, services.events, services.inference)
    started = runner.start(candidate, TrialConfig(share=1.0, min_searches=1000, max_searches=5000))
    assert started["outcome"] == "started" and started["serving"] == 1
    assert shop.ready_towers() == {1, candidate} and store.serving() == 1  # both loaded, 1 serves
    time.sleep(max(TritonTextEncoder.VERSION_TTL_S, 0.5) + 0.2)  # the gateway re-reads both

    served = services.pipeline.embedder.text.served
    spy = Embeddings(served)
    monkeypatch.setattr(served, "encode_versioned", spy)

    # An anonymous search is not sampled: the serving tower only, although 2 is the highest loaded.
    body = client.post("/v1/search", json={"query": ANONYMOUS, "size": 5}).json()
    assert [(version, answered) for _, version, answered, _ in spy.take()] == [(1, 1)]
    assert services.impressions.flush()
    assert "interleaving" not in services.events.impression(body["search_id"]).extra

    clicks, teams_seen = 0, set()
    for i, query in enumerate(QUERIES):
        body = client.post("/v1/search", json={"query": query, "user_id": f"u{i}", "size": 8}).json()
        calls = spy.take()
        assert sorted(version for _, version, _, _ in calls) == [1, candidate]  # one request per tower
        vectors = {}
        for texts, version, answered, got in calls:
            assert answered == version  # the named version answered, not the highest loaded
            assert version is not None
            want = local[version].encode(list(texts), normalize_embeddings=True)
            assert np.allclose(got, want, atol=1e-4), (query, version)  # what its weights compute
            vectors[version] = got
        assert not np.allclose(vectors[1], vectors[candidate], atol=1e-2)  # two different towers

        assert services.impressions.flush()
        info = services.events.impression(body["search_id"]).extra["interleaving"]
        assert (info["model"], info["serving"], info["candidate"]) == ("encoder", 1, candidate)
        assert len(info["teams"]) == len(body["hits"])
        teams_seen |= set(info["teams"])
        if "B" in info["teams"]:  # shoppers take the candidate tower's first own product
            index = info["teams"].index("B")
            event = {"type": "click", "product_id": body["hits"][index]["id"], "search_id": body["search_id"]}
            assert client.post("/v1/events", json=event).status_code == 202
            clicks += 1
    assert {"A", "B"} <= teams_seen and clicks >= 2

    shown = client.get("/v1/admin/encoder-trial", headers=KEY).json()["trial"]
    assert shown["active"] and shown["candidate"] == candidate
    assert (shown["counts"]["wins"], shown["counts"]["losses"]) == (clicks, 0)
    assert shown["counts"] == runner.counts(runner.state()).to_dict()
    step = runner.step()
    assert step is not None and step["outcome"] == "running"  # too few searches to decide

    record = client.post("/v1/admin/encoder-trial/stop", headers=KEY).json()
    assert (
        record["outcome"] == "stopped"
        and record["version"] == candidate
        and record["trial"]["wins"] == clicks
    )
    assert store.rollouts.records()[-1] == record
    assert shop.ready_towers() == {1} and shop.version_ready(1) and not shop.version_ready(candidate)
    assert store.serving() == 1

    time.sleep(TritonTextEncoder.VERSION_TTL_S + 0.2)
    body = client.post("/v1/search", json={"query": AFTER, "user_id": "u-after", "size": 5}).json()
    calls = spy.take()
    assert body["hits"] and [(version, answered) for _, version, answered, _ in calls] == [(1, 1)]
    texts, _, _, got = calls[0]
    assert np.allclose(got, serving_model.encode(list(texts), normalize_embeddings=True), atol=1e-4)
    assert services.impressions.flush()
    assert "interleaving" not in services.events.impression(body["search_id"]).extra
