"""Insights-compatible events (`POST /1/events`) over the fake catalog: mapping onto our event log, the
join to the served list that the ranker update job makes, idempotent retries, and refusals."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.deps import Services
from engine.learning.clicks import clicked_lists

EVENTS = "/1/events"


def searched(client: TestClient, query: str = "running shoes") -> dict:
    body = {"requests": [{"indexName": "products", "query": query, "hitsPerPage": 3, "clickAnalytics": True}]}
    response = client.post("/1/indexes/*/queries", json=body)
    assert response.status_code == 200, response.text
    return response.json()["results"][0]


def click(query_id: str, object_id: str, position: int, **extra: object) -> dict:
    return {
        "eventType": "click",
        "eventName": "Product Clicked",
        "index": "products",
        "userToken": "anonymous-1",
        "queryID": query_id,
        "objectIDs": [object_id],
        "positions": [position],
        **extra,
    }


def logged_events(services: Services) -> list:
    return [r.event for r in services.events.read(after=0) if r.event is not None]


def test_a_click_after_search_is_joined_to_the_served_list(served) -> None:
    client, services = served
    result = searched(client)
    second = result["hits"][1]["objectID"]
    # sendBeacon posts text/plain: the body is JSON all the same
    response = client.post(
        EVENTS,
        content=json.dumps({"events": [click(result["queryID"], second, 2)]}),
        headers={"content-type": "text/plain;charset=UTF-8"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == 200 and response.json()["accepted"] == 1
    assert response.json()["unknown_query_ids"] == []
    (event,) = logged_events(services)
    assert (event.type, event.product_id, event.search_id, event.position, event.user_id) == (
        "click",
        second,
        result["queryID"],
        2,
        "anonymous-1",
    )
    services.impressions.flush()
    lists = clicked_lists(services.events.read(after=0))
    joined = [item for item in lists if item.impression.search_id == result["queryID"]]
    assert len(joined) == 1 and joined[0].clicked == (1,)  # index 1 = the second hit: what training uses


def test_conversions_views_and_tokens_map_onto_our_event_types(served) -> None:
    client, services = served
    result = searched(client, "knife")
    first = result["hits"][0]["objectID"]
    base = {"index": "products", "userToken": "anon", "authenticatedUserToken": "customer-7"}
    events = [
        {
            **base,
            "eventType": "conversion",
            "eventName": "Added",
            "eventSubtype": "addToCart",
            "queryID": result["queryID"],
            "objectIDs": [first],
        },
        {
            **base,
            "eventType": "conversion",
            "eventName": "Bought",
            "queryID": result["queryID"],
            "objectIDs": [first],
        },
        {**base, "eventType": "view", "eventName": "Hits Viewed", "objectIDs": ["p4", "p5"]},
        {**base, "eventType": "click", "eventName": "Filter Applied", "filters": ["brand:Blade"]},
        {"eventType": "instantsearch", "eventName": "__start__", "widgets": []},  # InstantSearch's telemetry
    ]
    response = client.post(EVENTS, json={"events": events})
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 4 and response.json()["ignored"] == 2
    stored = logged_events(services)
    assert [e.type for e in stored] == ["add_to_cart", "purchase", "impression", "impression"]
    assert {e.user_id for e in stored} == {"customer-7"}
    assert [e.product_id for e in stored[2:]] == ["p4", "p5"] and stored[2].search_id is None


def test_a_retried_event_with_a_timestamp_is_stored_once(served) -> None:
    client, services = served
    result = searched(client)
    event = click(result["queryID"], result["hits"][0]["objectID"], 1, timestamp=1_700_000_000_000)
    for _ in range(2):
        assert client.post(EVENTS, json={"events": [event]}).status_code == 200
    (stored,) = logged_events(services)
    assert stored.timestamp == 1_700_000_000.0
    assert services.stats.action_count(stored.product_id) == 1.0


def test_an_unknown_query_id_is_stored_and_flagged(served) -> None:
    client, services = served
    response = client.post(EVENTS, json={"events": [click("0" * 32, "p1", 1)]})
    assert response.status_code == 200 and response.json()["unknown_query_ids"] == ["0" * 32]
    assert len(logged_events(services)) == 1


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"objectIDs": ["p1", "p2"]}, "positions"),
        ({"positions": None}, "positions"),
        ({"positions": [0]}, "positions"),
        ({"userToken": None}, "userToken"),
        ({"eventType": "like"}, "eventType"),
        ({"index": None}, "index"),
        ({"eventName": ""}, "eventName"),
        ({"objectIDs": None}, "objectIDs"),
        ({"objectIDs": ["nope"]}, "unknown product id(s): 'nope'"),
        ({"timestamp": 4_000_000_000_000}, "timestamp"),
    ],
)
def test_malformed_events_are_422_naming_the_field_and_nothing_is_stored(
    served, change: dict, named: str
) -> None:
    client, services = served
    event = {k: v for k, v in {**click("q" * 32, "p1", 1), **change}.items() if v is not None}
    response = client.post(EVENTS, json={"events": [click("q" * 32, "p2", 1), event]})
    assert response.status_code == 422, response.text
    assert named in response.json()["error"]["message"]
    assert logged_events(services) == []


def test_our_own_events_endpoint_refuses_unknown_products_too(served) -> None:
    client, services = served
    response = client.post(
        "/v1/events", json=[{"type": "click", "product_id": "p1"}, {"type": "click", "product_id": "ghost"}]
    )
    assert response.status_code == 422 and "'ghost'" in response.json()["error"]["message"]
    assert logged_events(services) == []
