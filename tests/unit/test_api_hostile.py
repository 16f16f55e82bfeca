"""Hostile and malformed requests: body limits, filter limits, bad characters, loose values.

Each case is answered 4xx with the JSON error body naming what is wrong, before any backend sees it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.unit.gateway_fakes import make_services
from tests.unit.test_api import AUTH, assert_error

JSON = {"content-type": "application/json"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    services = make_services(tmp_path, max_body_bytes=64 * 1024)
    with TestClient(create_app(services)) as client:
        yield client
    services.close()


# --- body size ----------------------------------------------------------------------------------------
def test_a_declared_large_body_is_refused_413(client: TestClient) -> None:
    body = json.dumps({"query": "shoes", "filters": {"brand": ["x" * 100] * 1000}}).encode()
    assert len(body) > 64 * 1024
    assert_error(client.post("/v1/search", content=body, headers=JSON), 413, "too_large")
    assert_error(client.post("/v1/products", content=body, headers={**JSON, **AUTH}), 413, "too_large")


def test_a_streamed_body_is_cut_off_at_the_limit(client: TestClient) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"query": "shoes", "user_id": "'
        for _ in range(1000):  # 1 MB if read to the end
            sent += 1
            yield b"x" * 1024
        yield b'"}'

    response = client.post("/v1/events", content=chunks(), headers=JSON)
    assert_error(response, 413, "too_large")
    assert "AISLE_MAX_BODY_BYTES" in response.json()["error"]["message"]


def test_a_multipart_upload_over_the_limit_is_413(client: TestClient) -> None:
    files = {"image": ("q.png", b"\x89PNG" + b"0" * 100_000, "image/png")}
    assert_error(client.post("/v1/search", files=files), 413, "too_large")


def test_the_limit_is_a_setting(tmp_path: Path) -> None:
    services = make_services(tmp_path, max_body_bytes=2 * 1024 * 1024)
    with TestClient(create_app(services)) as client:
        body = {"query": "shoes", "user_id": "u" * 200, "filters": {"brand": ["Acme"]}}
        assert client.post("/v1/search", json=body).status_code == 200
    services.close()


# --- filter and string limits -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"brand": [f"b{i}" for i in range(1001)]}, "filters.brand"),
        ({"attributes": {f"a{i}": "x" for i in range(1001)}}, "filters.attributes"),
        ({"attributes": {"color": [f"c{i}" for i in range(1001)]}}, "filters.attributes"),
        ({"category": ["x"] * 50}, "filters.category"),
        ({"brand": ["x" * 5000]}, "filters.brand"),
        ({"attributes": {"x" * 5000: "red"}}, "filters.attributes"),
    ],
)
def test_oversized_filters_are_422_naming_the_field(client: TestClient, filters: dict, field: str) -> None:
    response = client.post("/v1/search", json={"query": "shoes", "filters": filters})
    body = assert_error(response, 422, "invalid_input")
    assert field in body["error"]["message"]


def test_a_price_range_with_its_ends_swapped_is_422(client: TestClient) -> None:
    response = client.post(
        "/v1/search", json={"query": "shoes", "filters": {"price": {"min": 30, "max": 10}}}
    )
    body = assert_error(response, 422, "invalid_input")
    assert (
        "filters.price" in body["error"]["message"]
        and "min (30) is above max (10)" in body["error"]["message"]
    )
    equal = {"query": "shoes", "filters": {"price": {"min": 10, "max": 10}}}
    assert client.post("/v1/search", json=equal).status_code == 200


def test_one_brand_may_be_sent_as_a_string_like_a_category(client: TestClient) -> None:
    one = client.post(
        "/v1/search", json={"query": "shoes", "filters": {"brand": "Acme"}, "facets": ["brand"]}
    )
    listed = client.post(
        "/v1/search", json={"query": "shoes", "filters": {"brand": ["Acme"]}, "facets": ["brand"]}
    )
    assert one.status_code == listed.status_code == 200
    assert [h["id"] for h in one.json()["hits"]] == [h["id"] for h in listed.json()["hits"]]
    assert one.json()["total"] == listed.json()["total"] > 0


def test_facet_names_are_bounded(client: TestClient) -> None:
    response = client.post("/v1/search", json={"query": "shoes", "facets": ["attr." + "x" * 5000]})
    assert_error(response, 422, "invalid_input")


# --- characters -----------------------------------------------------------------------------------------
LONE_SURROGATE = '"\\ud800"'  # valid JSON text that decodes to an unpaired UTF-16 half


@pytest.mark.parametrize("bad", [LONE_SURROGATE, '"a\\u0000b"', '"a\\u001bb"', '"\\udfff x"'])
def test_bad_characters_in_a_search_are_422(client: TestClient, bad: str) -> None:
    for template in (
        '{"query": %s}',
        '{"query": "shoes", "user_id": %s}',
        '{"query": "shoes", "filters": {"brand": [%s]}}',
        '{"query": "shoes", "filters": {"attributes": {%s: "x"}}}',
    ):
        response = client.post("/v1/search", content=(template % bad).encode(), headers=JSON)
        assert_error(response, 422, "invalid_input")


@pytest.mark.parametrize("field", ["id", "title", "description", "brand", "category", "image", "colour"])
def test_bad_characters_in_a_product_are_422(client: TestClient, field: str) -> None:
    product = {"id": "p9", "title": "Bottle", field: "x"}
    raw = json.dumps(product).replace('"x"', LONE_SURROGATE)
    response = client.post("/v1/products", content=raw.encode(), headers={**JSON, **AUTH})
    body = assert_error(response, 422, "invalid_input")
    assert field in body["error"]["message"]


def test_bad_characters_in_an_attribute_value_are_422(client: TestClient) -> None:
    raw = '{"id": "p9", "title": "Bottle", "attributes": {"color": "re\\u0007d"}}'
    response = client.post("/v1/products", content=raw.encode(), headers={**JSON, **AUTH})
    assert "attributes" in assert_error(response, 422, "invalid_input")["error"]["message"]


def test_bad_characters_in_an_event_are_422(client: TestClient) -> None:
    raw = '{"type": "click", "product_id": ' + LONE_SURROGATE + "}"
    assert_error(client.post("/v1/events", content=raw.encode(), headers=JSON), 422, "invalid_input")


def test_tabs_and_line_breaks_stay_allowed_in_text(client: TestClient) -> None:
    product = {"id": "p9", "title": "Bottle", "description": "Steel.\n\tKeeps cold.\r\n"}
    assert client.post("/v1/products", json=product, headers=AUTH).status_code == 200
    assert client.get("/v1/products/p9").json()["description"].startswith("Steel.\n\tKeeps")


# --- loose values -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("attributes", [" ", "", "[1, 2]", "not json", 5])
def test_a_blank_or_wrong_attributes_value_is_422(client: TestClient, attributes: object) -> None:
    product = {"id": "p9", "title": "Bottle", "attributes": attributes}
    response = client.post("/v1/products", json=product, headers=AUTH)
    if attributes == "":
        assert response.status_code == 200, response.text  # an empty CSV cell means "not given"
        assert client.get("/v1/products/p9").json()["attributes"] == {}
    else:
        assert "attributes" in assert_error(response, 422, "invalid_input")["error"]["message"]


@pytest.mark.parametrize("price", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_prices_are_422(client: TestClient, price: str) -> None:
    raw = f'{{"id": "p9", "title": "Bottle", "price": {price}}}'
    response = client.post("/v1/products", content=raw.encode(), headers={**JSON, **AUTH})
    assert "price" in assert_error(response, 422, "invalid_input")["error"]["message"]
    assert_error(client.get("/v1/products/p9"), 404, "not_found")


def test_non_finite_search_prices_are_422(client: TestClient) -> None:
    raw = '{"query": "shoes", "filters": {"price": {"max": Infinity}}}'
    assert_error(client.post("/v1/search", content=raw.encode(), headers=JSON), 422, "invalid_input")


@pytest.mark.parametrize("timestamp", ["false", "true", '"1700000000"', "NaN", "Infinity"])
def test_event_timestamps_must_be_numbers(client: TestClient, timestamp: str) -> None:
    raw = f'{{"type": "click", "product_id": "p1", "timestamp": {timestamp}}}'
    response = client.post("/v1/events", content=raw.encode(), headers=JSON)
    assert "timestamp" in assert_error(response, 422, "invalid_input")["error"]["message"]


@pytest.mark.parametrize(
    "image", ["/etc/passwd", "file:///etc/passwd", "../../secret.png", "C:\\x.png", "ftp://h/x.png"]
)
def test_api_product_images_must_be_http_urls(client: TestClient, image: str) -> None:
    product = {"id": "p9", "title": "Bottle", "image": image}
    response = client.post("/v1/products", json=product, headers=AUTH)
    assert "image" in assert_error(response, 422, "invalid_input")["error"]["message"]


def test_an_http_image_url_is_kept(client: TestClient) -> None:
    product = {"id": "p9", "title": "Bottle", "image": "https://cdn.example.com/p9.jpg"}
    assert client.post("/v1/products", json=product, headers=AUTH).status_code == 200
    assert client.get("/v1/products/p9").json()["image"] == "https://cdn.example.com/p9.jpg"


# --- error bodies -----------------------------------------------------------------------------------------
def test_503_bodies_carry_no_internals(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    with TestClient(create_app(services)) as client:
        services.lexical.down = True  # type: ignore[attr-defined]
        services.lexical.reason = "ConnectionError(<urllib3 ...>) to 10.1.2.3:9200: Connection refused"  # type: ignore[attr-defined]
        response = client.post("/v1/search", json={"query": "shoes", "pipeline": "bm25"})
        body = assert_error(response, 503, "backend_unavailable")
        assert "opensearch" in body["error"]["message"]
        assert "9200" not in response.text and "10.1.2.3" not in response.text
        assert "ConnectionError" not in response.text
    services.close()
