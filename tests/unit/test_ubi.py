"""User Behavior Insights intake over the fake catalog: documents shaped like the spec's examples (with
this catalog's product ids) land in the event log and join their lists; `ext.ubi` on a search; malformed
documents are 422 naming the field."""

from __future__ import annotations

import pytest

from api.deps import Services
from engine.learning.clicks import clicked_lists

# The spec's example values (query_id, client_id, session_id, application, timestamps).
QUERY_ID = "00112233-4455-6677-8899-aabbccddeeff"
CLIENT_ID = "5e3b2a1c-8b7d-4f2e-a3d4-c9b2e1f3a4b5"


def spec_query(**change: object) -> dict:
    return {
        "application": "primary-search",
        "query_id": QUERY_ID,
        "client_id": CLIENT_ID,
        "user_query": "chef knife",
        "query_attributes": {"page": 1},
        "object_id_field": "sku",
        "timestamp": "2018-11-13T20:20:39+00:00",
        "query_response_id": "5e3b2a1c-8b7d-4f2e-a3d4-c9b2e1f3a4b5",
        "query_response_hit_ids": ["p4", "p5", "p6"],
        **change,
    }


def spec_event(**change: object) -> dict:
    return {
        "application": "primary-search",
        "action_name": "click",
        "query_id": QUERY_ID,
        "session_id": "84266fdbd31d4c2c6d0665f7e8380fa3",
        "client_id": CLIENT_ID,
        "timestamp": "2018-11-13T20:20:39Z",
        "message_type": "CONVERSION",
        "message": "clicked the second result",
        "event_attributes": {
            "object": {"object_id": "p5", "object_id_field": "sku", "internal_id": "123456"},
            "position": {"ordinal": {"index": 2}},
        },
        **change,
    }


def records(services: Services) -> list:
    return services.events.read(after=0)


def test_a_spec_query_and_its_click_join_as_a_served_list(served) -> None:
    client, services = served
    answer = client.post("/v1/ubi/queries", json=spec_query())
    assert answer.status_code == 202, answer.text
    assert answer.json()["accepted"] == 1 and answer.json()["query_ids"] == [QUERY_ID]
    logged = services.events.impression(QUERY_ID)
    assert logged is not None and logged.product_ids == ("p4", "p5", "p6") and logged.positions == (1, 2, 3)
    assert logged.query == "chef knife" and logged.user_id == CLIENT_ID and logged.surface == "ubi"
    assert logged.timestamp == 1542140439.0 and logged.extra["object_id_field"] == "sku"

    answer = client.post("/v1/ubi/events", json=spec_event())
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"accepted": 1, "ignored": 0, "query_ids": [], "unknown_query_ids": []}
    (event,) = [r.event for r in records(services) if r.event is not None]
    assert (event.type, event.product_id, event.search_id, event.position) == ("click", "p5", QUERY_ID, 2)
    assert event.user_id == CLIENT_ID and event.session_id == "84266fdbd31d4c2c6d0665f7e8380fa3"
    # Views and clicks count, but a list without ranker features never trains a ranker.
    assert not [item for item in clicked_lists(records(services)) if item.impression.search_id == QUERY_ID]


def test_actions_map_onto_our_event_types_and_others_are_ignored(served) -> None:
    client, services = served
    documents = [
        spec_event(action_name="click_through", event_attributes={"object": {"object_id": "p1"}}),
        spec_event(action_name="add_to_cart", event_attributes={"object": {"object_id": "p1"}}),
        spec_event(
            action_name="purchase", user_id="customer-7", event_attributes={"object": {"object_id": "p1"}}
        ),
        spec_event(action_name="impression", event_attributes={"object": {"object_id": 7}}),
        spec_event(
            action_name="view", event_attributes={"object": {"object_id": "p2"}, "position": {"ordinal": 1}}
        ),
        spec_event(action_name="product_hover"),
        spec_event(action_name="on_search", event_attributes=None),
    ]
    documents[3]["event_attributes"]["object"]["object_id"] = "p3"  # integer ids are allowed; ours are text
    answer = client.post("/v1/ubi/events", json=documents)
    assert answer.status_code == 202, answer.text
    assert answer.json()["accepted"] == 5 and answer.json()["ignored"] == 2
    stored = [r.event for r in records(services) if r.event is not None]
    assert [e.type for e in stored] == ["click", "add_to_cart", "purchase", "impression", "impression"]
    assert stored[2].user_id == "customer-7" and stored[4].position == 1
    again = client.post("/v1/ubi/events", json=documents)  # a resent batch is stored once
    assert again.status_code == 202
    assert len([r for r in records(services) if r.event is not None]) == 5


def test_a_search_with_ext_ubi_is_logged_under_the_client_query_id(served) -> None:
    client, services = served
    ubi = {"query_id": "ubi-q-1", "client_id": CLIENT_ID, "object_id_field": "sku"}
    response = client.post("/v1/search", json={"query": "running shoes", "size": 3, "ext": {"ubi": ubi}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["search_id"] == "ubi-q-1" and body["ext"] == {"ubi": {"query_id": "ubi-q-1"}}
    services.impressions.flush()
    logged = services.events.impression("ubi-q-1")
    assert logged is not None and logged.user_id == CLIENT_ID and logged.surface == "search"
    assert list(logged.product_ids) == [h["id"] for h in body["hits"]]
    # The client's own UBI query document for the same search is not logged twice.
    doc = spec_query(query_id="ubi-q-1", query_response_hit_ids=[h["id"] for h in body["hits"]])
    assert client.post("/v1/ubi/queries", json=doc).json()["accepted"] == 0
    # A click reported through UBI joins that list, ranker features and all: it trains.
    second = body["hits"][1]["id"]
    event = spec_event(
        query_id="ubi-q-1", event_attributes={"object": {"object_id": second}, "position": {"ordinal": 2}}
    )
    assert client.post("/v1/ubi/events", json=event).status_code == 202
    joined = [item for item in clicked_lists(records(services)) if item.impression.search_id == "ubi-q-1"]
    assert len(joined) == 1 and joined[0].clicked == (1,)
    # The same query_id again would join later clicks to the wrong list.
    again = client.post("/v1/search", json={"query": "knife", "ext": {"ubi": ubi}})
    assert again.status_code == 422 and "ext.ubi.query_id" in again.json()["error"]["message"]


def test_a_search_without_ext_has_no_ext_in_its_answer(served) -> None:
    client, _ = served
    assert client.post("/v1/search", json={"query": "knife"}).json()["ext"] is None


@pytest.mark.parametrize(
    ("path", "document", "named"),
    [
        ("/v1/ubi/events", spec_event(action_name=None), "action_name"),
        ("/v1/ubi/events", {k: v for k, v in spec_event().items() if k != "timestamp"}, "timestamp"),
        ("/v1/ubi/events", spec_event(timestamp=1542140439), "timestamp"),
        ("/v1/ubi/events", spec_event(timestamp="yesterday"), "timestamp"),
        ("/v1/ubi/events", spec_event(timestamp="2999-01-01T00:00:00Z"), "timestamp"),
        ("/v1/ubi/events", spec_event(client_id="x" * 101), "client_id"),
        ("/v1/ubi/events", spec_event(event_attributes={"object": {}}), "event_attributes.object.object_id"),
        (
            "/v1/ubi/events",
            spec_event(event_attributes={"object": {"object_id": "p1"}, "position": {"ordinal": 0}}),
            "event_attributes.position.ordinal",
        ),
        (
            "/v1/ubi/events",
            spec_event(event_attributes={"object": {"object_id": "p1"}, "position": {"ordinal": {"idx": 2}}}),
            "event_attributes.position.ordinal",
        ),
        (
            "/v1/ubi/events",
            spec_event(event_attributes={"object": {"object_id": "XYZ-12345"}}),
            "'XYZ-12345'",
        ),
        ("/v1/ubi/events", spec_event(colour="red"), "colour"),
        ("/v1/ubi/queries", {k: v for k, v in spec_query().items() if k != "user_query"}, "user_query"),
        ("/v1/ubi/queries", spec_query(query_response_hit_ids="p4"), "query_response_hit_ids"),
        ("/v1/ubi/queries", spec_query(query_response_hit_ids=["B07XLFYN6S"]), "'B07XLFYN6S'"),
        ("/v1/ubi/queries", spec_query(query_id="q" * 101), "query_id"),
    ],
)
def test_malformed_documents_are_422_naming_the_field(served, path: str, document: dict, named: str) -> None:
    client, services = served
    document = {k: v for k, v in document.items() if v is not None}
    response = client.post(
        path, json=[spec_event() if "events" in path else spec_query(query_id="ok"), document]
    )
    assert response.status_code == 422, response.text
    assert named in response.json()["error"]["message"]
    assert records(services) == []  # all or nothing


def test_a_body_that_is_not_json_is_422(served) -> None:
    client, _ = served
    response = client.post("/v1/ubi/events", content=b"{nope", headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"
