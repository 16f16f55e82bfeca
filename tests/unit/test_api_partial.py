"""PATCH /v1/products/{id} and what a product read sees after another process changed the catalog."""

from __future__ import annotations

import pytest

AUTH = {"Authorization": "Bearer secret"}


def test_patch_changes_only_the_given_fields(served) -> None:
    client, services = served
    before = client.get("/v1/products/p1").json()
    response = client.patch("/v1/products/p1", json={"price": 49.5, "stock": 4}, headers=AUTH)
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["price"] == 49.5 and after["attributes"] == {**before["attributes"], "stock": 4}
    assert {k: v for k, v in after.items() if k not in ("price", "attributes")} == {
        k: v for k, v in before.items() if k not in ("price", "attributes")
    }
    assert client.get("/v1/products/p1").json() == after  # the product cache was updated
    hit = next(
        h for h in client.post("/v1/search", json={"query": "red shoes"}).json()["hits"] if h["id"] == "p1"
    )
    assert hit["price"] == 49.5
    assert services.catalog.embedded == 0  # no embedded text changed


def test_a_stock_patch_of_zero_sells_out_and_buries_the_product(served) -> None:
    client, _ = served
    search = {"query": "running shoes"}  # both pairs match it as written: the sold-out one goes after
    ranked = [h["id"] for h in client.post("/v1/search", json=search).json()["hits"]]
    response = client.patch("/v1/products/p1", json={"stock": 0}, headers=AUTH)
    assert response.status_code == 200 and response.json()["availability"] == "out_of_stock"
    after = [h["id"] for h in client.post("/v1/search", json=search).json()["hits"]]
    assert ranked[:2] == ["p1", "p2"] and after[:2] == ["p2", "p1"]  # buried after the available ones
    restocked = client.patch("/v1/products/p1", json={"stock": 3}, headers=AUTH).json()
    assert restocked["availability"] == "in_stock"


def test_a_title_patch_re_embeds(served) -> None:
    client, services = served
    response = client.patch("/v1/products/p4", json={"title": "Chef knife 20 cm"}, headers=AUTH)
    assert response.status_code == 200 and services.catalog.embedded == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"price": "lots"}, 422, "price"),
        ({"availability": "maybe"}, 422, "availability"),
        ({"stock": "plenty"}, 422, "stock"),
        ({"title": None}, 422, "title"),
        ({"id": "p2", "price": 1}, 422, "id"),
        ({}, 422, "no fields"),
        ([1, 2], 422, "body"),
    ],
)
def test_bad_patches_are_422_and_change_nothing(served, body, status: int, field: str) -> None:
    client, _ = served
    before = client.get("/v1/products/p1").json()
    response = client.patch("/v1/products/p1", json=body, headers=AUTH)
    assert response.status_code == status, response.text
    assert (
        response.json()["error"]["code"] == "invalid_input" and field in response.json()["error"]["message"]
    )
    assert client.get("/v1/products/p1").json() == before


def test_patch_unknown_id_is_404_and_needs_the_key(served) -> None:
    client, _ = served
    unknown = client.patch("/v1/products/nope", json={"price": 1}, headers=AUTH)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert client.patch("/v1/products/p1", json={"price": 1}).status_code == 401


def test_a_read_notices_a_delete_made_by_another_process(served) -> None:
    client, services = served
    assert client.get("/v1/products/p3").status_code == 200  # now in this process's product cache
    services.lexical.delete(["p3"])  # what `indexer delete` does from another process
    services.catalog.changed = lambda force=False: services.catalog  # ... and its new manifest revision
    services.reload_interval_s = 0.0
    refreshed = services.lexical.refreshed
    assert client.get("/v1/products/p3").status_code == 404
    assert services.lexical.refreshed > refreshed  # the lexical side was re-read before the cache refill
