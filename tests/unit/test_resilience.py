"""Circuit breakers and what the gateway does with a hung or dead backend (over fakes).

A hung OpenSearch is modelled by a lexical fake whose calls wait out a deadline and then fail, as the
real client does at `AISLE_OPENSEARCH_READ_TIMEOUT_S`; tests/integration/test_faults.py does the same
against a real OpenSearch stopped with SIGSTOP.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from engine.errors import BackendUnavailable, IndexUnreadable, InvalidInput
from engine.events.embedded import EmbeddedEventLog
from engine.lexical.guarded import GuardedLexical
from engine.pipeline.types import PipelineConfig
from engine.records import Filters, Product, ScoredId
from engine.resilience import CLOSED, HALF_OPEN, OPEN, CircuitBreaker
from tests.unit.gateway_fakes import CATALOG, FlakyLexical, GatewayInference, MemoryCatalog
from tests.unit.test_api import assert_error


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def fail() -> None:
    raise BackendUnavailable("opensearch", "timed out")


def test_breaker_opens_after_failures_in_a_row_and_refuses_at_once() -> None:
    clock = Clock()
    breaker = CircuitBreaker("opensearch", failures=3, reset_s=5.0, clock=clock)
    for _ in range(2):
        with pytest.raises(BackendUnavailable):
            breaker.call(fail)
    assert breaker.call(lambda: 7) == 7  # a success resets the count
    for _ in range(3):
        with pytest.raises(BackendUnavailable):
            breaker.call(fail)
    assert breaker.state == OPEN and breaker.stats.opened == 1
    calls = []
    with pytest.raises(BackendUnavailable, match="circuit open"):
        breaker.call(calls.append, 1)
    assert calls == [] and breaker.stats.refused == 1 and breaker.stats.failures == 5


def test_a_refusal_repeats_what_the_last_failure_told_callers() -> None:
    breaker = CircuitBreaker("opensearch", failures=1, reset_s=5.0, clock=Clock())

    def unreadable() -> None:
        raise IndexUnreadable("lexical", "/data/lexical/gen-1: schema 3, this version reads 4")

    with pytest.raises(IndexUnreadable):
        breaker.call(unreadable)
    with pytest.raises(BackendUnavailable, match="circuit open") as refused:
        breaker.call(lambda: None)
    assert refused.value.public is not None and "indexer build --force" in refused.value.public
    assert "/data" not in refused.value.public


def test_half_open_lets_one_trial_through_then_closes_or_reopens() -> None:
    clock = Clock()
    breaker = CircuitBreaker("triton", failures=1, reset_s=5.0, clock=clock)
    with pytest.raises(BackendUnavailable):
        breaker.call(fail)
    clock.now = 5.0
    assert breaker.state == HALF_OPEN
    with pytest.raises(BackendUnavailable, match="timed out"):
        breaker.call(fail)  # the trial fails: open for another reset_s
    assert breaker.state == OPEN and breaker.stats.opened == 2
    clock.now = 9.9
    assert breaker.state == OPEN
    clock.now = 10.0
    assert breaker.call(lambda: "ok") == "ok" and breaker.state == CLOSED


def test_only_backend_failures_count() -> None:
    breaker = CircuitBreaker("opensearch", failures=1)

    def reject() -> None:
        raise InvalidInput("bad query")

    for _ in range(3):
        with pytest.raises(InvalidInput):
            breaker.call(reject)
    assert breaker.state == CLOSED and breaker.stats.failures == 0


def test_failures_the_breaker_does_not_count_leave_it_as_it_was() -> None:
    clock = Clock()
    breaker = CircuitBreaker(
        "triton", failures=1, reset_s=5.0, clock=clock, counts=lambda exc: "deadline" in str(exc)
    )

    def refused() -> None:
        raise BackendUnavailable("triton", "connection refused")

    def waited() -> None:
        raise BackendUnavailable("triton", "deadline exceeded")

    with pytest.raises(BackendUnavailable, match="refused"):
        breaker.call(refused)
    assert breaker.state == CLOSED and breaker.stats.failures == 0
    with pytest.raises(BackendUnavailable, match="deadline"):
        breaker.call(waited)
    assert breaker.state == OPEN
    clock.now = 5.0
    with pytest.raises(BackendUnavailable, match="refused"):
        breaker.call(refused)  # a trial that ended in an uncounted failure
    assert breaker.state == HALF_OPEN  # the next call is the trial again
    assert breaker.call(lambda: 1) == 1 and breaker.state == CLOSED


class HungLexical(FlakyLexical):
    """Every call waits `deadline_s` and then fails, like a client timing out on a stopped server."""

    def __init__(self, directory: Path, deadline_s: float) -> None:
        super().__init__(directory, directory / "synonyms.json")
        self.deadline_s = deadline_s
        self.hung = False
        self.calls = 0

    def _check(self) -> None:
        if self.hung:
            self.calls += 1
            time.sleep(self.deadline_s)
            raise BackendUnavailable("opensearch", "ConnectionTimeout to 10.0.0.5:9200 (read timeout=0.3)")

    def get(self, ids):  # type: ignore[no-untyped-def]
        self._check()
        return super().get(ids)

    def ping(self) -> bool:
        if self.hung:
            time.sleep(self.deadline_s)
            return False
        return True


@pytest.fixture
def hung(tmp_path: Path):
    raw = HungLexical(tmp_path / "lexical", deadline_s=0.3)
    breaker = CircuitBreaker("opensearch", failures=2, reset_s=60.0)
    lexical = GuardedLexical(raw, breaker)
    inference = GatewayInference()
    catalog = MemoryCatalog(raw, inference)
    catalog.upsert(list(CATALOG))
    from engine.config import load_settings

    settings = load_settings(data_dir=tmp_path, api_key="secret", max_query_chars=64)
    services = Services.assemble(
        settings,
        lexical,
        inference,
        catalog,
        EmbeddedEventLog(tmp_path / "events.sqlite3"),
        PipelineConfig(max_query_chars=64, lexical_depth=5, dense_depth=5),
        breakers=[breaker],
    )
    services.warm_products().join()
    with TestClient(create_app(services)) as client:
        yield client, raw, breaker
    services.close()


def timed(call):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    response = call()
    return response, time.perf_counter() - start


def test_a_hung_lexical_backend_degrades_searches_within_bounded_time(hung) -> None:
    client, raw, breaker = hung
    raw.hung = True
    longest = 0.0
    for _ in range(6):
        response, took = timed(lambda: client.post("/v1/search", json={"query": "running shoes"}))
        assert response.status_code == 200, response.text
        assert response.json()["degraded"] == ["lexical"] and response.json()["hits"]
        longest = max(longest, took)
    assert longest < 1.0
    assert breaker.state == OPEN and raw.calls == 2  # after two timeouts nothing waits on it any more
    metrics = client.get("/metrics").text
    assert 'aisle_breaker_state{backend="opensearch"} 2.0' in metrics
    assert 'aisle_breaker_refused_total{backend="opensearch"} 4.0' in metrics
    assert 'aisle_degraded_responses_total{part="lexical"} 6.0' in metrics


def test_similar_items_and_recommendations_answer_without_the_lexical_backend(hung) -> None:
    client, raw, _ = hung
    assert client.get("/v1/recommendations", params={"user_id": "u1"}).status_code == 200  # popular known
    raw.hung = True
    for _ in range(3):
        response, took = timed(lambda: client.get("/v1/products/p4/similar", params={"size": 3}))
        assert response.status_code == 200, response.text
        ids = [h["id"] for h in response.json()["hits"]]
        assert len(ids) == 3 and "p4" not in ids and "p5" not in ids  # p5 is out of stock
        assert took < 1.0
    response = client.get("/v1/recommendations", params={"user_id": "u1"})
    assert response.status_code == 200 and response.json()["strategy"] == "popular"


def test_readiness_answers_not_ready_in_bounded_time_without_internals(hung) -> None:
    client, raw, _ = hung
    raw.deadline_s = 5.0  # longer than the probe's own limit
    raw.hung = True
    response, took = timed(lambda: client.get("/readyz"))
    assert response.status_code == 503 and took < 2.0
    lexical = response.json()["checks"]["lexical"]
    assert lexical["ok"] is False and "9200" not in response.text
    assert response.json()["checks"]["triton"]["ok"] is True


def test_a_filtered_search_with_lexical_down_is_a_503_naming_only_the_backend(hung) -> None:
    client, raw, _ = hung
    raw.hung = True
    response = client.post("/v1/search", json={"query": "shoes", "filters": {"brand": ["Acme"]}})
    body = assert_error(response, 503, "backend_unavailable")
    assert body["error"]["message"] == "opensearch is unavailable; try again shortly"


def test_the_guard_passes_answers_through(tmp_path: Path) -> None:
    raw = FlakyLexical(tmp_path / "lexical", tmp_path / "synonyms.json")
    raw.upsert([Product("a", "Red lamp", brand="Lumo")])
    lexical = GuardedLexical(raw, CircuitBreaker("opensearch"))
    assert lexical.search("lamp", 5) == [ScoredId("a", lexical.search("lamp", 5)[0].score)]
    assert lexical.filter_ids(Filters(brands=("Lumo",))) == {"a"} and lexical.count() == 1
    assert lexical.get(["a"])["a"].title == "Red lamp" and lexical.ping()
    raw.down = True
    assert not lexical.ping()
