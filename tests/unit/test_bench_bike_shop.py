"""The made-up Brno bicycle shop (`bench.bike_shop`): its Heureka feed reads as the catalog it stands for
(an item a product, category paths, the maker as the brand, the maker's code and EAN as identifiers,
parameters as attributes, a bicycle's and a helmet's sizes one family each, a price written as a Czech
spreadsheet writes it, the used bicycle's condition, the shop's bids and carriers left out), the item
with no name reported by its line; and every judged query has a product it asks for."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.bike_shop import FEED, write
from engine.schema_checks import Limits
from indexer.loading import load_catalog
from tests.support.judged import read_judged, read_products


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bike")
    counts = write(out)
    assert counts == {"items": 47, "products": 46, "bad items": 1, "queries": 112, "judgements": 5152}
    return out


def test_the_feed_reads_as_products_with_their_parameters(shop: Path) -> None:
    feed = (shop / FEED).read_text(encoding="utf-8")
    assert feed.count("<SHOPITEM>") == 47 and feed.startswith(
        '<?xml version="1.0" encoding="utf-8"?>\n<SHOP>'
    )
    products = read_products(shop)
    bike = products[1]
    assert (bike.id, bike.title, bike.brand) == ("3002", "Horské kolo Horal Trail 29 M", "Horal")
    assert bike.category == ("Sport", "Cyklistika", "Jízdní kola", "Horská kola") and bike.currency == "CZK"
    assert (bike.attributes["mpn"], bike.attributes["ean"]) == ("HR-TR29-M", "8595721300024")
    assert (bike.family, bike.variant) == ("HR-TR29", 'černá / M (17")')
    assert bike.image and bike.image.endswith("/3002.jpg")  # the main picture, not the further one
    assert bike.description == "Hardtail na trail s pérovou vidlicí 120 mm a kotoučovými brzdami."  # no HTML


def test_prices_delivery_and_condition(shop: Path) -> None:
    by_code = {p.attributes["mpn"]: p for p in read_products(shop)}
    assert by_code["HR-RK275"].price == 15990.0  # written "15 990 Kč"
    assert by_code["HR-ERK29"].attributes["delivery_days"] == 14
    assert [code for code, p in by_code.items() if p.attributes.get("condition") == "used"] == ["BZ-TR29-M"]
    families = Counter(p.family for p in by_code.values() if p.family)
    assert families == {"HR-TR29": 3, "JS-AIR": 2, "SV-DR-M": 3}
    for product in by_code.values():
        assert not set(product.attributes) & {"HEUREKA_CPC", "DELIVERY", "VAT", "PRODUCT", "PRODUCTNO", "EAN"}


def test_the_item_with_no_name_is_reported_by_its_line(shop: Path) -> None:
    lines = (shop / FEED).read_text(encoding="utf-8").splitlines()
    item = next(n for n, line in enumerate(lines, 1) if line == "\t\t<ITEM_ID>3047</ITEM_ID>") - 1
    problems = load_catalog(shop / FEED, Limits.for_shop("CZK")).problems
    assert [(p.line, p.product_id, p.message) for p in problems] == [(item, "3047", "title: required")]


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 112
    by_text = {text: q for q, text in queries.items()}
    # helmets: the two sizes of the Air, the children's and the e-bike one
    assert asked[by_text["helma"]] == asked[by_text["přilba"]] == 4
    assert asked[by_text["elektrokolo"]] == asked[by_text["ebike"]] == 2
    assert asked[by_text["bazar kolo"]] == asked[by_text["8595721300314"]] == 1
