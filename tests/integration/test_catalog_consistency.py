"""Writes are seen by every gateway process: two `gateway serve` processes over one data directory (the
embedded lexical index, FAISS files, the real Triton), like two workers behind one port.

- a PATCH through one changes only the given fields, and the other serves the new price;
- a product deleted through the API of one, or with `indexer delete` from a third process, stops being
  served by both: product page, search, similar items and recommendations;
- a merchandising rule saved through one applies to the other's next search;
- a click reported to one on a list the other served counts in both gateways' click statistics (the
  ranker's `ctr` and `query_ctr` features), read from the shared event log.

Each change must show within `DEADLINE_S` (the gateways check for a new catalog revision once a second).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine.ports import free_port
from engine.sample import sample_catalog_path
from tests.fixtures.triton import TritonHandle
from tests.support.processes import GatewayProcess, clean_env, run_cli

pytestmark = pytest.mark.integration

KEY = "consistency-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
DEADLINE_S = 5.0
POPULAR = "p0032"  # the most popular available sample product: a new user's recommendations show it


@pytest.fixture(scope="module")
def gateways(
    tmp_path_factory: pytest.TempPathFactory, triton_server: TritonHandle
) -> Iterator[tuple[GatewayProcess, GatewayProcess, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("two-gateways")
    env = clean_env(
        {"AISLE_DATA_DIR": str(data_dir), "AISLE_TRITON_URL": triton_server.grpc_url, "AISLE_API_KEY": KEY}
    )
    built = run_cli("indexer", ["build", "--no-progress", str(sample_catalog_path())], env, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    with GatewayProcess(env, free_port()) as first, GatewayProcess(env, free_port()) as second:
        for gateway in (first, second):
            assert gateway.returncode is None, gateway.output()
        yield first, second, env


def eventually(check: Callable[[], Any], what: str) -> float:
    """Seconds until `check()` is truthy; fails after `DEADLINE_S`."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > DEADLINE_S:
            pytest.fail(f"not within {DEADLINE_S:g}s: {what}")
        time.sleep(0.1)
    return time.monotonic() - start


def search_ids(gateway: GatewayProcess, query: str, size: int = 50) -> list[str]:
    response = gateway.client.post(
        "/v1/search", json={"query": query, "size": size}, headers={"X-Aisle-Log": "off"}
    )
    assert response.status_code == 200, response.text
    return [h["id"] for h in response.json()["hits"]]


def served_everywhere(gateway: GatewayProcess, pid: str, title: str, neighbour: str) -> dict[str, bool]:
    similar = gateway.client.get(f"/v1/products/{neighbour}/similar", params={"size": 30}).json()["hits"]
    picks = gateway.client.get("/v1/recommendations", params={"user_id": f"new-{time.monotonic()}"})
    return {
        "product": gateway.client.get(f"/v1/products/{pid}").status_code == 200,
        "search": pid in search_ids(gateway, title),
        "similar": pid in [h["id"] for h in similar],
        "recommendations": pid in [h["id"] for h in picks.json()["hits"]],
    }


def neighbour_of(gateway: GatewayProcess, pid: str) -> str:
    """A product whose similar items include `pid` (so removing `pid` must change that list)."""
    for hit in gateway.client.get(f"/v1/products/{pid}/similar", params={"size": 10}).json()["hits"]:
        listed = gateway.client.get(f"/v1/products/{hit['id']}/similar", params={"size": 30}).json()["hits"]
        if pid in [h["id"] for h in listed]:
            return str(hit["id"])
    raise AssertionError(f"no product lists {pid} among its similar items")


def test_a_patch_through_one_gateway_is_served_by_the_other(gateways) -> None:
    first, second, _ = gateways
    before = second.client.get("/v1/products/p0001").json()  # cached by the second gateway now
    response = first.client.patch("/v1/products/p0001", json={"price": 77.5, "stock": 2}, headers=AUTH)
    assert response.status_code == 200, response.text
    seconds = eventually(lambda: second.client.get("/v1/products/p0001").json()["price"] == 77.5, "new price")
    after = second.client.get("/v1/products/p0001").json()
    assert after["attributes"] == {**before["attributes"], "stock": 2}
    assert {k: v for k, v in after.items() if k not in ("price", "attributes")} == {
        k: v for k, v in before.items() if k not in ("price", "attributes")
    }
    hits = second.client.post("/v1/search", json={"query": before["title"], "size": 5}).json()["hits"]
    assert next(h for h in hits if h["id"] == "p0001")["price"] == 77.5
    print(f"patch visible in the other gateway after {seconds:.2f}s")
    assert first.client.patch("/v1/products/nope", json={"price": 1}, headers=AUTH).status_code == 404
    assert first.client.patch("/v1/products/p0001", json={"price": "x"}, headers=AUTH).status_code == 422


@pytest.mark.parametrize("how", ["api", "cli"])
def test_a_delete_stops_every_surface_in_both_gateways(gateways, how: str) -> None:
    first, second, env = gateways
    pid = POPULAR if how == "api" else "p0265"
    title = first.client.get(f"/v1/products/{pid}").json()["title"]
    neighbour = neighbour_of(second, pid)
    for gateway in (first, second):  # served (and cached) everywhere before the delete
        assert served_everywhere(gateway, pid, title, neighbour) == {
            "product": True,
            "search": True,
            "similar": True,
            "recommendations": True,
        }
    if how == "api":
        assert first.client.delete(f"/v1/products/{pid}", headers=AUTH).status_code == 200
    else:
        deleted = run_cli("indexer", ["delete", pid], env, timeout=120)
        assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    gone = {"product": False, "search": False, "similar": False, "recommendations": False}
    for gateway in (first, second):
        # Product reads alone first: a process that only answers product pages must notice too.
        seconds = eventually(
            lambda g=gateway: g.client.get(f"/v1/products/{pid}").status_code == 404, f"GET {pid} 404"
        )
        print(f"{how} delete of {pid}: GET 404 from gateway :{gateway.port} after {seconds:.2f}s")
        eventually(lambda g=gateway: served_everywhere(g, pid, title, neighbour) == gone, f"{pid} gone")
        assert gateway.client.get(f"/v1/products/{pid}/similar").status_code == 404


def test_a_rule_saved_through_one_gateway_applies_in_the_other(gateways) -> None:
    first, second, _ = gateways
    plain = search_ids(second, "desk lamp", size=10)
    last = plain[-1]
    rule = {
        "id": "lamp-pin",
        "action": "pin",
        "query": "Desk Lamp",
        "pins": [{"product_id": last, "position": 1}],
    }
    saved = first.client.put("/v1/admin/rules/lamp-pin", json=rule, headers=AUTH)
    assert saved.status_code == 200, saved.text
    eventually(lambda: search_ids(second, "desk lamp", size=10)[0] == last, "the pin")
    body = second.client.post("/v1/search", json={"query": "desk lamp", "debug": True}).json()
    assert {"rule_id": "lamp-pin", "action": "pin", "product_ids": [last], "skipped": []} in body["rules"]
    bad = first.client.put("/v1/admin/rules/lamp-pin", json={**rule, "pins": []}, headers=AUTH)
    assert bad.status_code == 422 and "pins" in bad.json()["error"]["message"]
    assert search_ids(second, "desk lamp", size=10)[0] == last  # the rejected change altered nothing


def click_features(gateway: GatewayProcess, query: str, pid: str) -> dict[str, float]:
    """The ranker's click features of `pid` in `gateway`'s answer to `query` (not logged)."""
    body = gateway.client.post(
        "/v1/search", json={"query": query, "size": 20, "debug": True}, headers={"X-Aisle-Log": "off"}
    ).json()
    features = next(h["debug"]["features"] for h in body["hits"] if h["id"] == pid)
    return {name: features[name] for name in ("ctr", "query_ctr")}


def test_a_click_heard_by_one_gateway_on_a_list_the_other_served_counts_in_both(gateways) -> None:
    first, second, _ = gateways
    query = "reading lamp for the bedroom"
    served = first.client.post("/v1/search", json={"query": query, "size": 10})  # logged by the first
    assert served.status_code == 200, served.text
    search_id, pid = served.json()["search_id"], served.json()["hits"][2]["id"]
    before = [click_features(gateway, query, pid) for gateway in (first, second)]
    click = {"type": "click", "product_id": pid, "search_id": search_id, "position": 3}
    reported = second.client.post("/v1/events", json=[click])  # heard by the second
    assert reported.status_code == 202, reported.text
    for gateway, was in zip((first, second), before, strict=True):
        eventually(
            lambda g=gateway, w=was: all(
                click_features(g, query, pid)[k] > w[k] for k in ("ctr", "query_ctr")
            ),
            f"the click in the features of the gateway on port {gateway.port}",
        )
    assert click_features(first, query, pid) == click_features(second, query, pid)
