"""A hung Triton: the serving deadline, the breaker, and what the gateway answers meanwhile.

Against `FakeTriton` (Triton's gRPC protocol, in-process), which hangs the way a tritonserver stopped
by SIGSTOP does: calls are accepted and never answered. tests/integration/test_faults.py does the same
to a real tritonserver under load.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from engine.config import load_settings
from engine.errors import BackendUnavailable
from engine.events.embedded import EmbeddedEventLog
from engine.inference.base import EncoderInfo
from engine.inference.factory import create_inference
from engine.inference.triton import TritonInference
from engine.inference.triton_channel import TritonOutage, waited_out
from engine.lexical.synonyms import synonyms_path
from engine.pipeline.types import PipelineConfig
from engine.ports import free_port
from engine.resilience import CLOSED, OPEN, CircuitBreaker
from tests.unit.fake_triton import ENCODER_NAME, ENCODER_VERSION, FakeTriton
from tests.unit.gateway_fakes import CATALOG, FlakyLexical, GatewayInference, MemoryCatalog, PriorRanker

DEADLINE_S = 0.3


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def triton() -> Iterator[FakeTriton]:
    with FakeTriton(dim=64, ranker_weights=PriorRanker().weights) as server:
        yield server


def backend(server: FakeTriton, breaker: CircuitBreaker | None) -> TritonInference:
    return TritonInference(server.url, 30.0, serving_timeout_s=DEADLINE_S, breaker=breaker)


def timed(call):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    try:
        return call(), time.perf_counter() - start
    except BackendUnavailable as exc:
        return exc, time.perf_counter() - start


def test_a_hung_server_costs_a_serving_call_its_deadline_then_the_breaker_refuses_at_once(
    triton: FakeTriton,
) -> None:
    breaker = CircuitBreaker("triton", failures=2, reset_s=60.0, counts=waited_out)
    inference = backend(triton, breaker)
    encoder = inference.text_encoder()
    assert encoder.encode(["red shoes"]).shape == (1, 64)
    triton.hang()
    for _ in range(2):
        failure, took = timed(lambda: encoder.encode(["red shoes"]))
        assert isinstance(failure, TritonOutage) and DEADLINE_S * 0.9 <= took < DEADLINE_S + 0.5
    assert breaker.state == OPEN
    reached = triton.calls
    failure, took = timed(lambda: inference.ranker().score(np.ones((3, 30), np.float32)))
    assert isinstance(failure, BackendUnavailable) and "circuit open" in str(failure)
    assert took < DEADLINE_S / 3 and triton.calls == reached  # refused without asking the server
    status, took = timed(inference.ready)
    assert status == {"query_encoder": False, "clip": False, "ranker": False} and took < DEADLINE_S / 3
    inference.close()


def test_readiness_of_a_hung_server_costs_one_deadline_not_one_per_model(triton: FakeTriton) -> None:
    inference = backend(triton, None)
    assert inference.ready() == {"query_encoder": True, "clip": False, "ranker": True}
    triton.hang()
    status, took = timed(inference.ready)
    assert status == {"query_encoder": False, "clip": False, "ranker": False}
    assert took < DEADLINE_S * 2
    inference.close()


def test_bulk_calls_keep_their_long_deadline_and_pass_an_open_breaker(triton: FakeTriton) -> None:
    breaker = CircuitBreaker("triton", failures=1, reset_s=60.0, counts=waited_out)
    inference = backend(triton, breaker)
    products = inference.product_text_encoder()
    triton.hang()
    with pytest.raises(TritonOutage):
        inference.text_encoder().encode(["shoes"])
    assert breaker.state == OPEN
    # Product embedding waits for a slow server (here: resumed after 1 s, past the serving deadline).
    timer = threading.Timer(1.0, triton.resume)
    timer.start()
    vectors, took = timed(lambda: products.encode(["red shoes", "blue shoes"]))
    assert isinstance(vectors, np.ndarray) and vectors.shape == (2, 64) and took >= 0.9
    inference.close()


def test_a_model_answering_with_an_error_does_not_open_the_breaker(triton: FakeTriton) -> None:
    breaker = CircuitBreaker("triton", failures=1, reset_s=60.0, counts=waited_out)
    inference = backend(triton, breaker)
    triton.ranker_error = "ranker stub crashed"
    for _ in range(3):
        with pytest.raises(BackendUnavailable, match="ranker stub crashed") as failed:
            inference.ranker().score(np.ones((2, 30), np.float32))
        assert not isinstance(failed.value, TritonOutage)
    assert breaker.state == CLOSED and breaker.stats.failures == 0
    assert inference.text_encoder().encode(["shoes"]).shape == (1, 64)  # the encoder still serves
    inference.close()


def test_a_dead_server_fails_fast_without_opening_the_breaker_and_is_used_again_at_once() -> None:
    """A refused connection costs no wait: refusing it would only keep a restarted Triton unused
    until the breaker's next trial."""
    clock = Clock()
    breaker = CircuitBreaker("triton", failures=1, reset_s=60.0, clock=clock, counts=waited_out)
    # Nothing listens on the port: a server object that bound it without starting would accept
    # connections and never answer them, and would take a share of them from the restarted one.
    port = free_port()
    inference = TritonInference(f"127.0.0.1:{port}", 30.0, serving_timeout_s=DEADLINE_S, breaker=breaker)
    for _ in range(3):
        failure, took = timed(lambda: inference.text_encoder().encode(["shoes"]))
        assert isinstance(failure, TritonOutage) and not failure.waited and took < DEADLINE_S
    assert breaker.state == CLOSED and breaker.stats.failures == 0
    with FakeTriton(dim=64, port=port):  # started (again) on the same port
        deadline = time.monotonic() + 5.0
        while not isinstance(timed(lambda: inference.text_encoder().encode(["shoes"]))[0], np.ndarray):
            assert time.monotonic() < deadline, "not used again within 5 s"
            time.sleep(0.05)
    inference.close()


def test_the_gateway_gets_the_serving_deadline_and_a_breaker_and_batch_work_does_not(
    tmp_path: Path, triton: FakeTriton
) -> None:
    settings = load_settings(
        data_dir=tmp_path, triton_url=triton.url, triton_timeout_s=30, triton_serving_timeout_s=0.25
    )
    serving = create_inference(settings, serving=True)
    batch = create_inference(settings)
    assert isinstance(serving, TritonInference) and isinstance(batch, TritonInference)
    assert serving.breaker is not None and serving.breaker.backend == "triton"
    assert batch.breaker is None
    triton.hang()
    failure, took = timed(lambda: serving.text_encoder().encode(["shoes"]))
    assert isinstance(failure, TritonOutage) and took < 1.0
    serving.close()
    batch.close()


class TritonCatalog(MemoryCatalog):
    """The gateway fakes' catalog with a manifest naming its text space, as a real one does (the
    Triton query encoder is paired with it)."""

    @property
    def manifest(self) -> SimpleNamespace:  # type: ignore[override]
        encoders = {"text": EncoderInfo(ENCODER_NAME, ENCODER_VERSION, 64)}
        return SimpleNamespace(generation="test", count=self.lexical.count(), encoders=encoders)


@pytest.fixture
def gateway(tmp_path: Path, triton: FakeTriton):  # type: ignore[no-untyped-def]
    settings = load_settings(data_dir=tmp_path, api_key="secret", max_query_chars=64)
    lexical = FlakyLexical(tmp_path / "lexical", synonyms_path(settings))
    catalog = TritonCatalog(lexical, GatewayInference())  # vectors: the fake's own encoder
    catalog.upsert(list(CATALOG))
    clock = Clock()
    breaker = CircuitBreaker("triton", failures=2, reset_s=5.0, clock=clock, counts=waited_out)
    services = Services.assemble(
        settings,
        lexical,
        backend(triton, breaker),
        catalog,
        EmbeddedEventLog(tmp_path / "events.sqlite3"),
        PipelineConfig(max_query_chars=64, lexical_depth=5, dense_depth=5),
        breakers=[breaker],
    )
    services.warm_products().join()
    with TestClient(create_app(services)) as client:
        yield client, breaker, clock
    services.close()


def test_a_hung_triton_degrades_the_gateway_within_bounded_time_and_recovers(
    gateway, triton: FakeTriton
) -> None:
    client, breaker, clock = gateway
    full = client.post("/v1/search", json={"query": "running shoes"}).json()
    assert full["degraded"] == [] and full["hits"]
    assert client.get("/v1/recommendations", params={"user_id": "u1"}).status_code == 200
    triton.hang()
    longest = 0.0
    for query in ("trail jacket", "chef knife", "red shoes", "blue shoes", "kitchen"):
        response, took = timed(lambda q=query: client.post("/v1/search", json={"query": q}))
        assert response.status_code == 200, response.text
        assert response.json()["degraded"] == ["dense", "ranker"] and response.json()["hits"]
        longest = max(longest, took)
    # Before the breaker opens, a search waits out at most its encoder and ranker calls.
    assert longest < 3 * DEADLINE_S + 0.5 and breaker.state == OPEN
    similar, took = timed(lambda: client.get("/v1/products/p4/similar", params={"size": 3}))
    assert similar.status_code == 200 and took < 0.5, similar.text
    recommended, took = timed(lambda: client.get("/v1/recommendations", params={"user_id": "u1"}))
    assert recommended.status_code == 200 and took < 0.5, recommended.text
    response, took = timed(lambda: client.get("/readyz"))
    assert response.status_code == 503 and took < 0.5
    assert response.json()["checks"]["triton"]["ok"] is False and "127.0.0.1" not in response.text
    metrics = client.get("/metrics").text
    assert 'aisle_breaker_state{backend="triton"} 2.0' in metrics
    assert 'aisle_degraded_responses_total{part="dense"} 5.0' in metrics
    triton.resume()
    clock.now += 5.0  # the breaker lets its trial through
    response = client.post("/v1/search", json={"query": "trail jacket"})
    assert response.json()["degraded"] == [] and breaker.state == CLOSED
    assert client.get("/readyz").status_code == 200
