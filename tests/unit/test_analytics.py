"""Search analytics (`GET /v1/admin/analytics`) equal a brute-force count over the event log, for
searches and clicks that arrived through our API, InstantSearch + Insights and UBI."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from engine.analytics import summarise
from engine.events.base import Event, Impression, LogRecord

AUTH = {"Authorization": "Bearer secret"}


def search(client: TestClient, query: str, **body: object) -> dict:
    response = client.post("/v1/search", json={"query": query, "size": 3, **body})
    assert response.status_code == 200, response.text
    return response.json()


def event(client: TestClient, kind: str, answer: dict, index: int = 0) -> None:
    hit = answer["hits"][index]
    body = {"type": kind, "product_id": hit["id"], "search_id": answer["search_id"], "position": index + 1}
    assert client.post("/v1/events", json=body).status_code == 202


def shop_day(client: TestClient) -> None:
    """Searches and actions through every intake; the numbers in the tests below follow from this."""
    shoes = [search(client, q) for q in ("running shoes", "Running  Shoes", "running shoes")]
    event(client, "click", shoes[0])
    event(client, "click", shoes[0], 1)  # a second click on the same list counts once
    event(client, "click", shoes[1])
    knife = search(client, "knife")
    event(client, "add_to_cart", knife)
    event(client, "purchase", knife)
    search(client, "knife", filters={"brand": ["NoSuchBrand"]})  # zero results
    search(client, "knife", filters={"brand": ["NoSuchBrand"]}, page=2)
    body = {
        "requests": [{"indexName": "products", "query": "socks", "hitsPerPage": 2, "clickAnalytics": True}]
    }
    socks = client.post("/1/indexes/*/queries", json=body).json()["results"][0]
    insights = {
        "eventType": "click",
        "eventName": "Product Clicked",
        "index": "products",
        "userToken": "u1",
        "queryID": socks["queryID"],
        "objectIDs": [socks["hits"][0]["objectID"]],
        "positions": [1],
    }
    assert client.post("/1/events", json={"events": [insights]}).status_code == 200
    browse = {"requests": [{"indexName": "products", "query": "", "hitsPerPage": 2}]}
    assert client.post("/1/indexes/*/queries", json=browse).status_code == 200  # browsing: not a search
    ubi_query = {"query_id": "ubi-1", "user_query": "Chef knife", "query_response_hit_ids": ["p4", "p5"]}
    assert client.post("/v1/ubi/queries", json=ubi_query).status_code == 202
    ubi_click = {
        "action_name": "click",
        "query_id": "ubi-1",
        "timestamp": "2026-01-01T00:00:00Z",
        "event_attributes": {"object": {"object_id": "p5"}, "position": {"ordinal": 2}},
    }
    assert client.post("/v1/ubi/events", json=ubi_click).status_code == 202
    client.get("/v1/products/p1/similar")  # similar items: not a search


def brute_force(records: list[LogRecord]) -> dict[str, dict[str, int]]:
    """Per normalised query: searches, zero results, clicked and converted searches; by plain loops."""
    lists: list[Impression] = [
        r.impression
        for r in records
        if r.impression is not None and r.impression.surface in ("search", "ubi")
    ]
    events: list[Event] = [r.event for r in records if r.event is not None]
    table: dict[str, dict[str, int]] = {}
    for item in lists:
        row = table.setdefault(
            " ".join(item.query.lower().split()),
            {"searches": 0, "zero_results": 0, "clicked": 0, "converted": 0},
        )
        row["searches"] += 1
        row["zero_results"] += len(item.product_ids) == 0
        row["clicked"] += any(e.type == "click" and e.search_id == item.search_id for e in events)
        row["converted"] += any(
            e.type in ("add_to_cart", "purchase") and e.search_id == item.search_id for e in events
        )
    return table


def test_analytics_equal_a_brute_force_count_over_the_log(served) -> None:
    client, services = served
    shop_day(client)
    services.impressions.flush()
    response = client.get("/v1/admin/analytics", params={"limit": 50}, headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = brute_force(services.events.read(after=0, limit=100_000))
    got = {
        row["query"]: {k: row[k] for k in ("searches", "zero_results", "clicked", "converted")}
        for row in body["top_queries"]
    }
    assert got == expected
    # And the figures themselves, from the scenario:
    assert expected["running shoes"] == {"searches": 3, "zero_results": 0, "clicked": 2, "converted": 0}
    assert expected["knife"] == {"searches": 3, "zero_results": 2, "clicked": 0, "converted": 1}
    assert expected["socks"]["clicked"] == 1 and expected["chef knife"]["clicked"] == 1
    assert "" not in expected  # browsing is not a search
    assert body["total"]["searches"] == sum(row["searches"] for row in expected.values()) == 8
    assert body["total"]["ctr"] == pytest.approx(4 / 8, abs=1e-6)
    assert [row["query"] for row in body["top_queries"][:2]] == ["knife", "running shoes"]  # ties by text
    assert body["zero_result_queries"] == [
        {
            "query": "knife",
            "searches": 3,
            "zero_results": 2,
            "clicked": 0,
            "converted": 1,
            "ctr": 0.0,
            "conversion_rate": pytest.approx(1 / 3, abs=1e-6),
        }
    ]
    assert sum(bucket["searches"] for bucket in body["over_time"]) == 8
    versions = {row["ranker_version"]: row["searches"] for row in body["by_ranker_version"]}
    assert versions == {1: 7, 0: 1}  # the UBI list was ranked by the shop's own engine


def test_time_buckets_and_the_since_window() -> None:
    def listed(search_id: str, at: float, query: str = "q") -> LogRecord:
        return LogRecord(0, impression=Impression(search_id, at, query, ("p1",), (1,), ranker_version=1))

    records = [listed("a", 3600 * 10 + 5), listed("b", 3600 * 10 + 3500), listed("c", 3600 * 12)]
    hourly = summarise(records, bucket_s=3600)
    assert [(start, t.searches) for start, t in sorted(hourly.over_time.items())] == [(36000, 2), (43200, 1)]
    recent = summarise(records, bucket_s=3600, since=3600 * 11)
    assert recent.total.searches == 1


def test_analytics_need_the_api_key(served) -> None:
    client, _ = served
    assert client.get("/v1/admin/analytics").status_code == 401
    assert client.get("/v1/admin/analytics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/v1/admin/analytics", params={"bucket": "week"}, headers=AUTH).status_code == 422


def test_two_ranker_versions_side_by_side(served) -> None:
    from engine.learning.versions import RankerStore
    from engine.models.ranker_net import RankerManifest, TrainingRecord, init_prior_ranker
    from engine.ranking.features import FEATURE_NAMES

    client, services = served
    store = RankerStore(services.settings)
    for weight in (1.0, -1.0):  # the fused order, and its reverse
        net = init_prior_ranker(list(FEATURE_NAMES), {"fused_score": weight})
        store.add(
            net,
            RankerManifest(
                version=0, feature_names=list(FEATURE_NAMES), training=TrainingRecord(kind="test")
            ),
        )
    before = services.events.last_offset()
    body = {"queries": ["running", "knife"], "versions": [1, 2], "size": 3}  # "running" matches 4
    response = client.post("/v1/admin/rankers/compare", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    shoes = response.json()["results"][0]
    first, second = shoes["lists"]["1"], shoes["lists"]["2"]
    assert len(first) == len(second) == 3 and first[0]["title"]
    assert [h["score"] for h in first] == sorted((h["score"] for h in first), reverse=True)
    assert [h["score"] for h in second] == sorted((h["score"] for h in second), reverse=True)
    # version 2 reverses version 1: its top is version 1's bottom, so the top 3 differ
    assert shoes["overlap"] == len({h["id"] for h in first} & {h["id"] for h in second})
    assert first[0]["id"] not in {h["id"] for h in second}
    services.impressions.flush()
    assert services.events.last_offset() == before  # nothing logged
    refused = client.post("/v1/admin/rankers/compare", json={**body, "versions": [1, 9]}, headers=AUTH)
    assert refused.status_code == 404 and "9" in refused.json()["error"]["message"]
    assert client.post("/v1/admin/rankers/compare", json=body).status_code == 401


def test_queries_are_counted_under_the_click_statistics_key() -> None:
    """One normalisation for every per-query figure: case-folded (not just lower-cased), so "STRASSE"
    and "Straße" are one query here as they are in the click statistics."""
    from engine.ranking.stats import normalise_query

    def served(offset: int, query: str) -> LogRecord:
        impression = Impression(
            search_id=f"s{offset}",
            timestamp=float(offset),
            query=query,
            product_ids=("p1",),
            positions=(1,),
            ranker_version=1,
        )
        return LogRecord(offset=offset, impression=impression)

    queries = ["Straße", "  STRASSE ", "strasse"]
    result = summarise([served(i + 1, q) for i, q in enumerate(queries)])
    assert {normalise_query(q) for q in queries} == {"strasse"}
    assert list(result.by_query) == ["strasse"] and result.by_query["strasse"].searches == 3
    # An accent written as a letter and a combining mark is the same query as the composed one.
    assert normalise_query("Du\u0308bel") == normalise_query("dübel") == "dübel"
