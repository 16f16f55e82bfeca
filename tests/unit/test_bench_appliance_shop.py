"""The made-up Moscow appliance shop (`bench.appliance_shop`): its YML feed reads as the catalog it
stands for (category paths, params as attributes, phones as families, sales, vendor.model names, roubles
written "RUR"), the two offers that cannot be read reported by line; and every judged query has a
product it asks for."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.appliance_shop import FEED, write
from tests.support.judged import read_judged, read_products


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("appliance")
    counts = write(out)
    assert counts == {"offers": 46, "products": 44, "bad offers": 2, "queries": 74, "judgements": 990}
    return out


def test_the_feed_reads_as_products_with_their_categories_params_and_families(shop: Path) -> None:
    assert (shop / FEED).read_text(encoding="utf-8").count("<offer ") == 46
    products = {p.title: p for p in read_products(shop)}
    fridge = products["Холодильник Bosch KGN39VI25R"]
    assert fridge.category == ("Бытовая техника", "Холодильники") and fridge.currency == "RUB"
    assert (fridge.price, fridge.attributes["regular_price"]) == (64990.0, 72990.0)
    assert fridge.attributes["Общий объём"] == "366 л" and fridge.attributes["mpn"] == "KGN39VI25R"
    assert "Телевизор Samsung UE55AU7100U" in products  # a vendor.model offer, named by its parts
    phones = [p for p in products.values() if "iPhone 15" in p.title]
    assert len(phones) == 4 and len({p.attributes["group"] for p in phones}) == 1
    assert {p.attributes["Память"] for p in phones} == {"128 ГБ", "256 ГБ"}


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 74
    by_text = {text: q for q, text in queries.items()}
    assert asked[by_text["[jkjlbkmybr"]] == 5  # every fridge, typed with the Latin layout on
    assert asked[by_text["iphone 15 256gb"]] == 2  # both colours of the 256 GB iPhone 15
