"""The HTTP API over fakes: schemas, error mapping, auth, events, recommendations, health, metrics."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.unit.gateway_fakes import CATALOG, make_services

AUTH = {"Authorization": "Bearer secret"}


SERVED_OPTIONS = dict(clip=True)


@pytest.fixture
def client(served):
    return served[0]


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    assert "Traceback" not in response.text
    return body


def test_search_returns_hits_facets_and_a_search_id(client: TestClient) -> None:
    response = client.post("/v1/search", json={"query": "running shoes", "size": 2, "facets": ["brand"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["hits"]) == 2 and body["total"] >= 2 and body["search_id"]
    assert body["ranker_version"] == 1 and body["pipeline"] == "full" and body["degraded"] == []
    assert set(body["hits"][0]) >= {
        "id",
        "title",
        "brand",
        "price",
        "currency",
        "availability",
        "image",
        "score",
    }
    assert body["hits"][0]["debug"] is None and body["timings_ms"] is None
    assert {f["value"] for f in body["facets"]["brand"]} >= {"Acme"}


def test_debug_shows_stage_scores(client: TestClient) -> None:
    body = client.post("/v1/search", json={"query": "running shoes", "debug": True}).json()
    debug = body["hits"][0]["debug"]
    assert debug["ranker_version"] == 1 and debug["fused_rank"] >= 1 and debug["ranker_score"] is not None
    assert len(debug["features"]) == 18 and "lexical" in body["timings_ms"]


@pytest.mark.parametrize(
    ("payload", "what"),
    [
        ({"query": ""}, "empty"),
        ({"query": "  \n "}, "blank"),
        ({"query": "x" * 65}, "too long"),
        ({"query": "shoes", "size": 101}, "size over 100"),
        ({"query": "shoes", "page": 0}, "page 0"),
        ({"query": "shoes", "sort": "cheapest"}, "unknown sort"),
        ({"query": "shoes", "facets": ["colour"]}, "unknown facet"),
        ({"query": "shoes", "unknown": 1}, "unknown field"),
        ({"query": "shoes", "image": "***"}, "bad base64"),
        ({"query": 5}, "wrong type"),
    ],
)
def test_search_rejects_bad_requests_with_422(client: TestClient, payload: dict, what: str) -> None:
    assert_error(client.post("/v1/search", json=payload), 422, "invalid_input")


def test_malformed_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/v1/search", content=b'{"query": "shoes"', headers={"content-type": "application/json"}
    )
    assert_error(response, 422, "invalid_input")


def test_any_unicode_query_works(client: TestClient) -> None:
    for query in ("Küchenmesser", "東京 カップ", "🏃 shoes", "naïve café\u0301", "\u202e"):
        assert client.post("/v1/search", json={"query": query}).status_code == 200, query


def test_image_search_json_and_multipart(client: TestClient) -> None:
    # The fake CLIP embeds image bytes by hash: the same bytes as p1's image find p1 first.
    image = b"img-p1"
    as_json = client.post("/v1/search", json={"image": base64.b64encode(image).decode(), "size": 1}).json()
    assert as_json["hits"][0]["id"] == "p1"
    upload = client.post("/v1/search", files={"image": ("q.png", image, "image/png")}, data={"size": "1"})
    assert upload.status_code == 200, upload.text
    assert upload.json()["hits"][0]["id"] == "p1"


def test_unknown_product_is_404(client: TestClient) -> None:
    assert client.get("/v1/products/p1").json()["title"] == "Red running shoes"
    assert_error(client.get("/v1/products/nope"), 404, "not_found")
    assert_error(client.get("/v1/products/nope/similar"), 404, "not_found")
    assert_error(client.get("/v2/whatever"), 404, "not_found")


def test_similar_excludes_the_item_and_unavailable_ones(client: TestClient) -> None:
    body = client.get("/v1/products/p4/similar", params={"size": 10}).json()
    ids = [h["id"] for h in body["hits"]]
    assert "p4" not in ids and "p5" not in ids  # p5 is out of stock
    assert len(ids) == sum(1 for p in CATALOG if p.available) - 1
    assert_error(client.get("/v1/products/p4/similar", params={"space": "audio"}), 422, "invalid_input")


def test_writes_need_the_api_key(client: TestClient) -> None:
    product = {"id": "p9", "title": "Steel water bottle", "brand": "Acme", "category": "Sports > Outdoor"}
    assert_error(client.post("/v1/products", json=product), 401, "unauthorized")
    bad = {"Authorization": "Bearer wrong"}
    assert_error(client.post("/v1/products", json=product, headers=bad), 403, "forbidden")
    assert_error(client.delete("/v1/products/p1", headers=bad), 403, "forbidden")
    created = client.post("/v1/products", json=product, headers=AUTH)
    assert created.status_code == 200 and created.json()["ids"] == ["p9"]
    assert client.get("/v1/products/p9").json()["category"] == ["Sports", "Outdoor"]
    hits = client.post("/v1/search", json={"query": "water bottle"}).json()["hits"]
    assert hits[0]["id"] == "p9"
    assert client.delete("/v1/products/p9", headers=AUTH).status_code == 200
    assert_error(client.get("/v1/products/p9"), 404, "not_found")
    assert_error(client.delete("/v1/products/p9", headers=AUTH), 404, "not_found")
    assert_error(client.post("/v1/products", json={"id": "x"}, headers=AUTH), 422, "invalid_input")


def test_writes_refused_without_a_configured_key(tmp_path: Path) -> None:
    services = make_services(tmp_path, api_key=None)
    with TestClient(create_app(services)) as client:
        body = assert_error(
            client.post("/v1/products", json={"id": "a", "title": "A"}, headers=AUTH), 403, "forbidden"
        )
        assert "AISLE_API_KEY" in body["error"]["message"]
    services.close()


def test_an_upserted_product_without_currency_takes_the_shops(tmp_path: Path) -> None:
    services = make_services(tmp_path, currency="EUR")
    with TestClient(create_app(services)) as client:
        products = [
            {"id": "e1", "title": "Hammer", "price": 12.5},
            {"id": "e2", "title": "Saw", "currency": "chf"},
        ]
        assert client.post("/v1/products", json=products, headers=AUTH).status_code == 200
        assert [client.get(f"/v1/products/{pid}").json()["currency"] for pid in ("e1", "e2")] == [
            "EUR",
            "CHF",
        ]
    services.close()


def test_a_product_sent_unpublished_leaves_search_and_is_not_stored(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    with TestClient(create_app(services)) as client:
        assert (
            client.post("/v1/products", json={"id": "h1", "title": "Hammer"}, headers=AUTH).status_code == 200
        )
        assert client.get("/v1/products/h1").status_code == 200
        body = [{"id": "h1", "title": "Hammer", "published": "draft"}, {"id": "s1", "title": "Saw"}]
        answer = client.post("/v1/products", json=body, headers=AUTH)
        assert answer.status_code == 200
        assert answer.json() == {"upserted": 1, "ids": ["s1"], "unpublished": ["h1"]}
        assert client.get("/v1/products/h1").status_code == 404
        assert client.get("/v1/products/s1").status_code == 200
    services.close()


def test_a_product_on_sale_answers_its_regular_price_beside_the_price(tmp_path: Path) -> None:
    services = make_services(tmp_path, currency="EUR")
    with TestClient(create_app(services)) as client:
        body = [
            {"id": "s1", "title": "Chef knife", "price": "89,00 €", "sale_price": "69,00 €"},
            {"id": "s2", "title": "Bread knife", "price": 49, "regular_price": 39},  # an attribute, no sale
            {
                "id": "s3",
                "title": "Paring knife",
                "price": 20,
                "sale_percent": "25%",
                "sale_to": "2090-01-31",
            },
            {"id": "s4", "title": "Cheese knife", "price": 30, "sale_price": 20, "sale_to": "2020-01-31"},
        ]
        assert client.post("/v1/products", json=body, headers=AUTH).status_code == 200
        hits = {h["id"]: h for h in client.post("/v1/search", json={"query": "knife"}).json()["hits"]}
        assert (hits["s1"]["price"], hits["s1"]["regular_price"], hits["s1"]["sale_ends"]) == (
            69.0,
            89.0,
            None,
        )
        assert (hits["s2"]["price"], hits["s2"]["regular_price"]) == (49.0, None)
        assert (hits["s3"]["price"], hits["s3"]["regular_price"]) == (15.0, 20.0)  # a quarter off
        assert hits["s3"]["sale_ends"] == "2090-02-01T00:00:00Z"  # the whole last day is in the sale
        assert (hits["s4"]["price"], hits["s4"]["regular_price"], hits["s4"]["sale_ends"]) == (
            30.0,
            None,
            None,
        )
    services.close()


def test_events_are_durable_idempotent_and_flag_unknown_searches(served) -> None:
    client, services = served
    search_id = client.post("/v1/search", json={"query": "chef knife"}).json()["search_id"]
    event = {
        "type": "click",
        "product_id": "p4",
        "search_id": search_id,
        "position": 1,
        "user_id": "u1",
        "event_id": "e-1",
    }
    first = client.post("/v1/events", json=event)
    assert first.status_code == 202 and first.json()["unknown_search_ids"] == []
    again = client.post("/v1/events", json=[event, {**event, "event_id": "e-2", "search_id": "unknown"}])
    assert again.status_code == 202
    assert again.json()["offsets"][0] == first.json()["offsets"][0]
    assert again.json()["unknown_search_ids"] == ["unknown"]
    assert services.events.counts()["click"] == 2  # durable before the 202, and the retry stored once
    assert services.stats.action_count("p4") == 2.0
    services.impressions.flush()
    assert services.events.impression(search_id) is not None


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "like", "product_id": "p1"},
        {"type": "click"},
        {"type": "click", "product_id": "p1", "position": 0},
        {"type": "click", "product_id": "p1", "timestamp": 4e12},
        [],
    ],
)
def test_bad_events_are_422(client: TestClient, payload) -> None:
    assert_error(client.post("/v1/events", json=payload), 422, "invalid_input")


def test_recommendations_personalise_after_clicks(client: TestClient) -> None:
    new = client.get("/v1/recommendations", params={"user_id": "newbie", "size": 3}).json()
    assert new["strategy"] == "popular"
    assert [h["id"] for h in new["hits"]] == ["p4", "p6", "p1"]  # most popular available items
    events = [
        {"type": "purchase", "product_id": "p3", "user_id": "runner", "event_id": f"r{i}"} for i in range(2)
    ]
    events.append({"type": "click", "product_id": "p7", "user_id": "runner", "event_id": "r3"})
    assert client.post("/v1/events", json=events).status_code == 202
    personal = client.get("/v1/recommendations", params={"user_id": "runner", "size": 3}).json()
    assert personal["strategy"] == "personal" and personal["ranker_version"] == 1
    ids = [h["id"] for h in personal["hits"]]
    assert ids != [h["id"] for h in new["hits"]] and not {"p3", "p7"} & set(ids)
    assert_error(client.get("/v1/recommendations"), 422, "invalid_input")


def test_search_degrades_to_the_side_that_answers_and_is_503_when_none_does(served) -> None:
    client, services = served
    services.lexical.down = True
    degraded = client.post("/v1/search", json={"query": "running shoes"})
    assert degraded.status_code == 200 and degraded.json()["degraded"] == ["lexical"]
    services.lexical.down = False
    services.inference.encoder_down = True
    lexical_only = client.post("/v1/search", json={"query": "running socks today"}).json()
    assert lexical_only["degraded"] == ["dense"] and lexical_only["hits"]
    assert_error(
        client.post("/v1/search", json={"query": "running socks today", "pipeline": "dense"}),
        503,
        "backend_unavailable",
    )
    metrics = client.get("/metrics").text
    assert 'aisle_degraded_responses_total{part="lexical"} 1.0' in metrics
    assert 'aisle_degraded_responses_total{part="dense"} 1.0' in metrics
    assert 'aisle_backend_errors_total{backend="triton"} 1.0' in metrics


def test_health_and_readiness(served) -> None:
    client, services = served
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["triton"]["clip"] == "on"
    services.lexical.down = True
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503 and not_ready.json()["checks"]["lexical"]["ok"] is False


def test_not_ready_without_an_index(tmp_path: Path) -> None:
    services = make_services(tmp_path, built=False, products=())
    with TestClient(create_app(services)) as client:
        body = client.get("/readyz")
        assert body.status_code == 503 and "indexer build" in body.json()["checks"]["index"]["error"]
    services.close()


def test_metrics_expose_latency_and_ranker_version(client: TestClient) -> None:
    client.post("/v1/search", json={"query": "knife"})
    client.post("/v1/search", json={"query": "   "})
    text = client.get("/metrics").text
    assert 'aisle_request_seconds_count{method="POST",route="/v1/search",status="200"} 1.0' in text
    assert 'aisle_request_seconds_count{method="POST",route="/v1/search",status="422"} 1.0' in text
    assert 'aisle_stage_seconds_count{stage="ranker"}' in text
    assert "aisle_ranker_version 1.0" in text


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {
        "/v1/search",
        "/v1/events",
        "/v1/products",
        "/v1/products/{product_id}/similar",
        "/v1/recommendations",
        "/readyz",
    } <= set(spec["paths"])
    content = spec["paths"]["/v1/search"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(content)


def test_cli_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    from api.cli import build_parser

    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["serve", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--workers" in out and "gateway serve --host 0.0.0.0 --port 9000" in out
    args = build_parser().parse_args(["serve", "--port", "9001", "--workers", "2"])
    assert (args.port, args.workers, args.host) == (9001, 2, None)


def test_searches_beyond_the_concurrency_limit_wait_their_turn(tmp_path: Path) -> None:
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    services = make_services(tmp_path, search_concurrency=2)
    running = peak = 0
    lock = threading.Lock()
    search = services.pipeline.search

    def slow_search(query):
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        try:
            return search(query)
        finally:
            with lock:
                running -= 1

    services.pipeline.search = slow_search  # type: ignore[method-assign]
    with TestClient(create_app(services)) as client, ThreadPoolExecutor(6) as pool:
        statuses = list(
            pool.map(
                lambda _: client.post("/v1/search", json={"query": "running shoes"}).status_code, range(6)
            )
        )
    services.close()
    assert statuses == [200] * 6
    assert peak == 2


def test_a_search_that_waits_too_long_for_a_slot_is_refused_as_overloaded(tmp_path: Path) -> None:
    """Offered more searches than it can serve, a process refuses those that waited AISLE_SEARCH_QUEUE_S
    instead of queueing them without bound; the one running still answers."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    services = make_services(tmp_path, search_concurrency=1, search_queue_s=0.2)
    search = services.pipeline.search
    started = threading.Event()

    def slow_search(query):
        started.set()
        time.sleep(1.0)
        return search(query)

    services.pipeline.search = slow_search  # type: ignore[method-assign]
    with TestClient(create_app(services)) as client, ThreadPoolExecutor(3) as pool:
        first = pool.submit(client.post, "/v1/search", json={"query": "running shoes"})
        assert started.wait(10)
        waiting = [pool.submit(client.post, "/v1/search", json={"query": "running shoes"}) for _ in range(2)]
        refused = [future.result() for future in waiting]
        assert first.result().status_code == 200
        metrics = client.get("/metrics").text
    services.close()
    for response in refused:
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        assert response.json()["error"]["code"] == "overloaded"
        assert "waited 0.2 s" in response.json()["error"]["message"]
    assert "aisle_searches_refused_total 2.0" in metrics


def test_warming_the_product_cache_settles_the_heap(tmp_path: Path) -> None:
    import gc

    from engine.services import FULL_COLLECTION_EVERY

    services = make_services(tmp_path)
    thresholds = gc.get_threshold()
    try:
        services.warm_products().join(30)
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[2] == FULL_COLLECTION_EVERY  # full collections made rarer
        assert len(services.pipeline.products) == len(CATALOG)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        services.close()
