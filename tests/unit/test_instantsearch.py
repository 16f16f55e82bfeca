"""The InstantSearch-compatible search endpoints over the fake catalog: parameters in both wire forms,
filters against a brute-force count, paging, sorted replicas, facet-only queries, queryID -> impression,
and the errors for what cannot be honoured."""

from __future__ import annotations

import json
import math
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from api.algolia import to_record
from api.deps import Services
from engine.pipeline.price_order import UNBUYABLE
from engine.records import Filters, Product
from tests.unit.gateway_fakes import CATALOG

MULTI = "/1/indexes/*/queries"


@pytest.fixture
def client(served: tuple[TestClient, Services]) -> TestClient:
    return served[0]


def params(**values: object) -> str:
    """An Algolia params string: lists as JSON, the rest as text."""
    return urlencode(
        {
            k: json.dumps(v) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else v
            for k, v in values.items()
        }
    )


def one(client: TestClient, **values: object) -> dict:
    response = client.post(MULTI, json={"requests": [{"indexName": "products", **values}]})
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    return result


def brute_force(filters: Filters) -> list[str]:
    return [p.id for p in CATALOG if filters.matches(p)]


def test_a_text_query_answers_in_the_algolia_shape_and_logs_its_queryid(served) -> None:
    client, services = served
    body = {
        "requests": [
            {
                "indexName": "products",
                "params": params(query="running shoes", hitsPerPage=2, facets=["brand"], clickAnalytics=True),
            }
        ]
    }
    response = client.post(MULTI, content=json.dumps(body), headers={"content-type": "text/plain"})
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    assert {
        "hits",
        "nbHits",
        "page",
        "nbPages",
        "hitsPerPage",
        "facets",
        "processingTimeMS",
        "queryID",
    } <= set(result)
    assert result["page"] == 0 and result["hitsPerPage"] == 2 and len(result["hits"]) == 2
    assert result["nbPages"] == math.ceil(result["nbHits"] / 2)
    assert {h["objectID"] for h in result["hits"]} <= {"p1", "p2"} | {p.id for p in CATALOG}
    assert result["hits"][0]["objectID"] in ("p1", "p2")
    assert sum(result["facets"]["brand"].values()) == result["nbHits"]
    services.impressions.flush()
    logged = services.events.impression(result["queryID"])
    assert logged is not None
    assert list(logged.product_ids) == [h["objectID"] for h in result["hits"]]
    assert list(logged.positions) == [1, 2] and logged.query == "running shoes"


def test_no_queryid_without_click_analytics(client: TestClient) -> None:
    assert "queryID" not in one(client, query="knife")


@pytest.mark.parametrize(
    ("facet_filters", "numeric_filters", "expected"),
    [
        ([["brand:Acme", "brand:Peak"]], [], Filters(brands=("Acme", "Peak"))),
        (["brand:Acme", "brand:Peak"], [], None),  # one brand per product: AND of two is empty
        ([["brand:Acme", "brand:Peak"], "brand:Peak"], [], Filters(brands=("Peak",))),
        (["category:Home"], ["price<=40"], Filters(category=("Home",), price_max=40)),
        (["category_path:Home > Kitchen > Cups"], [], Filters(category=("Home", "Kitchen", "Cups"))),
        (["category:Home", "category:Sports"], [], None),
        (["attr.color:red"], [], Filters(attributes={"color": ("red",)})),
        ([["availability:out_of_stock", "availability:discontinued"]], [], Filters(availability=UNBUYABLE)),
        (
            ["availability:in_stock", "category:Home"],
            [],
            Filters(availability=("in_stock",), category=("Home",)),
        ),
        (["availability:in_stock", "availability:preorder"], [], None),
        ([], ["price>=30", "price<59"], Filters(price_min=30, price_max=58.99999999)),
        ([], ["price:20 TO 45"], Filters(price_min=20, price_max=45)),
        ([], ["price=59"], Filters(price_min=59, price_max=59)),
        ([], ["price>100", "price<50"], None),
    ],
)
def test_filters_match_a_brute_force_count(
    client: TestClient, facet_filters, numeric_filters, expected
) -> None:
    result = one(
        client, query="", hitsPerPage=100, facetFilters=facet_filters, numericFilters=numeric_filters
    )
    wanted = brute_force(expected) if expected is not None else []
    assert result["nbHits"] == len(wanted)
    assert sorted(h["objectID"] for h in result["hits"]) == sorted(wanted)


def test_refinement_narrows_a_text_search(client: TestClient) -> None:
    everything = one(client, query="running", facets=["brand"])
    assert set(everything["facets"]["brand"]) >= {"Acme", "Peak"}
    narrowed = one(client, query="running", facets=["brand"], facetFilters=[["brand:Peak"]])
    assert narrowed["nbHits"] == everything["facets"]["brand"]["Peak"]
    assert narrowed["hits"] and {h["brand"] for h in narrowed["hits"]} == {"Peak"}


def test_pages_cover_the_catalog_once_in_popularity_order_the_buyable_first(client: TestClient) -> None:
    pages = [one(client, query="", hitsPerPage=3, page=page) for page in range(3)]
    assert [p["nbPages"] for p in pages] == [3, 3, 3]
    ids = [h["objectID"] for p in pages for h in p["hits"]]
    assert any(not p.available for p in CATALOG)
    by_popularity = [p.id for p in sorted(CATALOG, key=lambda p: (not p.available, -p.popularity))]
    assert ids == by_popularity
    assert one(client, query="", hitsPerPage=3, page=3)["hits"] == []


def test_sorted_replicas_and_the_single_index_endpoint(client: TestClient) -> None:
    response = client.post(
        "/1/indexes/products_price_asc/query", json={"params": params(query="", hitsPerPage=20)}
    )
    assert response.status_code == 200, response.text
    hits = response.json()["hits"]
    buyable = sorted(p.price for p in CATALOG if p.price is not None and p.available)
    assert [h["price"] for h in hits[: len(buyable)]] == buyable
    sold = [p for p in CATALOG if not p.available]
    assert sold and {h["objectID"] for h in hits[-len(sold) :]} == {p.id for p in sold}  # sold out last
    assert hits[len(buyable)]["objectID"] == "p8" and hits[len(buyable)]["price"] is None  # then unpriced
    desc = client.post("/1/indexes/products_price_desc/query", json={"query": "", "hitsPerPage": 2}).json()
    assert [h["objectID"] for h in desc["hits"]] == ["p3", "p2"]


def test_facet_only_queries_answer_counts_without_hits_or_impressions(served) -> None:
    client, services = served
    before = services.events.counts().get("impression", 0)
    result = one(client, query="knife", hitsPerPage=0, facets=["brand"], analytics=False, clickAnalytics=True)
    assert result["hits"] == [] and result["nbHits"] > 0 and result["nbPages"] == 0
    assert result["facets"]["brand"] and "queryID" not in result
    services.impressions.flush()
    assert services.events.counts().get("impression", 0) == before


def test_several_queries_answer_in_order(client: TestClient) -> None:
    body = {
        "requests": [
            {"indexName": "products", "query": "knife", "hitsPerPage": 1},
            {"indexName": "products", "query": "", "hitsPerPage": 0, "facets": ["*"]},
        ]
    }
    results = client.post(MULTI, json=body).json()["results"]
    assert results[0]["hits"][0]["objectID"] in ("p4", "p5")
    assert set(results[1]["facets"]) == {"brand", "category", "availability", "price"}


@pytest.mark.parametrize(
    ("request_", "named"),
    [
        ({"filters": "brand:Acme"}, "filters"),
        ({"facetFilters": [["brand:Acme", "category:Home"]]}, "OR group"),
        ({"facetFilters": ["color:red"]}, "color"),
        ({"facetFilters": ["-brand:Acme"]}, "negated"),
        ({"facetFilters": ["availability:sold_out"]}, "sold_out"),
        ({"facetFilters": [["category:Home", "category:Sports"]]}, "category"),
        ({"numericFilters": ["popularity>3"]}, "price"),
        ({"numericFilters": ["price>cheap"]}, "price>cheap"),
        ({"hitsPerPage": 500}, "hitsPerPage"),
        ({"page": -1}, "page"),
        ({"facets": ["colour"]}, "colour"),
        ({"params": "facetFilters=%5Bbroken"}, "facetFilters"),
        ({"type": "facet", "facet": "brand"}, "facet values"),
    ],
)
def test_what_cannot_be_honoured_is_422_naming_it(client: TestClient, request_: dict, named: str) -> None:
    response = client.post(MULTI, json={"requests": [{"indexName": "products", **request_}]})
    assert response.status_code == 422, response.text
    assert named in response.json()["error"]["message"]


def test_a_body_that_is_not_a_multi_query_is_422(client: TestClient) -> None:
    for body in (b"not json", b"{}", b'{"requests": []}'):
        response = client.post(
            MULTI, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
        )
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"


def test_a_record_says_which_variant_it_is() -> None:
    shirt = Product("shirt-m", "Linen shirt", attributes={"variant": "M", "group": "shirt"})
    assert to_record(shirt)["variant"] == "M"
    assert to_record(Product("mug", "Mug"))["variant"] is None
