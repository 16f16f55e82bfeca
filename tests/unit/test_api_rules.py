"""`/v1/admin/rules` over the fake catalog: auth, validation (422 naming the field, nothing half-applied),
single-rule changes, and the rules a search's debug output reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.unit.gateway_fakes import make_services

AUTH = {"Authorization": "Bearer secret"}
KNIFE_PIN = {
    "id": "cup-first",
    "action": "pin",
    "query": "Knife",
    "pins": [{"product_id": "p8", "position": 1}],
}


@pytest.fixture
def client(tmp_path: Path):
    services = make_services(tmp_path)
    with TestClient(create_app(services)) as client:
        yield client
    services.close()


def search(client: TestClient, query: str, **extra) -> dict:
    response = client.post("/v1/search", json={"query": query, "debug": True, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_rules_need_the_key(client: TestClient) -> None:
    assert client.get("/v1/admin/rules").status_code == 401
    assert client.put("/v1/admin/rules", json={}, headers={"Authorization": "Bearer nope"}).status_code == 403


def test_defaults_then_replace_and_search_shows_applied_rules(client: TestClient) -> None:
    rules = client.get("/v1/admin/rules", headers=AUTH).json()
    assert rules["bury_unavailable"] is True and rules["rules"] == [] and rules["generation"] == 0
    body = search(client, "knife")
    ids = [h["id"] for h in body["hits"]]
    assert ids.index("p5") > ids.index("p4")  # the out-of-stock bread knife is buried
    assert {"rule_id": "bury_unavailable", "action": "bury", "product_ids": ["p5"], "skipped": []} in body[
        "rules"
    ]

    saved = client.put("/v1/admin/rules", json={"bury_unavailable": True, "rules": [KNIFE_PIN]}, headers=AUTH)
    assert saved.status_code == 200, saved.text
    assert saved.json()["generation"] == 1 and saved.json()["rules"][0]["query"] == "knife"
    body = search(client, "  KNIFE ")
    assert body["hits"][0]["id"] == "p8"
    assert {"rule_id": "cup-first", "action": "pin", "product_ids": ["p8"], "skipped": []} in body["rules"]
    assert "rules" not in client.post("/v1/search", json={"query": "knife"}).json() or (
        client.post("/v1/search", json={"query": "knife"}).json()["rules"] is None
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rules": [{"id": "a", "action": "boost", "filter": {}}]}, "rules[0].filter"),
        ({"rules": [{"id": "a", "action": "lift", "filter": {"brand": "x"}}]}, "rules.0.action"),
        ({"rules": [{"id": "a", "action": "boost", "filter": {"brand": "x"}, "extra": 1}]}, "rules.0.extra"),
        (
            {"rules": [{"id": "a", "action": "pin", "pins": [{"product_id": "p", "position": 1}]}]},
            "rules[0].query",
        ),
        ({"rules": [KNIFE_PIN, {**KNIFE_PIN, "id": "other"}]}, "rules[1].pins[0].position"),
    ],
)
def test_a_bad_rule_set_is_422_naming_the_field_and_changes_nothing(
    client: TestClient, body: dict, field: str
) -> None:
    client.put("/v1/admin/rules", json={"bury_unavailable": False}, headers=AUTH)
    response = client.put("/v1/admin/rules", json=body, headers=AUTH)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and field in error["message"], error
    after = client.get("/v1/admin/rules", headers=AUTH).json()
    assert after["generation"] == 1 and after["bury_unavailable"] is False and after["rules"] == []


def test_one_rule_at_a_time(client: TestClient) -> None:
    boost = {"id": "peak", "action": "boost", "filter": {"brand": "Peak"}}
    assert client.put("/v1/admin/rules/peak", json=boost, headers=AUTH).status_code == 200
    assert client.put("/v1/admin/rules/cup-first", json=KNIFE_PIN, headers=AUTH).status_code == 200
    changed = client.put("/v1/admin/rules/peak", json={**boost, "positions": 2}, headers=AUTH).json()
    assert [r["id"] for r in changed["rules"]] == ["peak", "cup-first"] and changed["rules"][0][
        "positions"
    ] == 2
    mismatch = client.put("/v1/admin/rules/peak", json=KNIFE_PIN, headers=AUTH)
    assert mismatch.status_code == 422 and "id" in mismatch.json()["error"]["message"]
    assert client.delete("/v1/admin/rules/peak", headers=AUTH).json()["rules"][0]["id"] == "cup-first"
    gone = client.delete("/v1/admin/rules/peak", headers=AUTH)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"


def test_a_boost_moves_a_brand_up_in_search(client: TestClient) -> None:
    plain = [h["id"] for h in search(client, "running", size=10)["hits"]]
    rule = {"id": "jacket", "action": "boost", "filter": {"brand": "Peak", "price_min": 100}}
    client.put("/v1/admin/rules/jacket", json=rule, headers=AUTH)
    body = search(client, "running", size=10)
    boosted = [h["id"] for h in body["hits"]]
    assert "p3" in plain and plain[0] != "p3" and boosted[0] == "p3"
    assert [b for b in boosted if b != "p3"] == [p for p in plain if p != "p3"]
    assert any(r["rule_id"] == "jacket" and r["product_ids"] == ["p3"] for r in body["rules"])
