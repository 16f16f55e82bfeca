"""A clothing shop's sizes and colours (products naming one `group`) shown once per family: totals and
pages count families, a price sort shows each family by its cheapest member, a sold-out size does not
stand for its family, a size's GTIN finds that size, and `distinct: false` lists every product."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from engine.pipeline.types import PipelineConfig
from engine.records import Product
from tests.unit.gateway_fakes import app_client, make_services, search


def variant(pid: str, title: str, family: str | None, price: float, **extra: object) -> Product:
    attributes = {"group": family} if family is not None else {}
    availability = str(extra.pop("availability", "in_stock"))
    attributes.update({k: v for k, v in extra.items() if v is not None})
    return Product(pid, title, brand="Norrsken", category=("Clothing",), price=price, attributes=attributes,
                   availability=availability)  # fmt: skip


SHELL = [
    # The best-placed shell jacket (its title says "jacket" twice) is sold out: an in-stock size stands in.
    variant("shell-bk-m", "Shell jacket black jacket", "shell", 899.0, availability="out_of_stock"),
    *(variant(f"shell-{c}-{s}", "Shell jacket", "shell", 899.0, gtin=f"735000{i}{j}")
      for i, c in enumerate(("bk", "gr")) for j, s in enumerate(("s", "l")) if (c, s) != ("bk", "m")),
    variant("shell-gr-m", "Shell jacket", "shell", 799.0),  # one size on sale
]  # fmt: skip
DOWN = [
    variant(f"down-{s}", "Down jacket", "down", 499.0 + 10 * i, size=s.upper()) for i, s in enumerate("sml")
]
RAIN = [variant("rain", "Rain jacket", None, 299.0)]  # a product of its own
SHIRTS = [
    variant(f"shirt{n}-{s}", f"Linen shirt model {n}", f"shirt{n}", 100.0 + n + i)
    for n in range(7)
    for i, s in enumerate(("s", "m", "l"))
]
SINGLE_SHIRTS = [variant("tee-a", "Cotton shirt", None, 50.0), variant("tee-b", "Wool shirt", "tee-b", 80.0)]
CATALOG = [*SHELL, *DOWN, *RAIN, *SHIRTS, *SINGLE_SHIRTS]
BY_ID = {p.id: p for p in CATALOG}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with app_client(tmp_path, CATALOG) as test_client:
        yield test_client


def family(pid: str) -> str:
    return BY_ID[pid].family or pid


def test_each_family_shows_once_and_total_counts_families(client: TestClient) -> None:
    answer = search(client, query="jacket", facets=["brand"], size=10)
    ids = [h["id"] for h in answer["hits"]]
    assert answer["total"] == 3 and sorted(map(family, ids)) == ["down", "rain", "shell"]
    variants = {family(h["id"]): h["variants"] for h in answer["hits"]}
    assert variants == {"shell": len(SHELL), "down": len(DOWN), "rain": 1}
    assert sorted(str(h["family"]) for h in answer["hits"]) == ["None", "down", "shell"]
    # Facets count what total counts: the three families, not their products.
    assert answer["facets"]["brand"] == [{"value": "Norrsken", "count": 3}]
    every = search(client, query="jacket", facets=["brand"], distinct=False)
    assert every["facets"]["brand"] == [{"value": "Norrsken", "count": len(SHELL) + len(DOWN) + 1}]


@pytest.mark.parametrize("query", ["jacket", "shirt", "down jacket"])
def test_each_facet_count_is_the_total_its_filter_leaves(client: TestClient, query: str) -> None:
    fields = ["brand", "category", "availability", "price", "attr.size", "attr.gtin"]
    answer = search(client, query=query, facets=fields, size=1)
    checked = 0
    for field in fields:
        for bucket in answer["facets"][field]:
            clicked = facet_filter(field, bucket["value"])
            if clicked is not None:
                assert search(client, query=query, size=1, filters=clicked)["total"] == bucket["count"], (
                    bucket
                )
                checked += 1
    assert checked >= 4


def facet_filter(field: str, value: str) -> dict[str, object] | None:
    """The request filter a front end sends when a shopper clicks `value` in facet `field` (None for
    an availability other than in stock, which no filter selects alone)."""
    if field.startswith("attr."):
        return {"attributes": {field[len("attr.") :]: [value]}}
    if field == "price":
        low, high = value.split("-")
        bounds = {"min": float(low)} if low != "*" else {}
        return {"price": {**bounds, "max": float(high) - 0.01} if high != "*" else bounds}
    if field == "availability":
        return {"available_only": True} if value == "in_stock" else None
    return {"brand": [value]} if field == "brand" else {"category": [value]}


def test_a_family_hit_carries_the_price_range_of_its_matching_variants(client: TestClient) -> None:
    hits = {family(h["id"]): h for h in search(client, query="jacket")["hits"]}
    assert (hits["down"]["price_min"], hits["down"]["price_max"]) == (499.0, 519.0)
    assert (hits["shell"]["price_min"], hits["shell"]["price_max"]) == (799.0, 899.0)  # one size on sale
    assert hits["rain"]["price_min"] is None  # a product of its own
    small = search(client, query="down jacket", filters={"attributes": {"size": ["S", "M"]}})["hits"]
    assert [(h["variants"], h["price_min"], h["price_max"]) for h in small] == [(2, 499.0, 509.0)]
    one = search(client, query="down jacket", filters={"attributes": {"size": ["L"]}})["hits"]
    assert one[0]["price_min"] is None  # one variant: its own price
    every = search(client, query="jacket", distinct=False)["hits"]
    assert all(h["price_min"] is None for h in every)
    body = {"requests": [{"indexName": "products", "params": {"query": "down jacket"}}]}
    record = client.post("/1/indexes/*/queries", json=body).json()["results"][0]["hits"][0]
    assert (record["variants"], record["price_min"], record["price_max"]) == (3, 499.0, 519.0)
    body = {"requests": [{"indexName": "products", "params": {"query": "", "hitsPerPage": 50}}]}
    browsed = client.post("/1/indexes/*/queries", json=body).json()["results"][0]["hits"]
    down = next(r for r in browsed if family(r["objectID"]) == "down")
    assert (down["variants"], down["price_min"], down["price_max"]) == (3, 499.0, 519.0)


def test_a_sold_out_size_does_not_stand_for_its_family(client: TestClient) -> None:
    hits = search(client, query="shell jacket", pipeline="bm25")["hits"]
    assert len(hits) == 1 and hits[0]["id"] != "shell-bk-m" and hits[0]["availability"] == "in_stock"


def test_a_sizes_identifier_finds_that_size(client: TestClient) -> None:
    gtin = BY_ID["shell-gr-l"].attributes["gtin"]
    hits = search(client, query=gtin)["hits"]
    assert hits[0]["id"] == "shell-gr-l"


def test_pages_are_pages_of_families_past_the_retrieval_depth(client: TestClient) -> None:
    families = {p.family or p.id for p in [*SHIRTS, *SINGLE_SHIRTS]}
    seen: list[str] = []
    for page in range(1, 6):
        answer = search(client, query="shirt", size=2, page=page)
        assert answer["total"] == len(families) == 9
        seen += [family(h["id"]) for h in answer["hits"]]
    assert len(seen) == len(set(seen)) == 9 and set(seen) == families
    assert search(client, query="shirt", size=2, page=6)["hits"] == []


def test_a_price_sort_orders_families_by_their_cheapest_member(client: TestClient) -> None:
    for sort, pick in (("price_asc", min), ("price_desc", max)):
        hits = search(client, query="jacket", sort=sort)["hits"]
        prices = [h["price"] for h in hits]
        assert prices == sorted(prices, reverse=sort == "price_desc")
        for hit in hits:
            members = [p.price for p in CATALOG if family(p.id) == family(hit["id"])]
            assert hit["price"] == pick(members)
    pages = [search(client, query="shirt", sort="price_asc", size=4, page=n)["hits"] for n in (1, 2, 3)]
    listed = [h for page in pages for h in page]
    assert len({family(h["id"]) for h in listed}) == len(listed) == 9
    assert [h["price"] for h in listed] == sorted(h["price"] for h in listed)


def test_distinct_false_lists_every_product(client: TestClient) -> None:
    answer = search(client, query="jacket", distinct=False, size=20)
    assert answer["total"] == len(SHELL) + len(DOWN) + 1 == len(answer["hits"])
    assert all(h["variants"] is None for h in answer["hits"])


def test_browsing_lists_each_family_once(client: TestClient) -> None:
    # An InstantSearch page opens on an empty search box: the catalog, browsed.
    body = {"requests": [{"indexName": "products", "params": {"query": "", "hitsPerPage": 50}}]}
    answer = client.post("/1/indexes/*/queries", json=body).json()["results"][0]
    families = {p.family or p.id for p in CATALOG}
    assert answer["nbHits"] == len(families) == len(answer["hits"])
    assert {family(h["objectID"]) for h in answer["hits"]} == families


def test_browsing_counts_facets_in_families(client: TestClient) -> None:
    def browse(**params: object) -> dict:
        query = {"query": "", "facets": ["brand", "attr.size"], "hitsPerPage": 1, **params}
        body = {"requests": [{"indexName": "products", "params": query}]}
        return dict(client.post("/1/indexes/*/queries", json=body).json()["results"][0])

    once = browse()
    assert once["facets"]["brand"] == {"Norrsken": once["nbHits"]}
    assert once["facets"]["attr.size"] == {"S": 1, "M": 1, "L": 1}  # the down jacket's sizes
    every = browse(distinct=False)
    assert every["facets"]["brand"] == {"Norrsken": len(CATALOG)} and len(CATALOG) > once["nbHits"]


def test_instantsearch_distinct(client: TestClient) -> None:
    def nb_hits(**params: object) -> int:
        body = {"requests": [{"indexName": "products", "params": {"query": "jacket", **params}}]}
        response = client.post("/1/indexes/*/queries", json=body)
        assert response.status_code == 200, response.text
        return int(response.json()["results"][0]["nbHits"])

    assert nb_hits() == nb_hits(distinct=True) == nb_hits(distinct=1) == 3
    assert nb_hits(distinct=False) == nb_hits(distinct=0) == len(SHELL) + len(DOWN) + 1
    body = {"requests": [{"indexName": "products", "params": {"query": "jacket", "distinct": 2}}]}
    refused = client.post("/1/indexes/*/queries", json=body)
    assert refused.status_code == 422 and "distinct" in refused.text


def test_similar_items_leave_out_the_items_family_and_show_each_other_family_once(
    client: TestClient,
) -> None:
    hits = client.get("/v1/products/shirt3-m/similar", params={"size": 10}).json()["hits"]
    families = [family(h["id"]) for h in hits]
    assert "shirt3" not in families and len(families) == len(set(families)) >= 5


def test_recommendations_show_each_family_once(client: TestClient) -> None:
    new = client.get("/v1/recommendations", params={"user_id": "newbie", "size": 12}).json()
    assert new["strategy"] == "popular"
    families = [family(h["id"]) for h in new["hits"]]
    assert len(families) == len(set(families)) == 12
    event = {"type": "click", "product_id": "shirt2-s", "user_id": "runner", "event_id": "e1"}
    assert client.post("/v1/events", json=[event]).status_code == 202
    personal = client.get("/v1/recommendations", params={"user_id": "runner", "size": 8}).json()
    assert personal["strategy"] == "personal"
    families = [family(h["id"]) for h in personal["hits"]]
    assert len(families) == len(set(families)) >= 5


def test_a_filter_on_an_option_shows_each_family_by_a_member_that_has_it(client: TestClient) -> None:
    facets = search(client, query="down jacket", facets=["attr.size"])["facets"]["attr.size"]
    assert sorted((f["value"], f["count"]) for f in facets) == [("L", 1), ("M", 1), ("S", 1)]
    large = search(client, query="down jacket", filters={"attributes": {"size": ["L"]}})
    assert large["total"] == 1 and [(h["id"], h["variants"]) for h in large["hits"]] == [("down-l", 1)]


def test_a_pinned_size_stands_for_its_family(client: TestClient) -> None:
    # One family matches; pinning another of its sizes to position 2 must not leave the size that stood
    # for it at position 1 (and the pin dropped as a second showing of the family).
    shown = [h["id"] for h in search(client, query="down jacket")["hits"]]
    assert len(shown) == 1 and family(shown[0]) == "down"
    other = next(p.id for p in DOWN if p.id != shown[0])
    pin = {
        "id": "size",
        "action": "pin",
        "query": "down jacket",
        "pins": [{"product_id": other, "position": 2}],
    }
    rules = {"bury_unavailable": True, "rules": [pin]}
    assert (
        client.put("/v1/admin/rules", json=rules, headers={"Authorization": "Bearer secret"}).status_code
        == 200
    )
    assert [h["id"] for h in search(client, query="down jacket")["hits"]] == [other]


def test_families_show_once_when_the_answer_comes_from_the_dense_side_alone(tmp_path: Path) -> None:
    config = PipelineConfig(max_query_chars=64, semantic_threshold=0.99, near_threshold=0.99)
    services = make_services(tmp_path, products=CATALOG, config=config)
    try:
        with TestClient(create_app(services)) as test_client:
            services.lexical.down = True  # type: ignore[attr-defined]
            answer = search(test_client, query="linen shirt", size=20)
            assert answer["degraded"] == ["lexical"]
            families = [family(h["id"]) for h in answer["hits"]]
            assert len(families) == len(set(families)) == answer["total"] > 1
    finally:
        services.close()


def test_a_variable_product_heading_its_family_is_not_counted_as_a_variant(tmp_path: Path) -> None:
    # WooCommerce's export as the ingest reads it: the variable product 101 keys its family by its own
    # id, its three weights name it; "Kauknochen" is a product of its own.
    food = [
        variant("101", "Trockenfutter Lamm", "101", 12.99),
        *(variant(f"10{n}", f"Trockenfutter Lamm {w}", "101", 12.99 + n, Gewicht=w)
          for n, w in ((2, "2 kg"), (3, "7 kg"), (4, "12 kg"))),
        variant("200", "Kauknochen Lamm", None, 4.99),
    ]  # fmt: skip
    with app_client(tmp_path, food) as shop:
        hits = search(shop, query="trockenfutter")["hits"]
        assert [(h["id"], h["variants"]) for h in hits] == [("101", 3)]  # the three weights, not four
        # The range of the weights' prices, not of the head's (which the ingest gave their lowest).
        assert (hits[0]["price_min"], hits[0]["price_max"]) == (12.99 + 2, 12.99 + 4)
        seven = search(shop, query="trockenfutter", filters={"attributes": {"Gewicht": ["7 kg"]}})["hits"]
        assert [(h["id"], h["variants"]) for h in seven] == [("103", 1)]  # the head is not in this set
        body = {"requests": [{"indexName": "products", "params": {"query": "", "hitsPerPage": 5}}]}
        browsed = shop.post("/1/indexes/*/queries", json=body).json()["results"][0]
        assert browsed["nbHits"] == 2


def test_a_price_sort_shows_a_family_by_its_cheapest_size_in_stock_and_sold_out_families_last(
    tmp_path: Path,
) -> None:
    boots = [
        variant("boot-40", "Hiking boot", "boot", 59.0, availability="out_of_stock"),  # on sale, sold out
        variant("boot-41", "Hiking boot", "boot", 79.0),
        variant("boot-42", "Hiking boot", "boot", 69.0),
    ]
    gone = [
        variant(f"clog-{n}", "Garden boot clog", "clog", 9.0 + n, availability="discontinued") for n in (1, 2)
    ]
    catalog = [*boots, *gone, variant("wader", "Fishing boot wader", None, 65.0)]
    with app_client(tmp_path, catalog) as client:
        answer = search(client, query="boot", sort="price_asc", debug=True)
        assert answer["total"] == 3
        assert (answer["hits"][1]["price_min"], answer["hits"][1]["price_max"]) == (69.0, 79.0)  # not 59
        assert [(h["id"], h["price"]) for h in answer["hits"]] == [
            ("wader", 65.0),
            ("boot-42", 69.0),
            ("clog-1", 10.0),
        ]
        bury = {"rule_id": "bury_unavailable", "action": "bury", "product_ids": ["clog-1"], "skipped": []}
        assert bury in answer["rules"]
        descending = search(client, query="boot", sort="price_desc")["hits"]
        assert [h["id"] for h in descending] == ["boot-41", "wader", "clog-2"]


def test_a_query_naming_a_size_shows_each_family_by_that_size(tmp_path: Path) -> None:
    bags = [
        variant(f"rc-{kg}", "Pienso Royal Canin para perros", "rc", 3.1 * kg, variant=f"{kg} kg")
        for kg in (3, 12)
    ]
    bags += [
        variant(f"adv-{kg}", "Pienso Advance para perros", "adv", 2.9 * kg, variant=f"{kg} kg")
        for kg in (3, 12)
    ]
    with app_client(tmp_path, [*bags, variant("cat", "Pienso para gatos", None, 9.0)]) as client:
        sized = search(client, query="pienso 12 kg")
        assert sized["total"] == 2 and {h["id"] for h in sized["hits"]} == {"rc-12", "adv-12"}
        assert all(h["variants"] == 1 and h["variant"] == "12 kg" for h in sized["hits"])  # a card says so
        assert search(client, query="pienso perros")["total"] == 2  # each family once, by any size


def test_a_feed_items_colour_and_size_find_it_and_title_its_card(tmp_path: Path) -> None:
    """A Google feed names a variant by `color` and `size` attributes, with no `variant` of its own."""
    tees = [
        variant(f"tee-{c[:3].lower()}-{s.lower()}", "Crew tee", "tee", 19.0, color=c, size=s)
        for c in ("Black", "Navy")
        for s in ("M", "XL")
    ]
    with app_client(tmp_path, [*tees, variant("cap", "Baseball cap", None, 15.0, color="Navy")]) as client:
        navy_xl = search(client, query="navy tee xl")
        assert navy_xl["hits"][0]["id"] == "tee-nav-xl" and navy_xl["hits"][0]["variant"] == "Navy / XL"
        black = search(client, query="black tee")
        assert black["total"] == 1 and black["hits"][0]["variant"].startswith("Black / ")
        assert search(client, query="navy cap")["hits"][0]["variant"] == "Navy"  # a product of its own
