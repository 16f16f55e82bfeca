"""CORS on the public endpoints, by AISLE_CORS_ORIGINS: none by default; allowed origins get the preflight
and the answer headers on search and event endpoints, never on admin or catalog writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from engine.config import load_settings
from engine.errors import ConfigError
from tests.unit.gateway_fakes import make_services

SHOP = "https://shop.example"
QUERIES = "/1/indexes/*/queries"
SEARCH_BODY = {"requests": [{"indexName": "products", "query": "knife"}]}


def _client(tmp_path: Path, origins: list[str]) -> Iterator[TestClient]:
    services = make_services(tmp_path, cors_origins=origins)
    with TestClient(create_app(services)) as client:
        yield client
    services.close()


@pytest.fixture
def allowed(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(tmp_path, [SHOP, "http://localhost:3000"])


@pytest.fixture
def default(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(tmp_path, [])


def preflight(client: TestClient, path: str, origin: str = SHOP):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-algolia-api-key",
        },
    )


@pytest.mark.parametrize(
    "path",
    [
        QUERIES,
        "/1/indexes/products/query",
        "/1/events",
        "/v1/search",
        "/v1/events",
        "/v1/ubi/events",
        "/v1/ubi/queries",
    ],
)
def test_a_preflight_from_an_allowed_origin_is_answered(allowed: TestClient, path: str) -> None:
    response = preflight(allowed, path)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == SHOP
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert "content-type" in allowed_headers and "x-algolia-api-key" in allowed_headers
    assert "access-control-allow-credentials" not in response.headers


def test_a_simple_request_from_an_allowed_origin_gets_the_header(allowed: TestClient) -> None:
    response = allowed.post(QUERIES, json=SEARCH_BODY, headers={"Origin": "http://localhost:3000"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
    search = allowed.post("/v1/search", json={"query": "knife"}, headers={"Origin": SHOP})
    assert search.status_code == 200 and search.headers["access-control-allow-origin"] == SHOP


def test_other_origins_get_nothing(allowed: TestClient) -> None:
    refused = preflight(allowed, QUERIES, origin="https://evil.example")
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    answered = allowed.post(QUERIES, json=SEARCH_BODY, headers={"Origin": "https://evil.example"})
    assert answered.status_code == 200 and "access-control-allow-origin" not in answered.headers


def test_admin_and_catalog_endpoints_never_get_cors(allowed: TestClient) -> None:
    for path in ("/v1/admin/analytics", "/v1/products"):
        assert "access-control-allow-origin" not in preflight(allowed, path).headers
        response = allowed.get(path, headers={"Origin": SHOP})
        assert "access-control-allow-origin" not in response.headers


def test_by_default_no_origin_is_allowed(default: TestClient) -> None:
    assert "access-control-allow-origin" not in preflight(default, QUERIES).headers
    response = default.post(QUERIES, json=SEARCH_BODY, headers={"Origin": SHOP})
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers


def test_the_setting_is_a_comma_separated_list_of_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AISLE_CORS_ORIGINS", "https://shop.example, http://localhost:3000/")
    assert load_settings().cors_origins == [SHOP, "http://localhost:3000"]
    monkeypatch.setenv("AISLE_CORS_ORIGINS", "shop.example")
    with pytest.raises(ConfigError, match=r"AISLE_CORS_ORIGINS: .*'shop\.example' is not an origin"):
        load_settings()
    monkeypatch.setenv("AISLE_CORS_ORIGINS", "https://shop.example/search")
    with pytest.raises(ConfigError, match="AISLE_CORS_ORIGINS"):
        load_settings()
