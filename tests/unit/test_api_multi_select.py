"""Facets a shopper picks several values of (`disjunctive_facets`, `engine.pipeline.multi_select`): each
counted as the same search without its own filter counts it, the others and `total` with every filter."""

from __future__ import annotations

from pathlib import Path

from engine.records import Product
from tests.unit.gateway_fakes import app_client, search


def item(pid: str, title: str, brand: str, price: float, family: str = "", **attributes: str) -> Product:
    given = {"group": family, **attributes} if family else attributes
    return Product(pid, title, brand=brand, category=("Clothing",), price=price, attributes=given)


CATALOG = [
    *(
        item(f"tee-{c[:2]}-{s}", "Crew tee", "Northwind", 19.0, "tee", color=c, size=s)
        for c in ("black", "navy")
        for s in ("S", "M", "L")
    ),
    item("vneck-M", "V-neck tee", "Northwind", 29.0, "vneck", color="olive", size="M"),
    item("vneck-L", "V-neck tee", "Northwind", 29.0, "vneck", color="olive", size="L"),
    item("pocket-M", "Pocket tee", "Bluecoast", 24.0, color="black", size="M"),
    item("ringer", "Ringer tee", "Saddle", 35.0, color="white", size="XL"),
    item("jeans", "Slim jeans", "Bluecoast", 59.0, size="32"),
]
FACETS = ["attr.size", "attr.color", "brand", "price"]


def counts(answer: dict, facet: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in answer["facets"][facet]}


def test_a_picked_facet_counts_as_the_search_without_its_own_filter(tmp_path: Path) -> None:
    with app_client(tmp_path, CATALOG) as client:
        everything = search(client, query="tee", facets=FACETS)
        black = search(client, query="tee", facets=FACETS, filters={"attributes": {"color": "black"}})
        picked = {"attributes": {"size": ["M"], "color": "black"}}
        plain = search(client, query="tee", facets=FACETS, filters=picked)
        multi = search(client, query="tee", facets=FACETS, filters=picked, disjunctive_facets=["attr.size"])
        assert counts(plain, "attr.size") == {"M": 2}  # the other sizes are gone from the page
        assert counts(multi, "attr.size") == counts(black, "attr.size") == {"S": 1, "M": 2, "L": 1}
        size_m = search(client, query="tee", facets=FACETS, filters={"attributes": {"size": "M"}})
        assert counts(multi, "attr.color") == counts(plain, "attr.color") != counts(size_m, "attr.color")
        assert multi["total"] == plain["total"] == 2 and multi["hits"] == plain["hits"]
        both = search(
            client, query="tee", facets=FACETS, filters=picked, disjunctive_facets=["attr.size", "attr.color"]
        )
        assert counts(both, "attr.color") == counts(size_m, "attr.color")
        assert counts(both, "attr.color") == {"black": 2, "navy": 1, "olive": 1}
        assert counts(both, "brand") == counts(plain, "brand") != counts(everything, "brand")  # not lifted


def test_brands_and_prices_stay_to_pick_from(tmp_path: Path) -> None:
    with app_client(tmp_path, CATALOG) as client:
        everything = search(client, query="tee", facets=FACETS)
        one = {"brand": "Bluecoast", "price": {"min": 20, "max": 30}}
        multi = search(client, query="tee", facets=FACETS, filters=one, disjunctive_facets=["brand", "price"])
        assert multi["total"] == 1 and [h["id"] for h in multi["hits"]] == ["pocket-M"]
        in_range = search(client, query="tee", facets=FACETS, filters={"price": one["price"]})
        assert counts(multi, "brand") == counts(in_range, "brand") == {"Bluecoast": 1, "Northwind": 1}
        blue = search(client, query="tee", facets=FACETS, filters={"brand": "Bluecoast"})
        assert counts(multi, "price") == counts(blue, "price")
        assert counts(multi, "brand") != counts(everything, "brand")  # the price filter still holds


def test_a_disjunctive_facet_must_be_counted_and_not_a_category(tmp_path: Path) -> None:
    with app_client(tmp_path, CATALOG) as client:
        for body, named in [
            ({"facets": ["brand"], "disjunctive_facets": ["attr.size"]}, "'attr.size' is not among"),
            ({"facets": ["category"], "disjunctive_facets": ["category"]}, "'category' is a hierarchy"),
        ]:
            response = client.post("/v1/search", json={"query": "tee", **body})
            assert response.status_code == 422
            assert named in response.json()["error"]["message"]
