"""`score` in a search answer has one meaning whatever ranker version ordered the list: relevance in
0..1 within the answer (engine.pipeline.relevance), with the raw ranker output under `debug`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.present import relevance
from engine.pipeline.relevance import assign_relevance, unit_interval
from engine.pipeline.types import RankedHit
from engine.ranking.features import CandidateSignals
from tests.unit.gateway_fakes import PriorRanker, make_services


class AffineRanker(PriorRanker):
    """Another version's output range for the same order: `scale * prior + shift`."""

    def __init__(self, version: int, scale: float, shift: float, weights: dict[str, float] | None = None):
        super().__init__(version=version, weights=weights)
        self.scale, self.shift = scale, shift

    def score(self, features: np.ndarray) -> np.ndarray:
        return super().score(features) * self.scale + self.shift


def _hit(pid: str, fused: float, ranker: float | None = None) -> RankedHit:
    return RankedHit(CandidateSignals(pid, fused_score=fused), ranker_score=ranker)


def test_ranker_scores_are_scaled_over_the_ranked_head_and_the_tail_has_none() -> None:
    hits = [_hit("a", 0.9, 3.7), _hit("b", 0.8, -4.7), _hit("c", 0.7, -0.5), _hit("d", 0.95)]
    assign_relevance(hits)
    assert [h.relevance for h in hits[:3]] == pytest.approx([1.0, 0.0, 0.5])
    assert hits[3].relevance is None and relevance(hits[3]) == 0.0  # what an answer reports


def test_without_a_ranker_the_fused_scores_are_scaled() -> None:
    hits = [_hit("a", 25.6), _hit("b", 12.8), _hit("c", 0.0)]
    assign_relevance(hits)
    assert [h.relevance for h in hits] == pytest.approx([1.0, 0.5, 0.0])


def test_equal_and_missing_scores() -> None:
    assert unit_interval(np.array([2.0, 2.0])).tolist() == [1.0, 1.0]
    assert unit_interval(np.array([1.0, np.nan, 3.0])).tolist() == [0.0, 0.0, 1.0]
    assert unit_interval(np.array([np.nan])).tolist() == [0.0]
    assign_relevance([])  # nothing to scale


@pytest.fixture
def client_and_inference(tmp_path: Path):
    services = make_services(tmp_path)
    try:
        with TestClient(create_app(services)) as client:
            yield client, services.inference
    finally:
        services.close()


def _search(client: TestClient) -> dict:
    response = client.post("/v1/search", json={"query": "running shoes", "size": 5, "debug": True})
    assert response.status_code == 200, response.text
    return response.json()


def test_two_ranker_versions_answer_on_the_same_scale(client_and_inference) -> None:
    client, inference = client_and_inference
    inference.prior = PriorRanker(version=1)
    first = _search(client)
    inference.prior = AffineRanker(version=2, scale=8.4, shift=-4.7)  # same order, −4.7..3.7
    second = _search(client)
    assert (first["ranker_version"], second["ranker_version"]) == (1, 2)
    raw_first = [h["debug"]["ranker_score"] for h in first["hits"]]
    raw_second = [h["debug"]["ranker_score"] for h in second["hits"]]
    assert raw_second == pytest.approx([8.4 * r - 4.7 for r in raw_first], rel=1e-4)
    assert len(raw_first) >= 2 and max(raw_second) > 1.0 >= max(raw_first)  # different raw scales ...
    assert [h["id"] for h in first["hits"]] == [h["id"] for h in second["hits"]]
    # ... the reported scores are not: the same order reads the same, the best candidate is 1
    scores = [h["score"] for h in first["hits"]]
    assert [h["score"] for h in second["hits"]] == pytest.approx(scores, abs=1e-5)
    assert first["hits"][0]["score"] == pytest.approx(1.0)


def test_a_differently_trained_version_stays_within_zero_and_one(client_and_inference) -> None:
    client, inference = client_and_inference
    inference.prior = AffineRanker(version=3, scale=25.6, shift=0.0, weights={"title_overlap": 1.0})
    answer = _search(client)
    scores = [h["score"] for h in answer["hits"]]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True) and scores[0] == pytest.approx(1.0)
    assert max(h["debug"]["ranker_score"] for h in answer["hits"]) > 1.0
