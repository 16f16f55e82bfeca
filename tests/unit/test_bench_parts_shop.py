"""The made-up Leipzig car-parts shop (`bench.parts_shop`): its Shopware 6 export, read with its category
and property exports, is the catalog it stands for: categories as paths, properties as attributes, each
variant a member of its product's family with its option, its product's price unless it has its own,
the product taken off the shop and the one in no sales channel left out, the nameless row reported by
line; without the names files `indexer check` names the columns of ids; and every judged query has a
product it asks for."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.parts_shop import CATEGORIES, EXPORT, LIMITS, PROPERTIES, feed, write
from engine.lexical.matching import SearchFields
from indexer.check import check_catalog
from tests.support.judged import read_judged, read_products


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parts")
    counts = write(out)
    assert counts == {"export rows": 82, "products": 79, "bad rows": 1, "queries": 93, "judgements": 824}
    return out


def test_the_export_reads_as_products_with_their_categories_properties_and_variants(shop: Path) -> None:
    export = shop / EXPORT
    assert export.read_text(encoding="utf-8").startswith("id;parent_id;product_number;active;stock;name;")
    report = check_catalog(export, LIMITS, feed((shop / CATEGORIES, shop / PROPERTIES)), SearchFields())
    assert report.valid == 79 and report.unpublished == 2  # taken off the shop, in no sales channel
    assert [(p.line, p.message) for p in report.problems] == [(83, "title: required")]
    assert not report.unnamed and "properties" not in report.attributes
    products = read_products(shop)
    disc = next(p for p in products if p.title == "Bremsscheibe belüftet" and "variant" not in p.attributes)
    assert disc.category == ("Bremsanlage", "Bremsscheiben") and disc.brand == "BREMBO"
    assert disc.attributes["Fahrzeug"] == ["VW Golf VII", "Audi A3 8V", "Skoda Octavia III"]
    assert disc.availability == "in_stock"  # its own stock is 0; its variants hold the stock
    sizes = [p for p in products if p.attributes.get("group") == disc.id and p.id != disc.id]
    assert [(p.attributes["Durchmesser"], p.price) for p in sizes] == [
        ("288 mm", 39.9),  # the product's price, left empty on the variant's row
        ("312 mm", 52.9),
        ("340 mm", 74.9),
    ]
    sale = next(p for p in products if p.title == "Bremsscheibe voll" and "variant" not in p.attributes)
    assert (sale.price, sale.attributes["regular_price"], sale.more_categories) == (
        19.9,
        24.9,
        (("Angebote",),),
    )
    assert not any("Auslauf" in p.title or "Sport" in p.title for p in products)
    # Without the names files the ids stay, and check names the columns that hold them.
    unnamed = check_catalog(export, LIMITS, feed(), SearchFields())
    assert unnamed.id_columns == ["category", "properties", "variant"]
    assert "properties" not in unnamed.wordy  # hex is no word a shopper types


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 93
    by_text = {text: q for q, text in queries.items()}
    assert asked[by_text["205 55 16"]] == 3  # the 205/55 R16 of two summer tyres and a winter one
    assert asked[by_text["5w30 5l"]] == 2  # the 5 l cans of two 5W-30 oils
