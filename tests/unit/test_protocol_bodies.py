"""InstantSearch, Insights and UBI bodies are checked like the native API's (`RequestModel`): unknown
fields, control characters (keys too, and inside an Algolia `params` string) and non-finite numbers are
a 422 naming the field, while every field the stock clients send (InstantSearch.js and its helper,
search-insights with InstantSearch's insights middleware, the reference ubi.js) is accepted."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

MULTI = "/1/indexes/*/queries"
PRE, POST = "__ais-highlight__", "__/ais-highlight__"


def refused(response, named: str) -> str:
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert named in message, message
    return message


# --- InstantSearch -------------------------------------------------------------------------------------


def instantsearch_state(**change: object) -> list[dict]:
    """What InstantSearch.js (algoliasearch-helper) sends for a search box + refinement list + hits page
    with the insights middleware: the hits query and the disjunctive facet query."""
    hits = {
        "facets": ["brand"],
        "highlightPostTag": POST,
        "highlightPreTag": PRE,
        "hitsPerPage": 4,
        "maxValuesPerFacet": 8,
        "page": 0,
        "query": "running",
        "tagFilters": "",
        "facetFilters": [["brand:Stride"]],
        "clickAnalytics": True,
        "userToken": "shopper-1",
        **change,
    }
    facet = {
        "analytics": False,
        "attributesToHighlight": [],
        "attributesToRetrieve": [],
        "attributesToSnippet": [],
        "clickAnalytics": False,
        "facets": "brand",
        "highlightPostTag": POST,
        "highlightPreTag": PRE,
        "hitsPerPage": 0,
        "maxValuesPerFacet": 8,
        "page": 0,
        "query": "running",
        "tagFilters": "",
        "userToken": "shopper-1",
    }
    return [{"indexName": "products", "params": hits}, {"indexName": "products", "params": facet}]


def test_what_instantsearch_sends_is_accepted_as_object_and_as_params_string(served) -> None:
    client, _ = served
    as_object = client.post(MULTI, json={"requests": instantsearch_state()})
    assert as_object.status_code == 200, as_object.text
    encoded = [
        {
            "indexName": item["indexName"],
            "params": urlencode(
                {
                    k: json.dumps(v) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else v
                    for k, v in item["params"].items()
                }
            ),
        }
        for item in instantsearch_state()
    ]
    as_string = client.post(MULTI, json={"requests": encoded})
    assert as_string.status_code == 200, as_string.text
    assert as_object.json()["results"][0]["hits"] == as_string.json()["results"][0]["hits"]
    tuned = client.post(
        MULTI,
        json={"requests": instantsearch_state(typoTolerance="min", ruleContexts=["a"], analyticsTags=["b"])},
    )
    assert tuned.status_code == 200, tuned.text  # Algolia's other parameters: accepted, set aside


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"hitPerPage": 4}, "requests.0.hitPerPage"),
        ({"query": "run\x00ning"}, "query: contains a control character"),
        ({"highlightPreTag": "<em\x1b>"}, "highlightPreTag: contains a control character"),
        ({"hitsPerPage": "four"}, "requests.0.hitsPerPage"),
    ],
)
def test_instantsearch_parameters_are_checked_like_native_ones(served, change: dict, named: str) -> None:
    client, services = served
    request = {"indexName": "products", **instantsearch_state(**change)[0]["params"]}
    refused(client.post(MULTI, json={"requests": [request]}), named)
    services.impressions.flush()
    assert services.events.read(after=0) == []  # refused before searching


def test_a_control_character_inside_a_params_string_names_the_parameter(served) -> None:
    client, _ = served
    body = {"requests": [{"indexName": "products", "params": "query=a%07b&hitsPerPage=2"}]}
    refused(client.post(MULTI, json=body), "query: contains a control character")
    typo = {"requests": [{"indexName": "products", "params": "query=a&hitPerPage=2"}]}
    refused(client.post(MULTI, json=typo), "hitPerPage")
    outer = {"requests": [{"indexName": "products", "query": "a"}], "strategi": "none"}
    refused(client.post(MULTI, json=outer), "strategi")


# --- Insights ------------------------------------------------------------------------------------------


def middleware_click(query_id: str, object_id: str, **change: object) -> dict:
    """A click as InstantSearch's insights middleware hands it to search-insights."""
    return {
        "eventType": "click",
        "eventName": "Product Clicked",
        "index": "products",
        "objectIDs": [object_id],
        "positions": [1],
        "queryID": query_id,
        "userToken": "shopper-1",
        "algoliaSource": ["instantsearch"],
        **change,
    }


def searched(client: TestClient) -> dict:
    body = {"requests": [{"indexName": "products", "query": "knife", "clickAnalytics": True}]}
    return client.post(MULTI, json=body).json()["results"][0]


def test_what_the_insights_clients_send_is_accepted(served) -> None:
    client, services = served
    result = searched(client)
    first = result["hits"][0]["objectID"]
    conversion = middleware_click(
        result["queryID"],
        first,
        eventType="conversion",
        eventSubtype="purchase",
        eventName="Product Bought",
        positions=None,
        objectData=[{"price": 19.5, "quantity": 1, "discount": 0}],
        value=19.5,
        currency="USD",
        timestamp=1_700_000_000_000,
    )
    conversion = {k: v for k, v in conversion.items() if v is not None}
    body = {"events": [middleware_click(result["queryID"], first), conversion]}
    response = client.post("/1/events", content=json.dumps(body), headers={"content-type": "text/plain"})
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 2
    types = [r.event.type for r in services.events.read(after=0) if r.event is not None]
    assert sorted(types) == ["click", "purchase"]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"eventTyp": "click"}, "events.0.eventTyp"),
        ({"eventName": "Product\x0cClicked"}, "eventName: contains a control character"),
        ({"objectData": [{"pri\x00ce": 1}]}, "objectData.0.key: contains a control character"),
        ({"value": float("inf")}, "events.0.value"),
    ],
)
def test_insights_events_are_checked_like_native_ones(served, change: dict, named: str) -> None:
    client, services = served
    result = searched(client)
    event = middleware_click(result["queryID"], result["hits"][0]["objectID"], **change)
    # json.dumps writes inf as `Infinity`, which Python's JSON reader accepts: the model must refuse it
    refused(client.post("/1/events", content=json.dumps({"events": [event]})), named)
    assert [r for r in services.events.read(after=0) if r.event is not None] == []


# --- UBI -----------------------------------------------------------------------------------------------


def ubi_js_event(**change: object) -> dict:
    """A UbiEvent as the reference ubi.js builds it (trackEvent with a second message: extra_info)."""
    return {
        "application": "shop",
        "action_name": "click",
        "query_id": "q-1",
        "session_id": "s-1",
        "client_id": "c-1",
        "user_id": "",
        "timestamp": "2026-01-02T03:04:05.678Z",
        "message_type": "INFO",
        "message": "",
        "extra_info": "clicked from the hit list",
        "extra_info_type": "INFO",
        "event_attributes": {
            "object": {
                "object_id": "p4",
                "object_id_field": "sku",
                "description": "Chef knife",
                "color": "red",
            },
            "position": {"ordinal": 1, "x": 10, "y": 20},
        },
        **change,
    }


def ubi_js_query(**change: object) -> dict:
    return {
        "application": "shop",
        "query_id": "q-1",
        "user_query": "knife",
        "client_id": "c-1",
        "object_id_field": "sku",
        "timestamp": "2026-01-02T03:04:00.000Z",
        "message_type": "INFO",
        "message": "",
        "query_attributes": {"page": 1},
        "query_response_hit_ids": ["p4", "p5"],
        **change,
    }


def test_what_ubi_js_sends_is_accepted(served) -> None:
    client, services = served
    assert client.post("/v1/ubi/queries", json=[ubi_js_query()]).status_code == 202
    response = client.post("/v1/ubi/events", json=[ubi_js_event()])
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 1 and response.json()["unknown_query_ids"] == []
    (event,) = [r.event for r in services.events.read(after=0) if r.event is not None]
    assert (event.product_id, event.search_id, event.position, event.user_id) == ("p4", "q-1", 1, "c-1")


@pytest.mark.parametrize(
    ("path", "document", "named"),
    [
        ("/v1/ubi/events", ubi_js_event(client_id="c\x001"), "client_id: contains a control character"),
        ("/v1/ubi/events", ubi_js_event(user_id="\ud800"), "user_id: contains an unpaired surrogate"),
        ("/v1/ubi/events", ubi_js_event(extra="x"), "0.extra"),
        (
            "/v1/ubi/events",
            ubi_js_event(event_attributes={"object": {"object_id": "p4", "no\x07te": "x"}}),
            "event_attributes.object.key: contains a control character",
        ),
        ("/v1/ubi/queries", ubi_js_query(message="a\x1bb"), "message: contains a control character"),
        ("/v1/ubi/queries", ubi_js_query(query_attributes={"k\x00": 1}), "query_attributes.key"),
        ("/v1/ubi/queries", ubi_js_query(messages="x"), "0.messages"),
    ],
)
def test_ubi_documents_are_checked_like_native_ones(served, path: str, document: dict, named: str) -> None:
    client, services = served
    refused(client.post(path, content=json.dumps([document])), named)  # json.dumps escapes \ud800
    services.impressions.flush()
    assert services.events.read(after=0) == []
