"""The made-up Bologna enoteca (`bench.wine_shop`): its PrestaShop product file reads as the catalog it
stands for, with its features as fields, its categories under Home, the products PrestaShop does not show
left out, its discounts as prices only while their dates run, the bad row reported by line; and every
judged query has a product it asks for."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from bench.wine_shop import COLUMNS, LIMITS, PAIRS, feed, write
from engine.lexical.matching import SearchFields
from indexer.check import check_catalog
from indexer.readers import FeedFormat
from tests.support.judged import read_judged, read_products


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wine")
    counts = write(out)
    assert counts == {"export rows": 70, "products": 66, "bad rows": 1, "queries": 75, "judgements": 1431}
    return out


def test_the_file_reads_as_the_catalog_with_its_features_categories_and_discounts(shop: Path) -> None:
    export = shop / "products_import.csv"
    assert export.read_text(encoding="utf-8").startswith("Product ID;Active (0/1);Name *;")
    report = check_catalog(export, LIMITS, feed(), SearchFields())
    assert report.valid == 66 and report.unpublished == 3  # off sale, shown nowhere, only in the catalog
    assert [(p.line, p.message) for p in report.problems] == [(71, "title: required")]
    assert report.paired == [] and "Feature(Name:Value:Position)" not in report.attributes
    assert "Wholesale price" not in report.attributes and "Price tax excluded" not in report.attributes
    products = {p.title: p for p in read_products(shop)}
    barolo = products["Barolo DOCG 2018"]
    assert (barolo.category, barolo.more_categories) == (("Vini",), (("Vini rossi",),))  # not under Home
    assert barolo.attributes["Regione"] == "Piemonte" and barolo.attributes["Annata"] == "2018"
    assert barolo.attributes["Abbinamento"] == ["Carne rossa", "Selvaggina", "Formaggi stagionati"]
    assert barolo.price == 49.0  # with tax, as the shop shows it
    assert not {"Barolo DOCG 2015", "Confezione regalo", "Buono regalo 50 €"} & set(products)
    panettone = products["Panettone classico artigianale 1 kg"]  # 15% off, running
    assert (panettone.price, panettone.attributes["regular_price"]) == (28.9, 34.0)
    assert panettone.attributes["sale_ends"] > date.today().isoformat()
    assert products["Amarone della Valpolicella Classico DOCG 2017"].price == 64.0  # Black Friday is over
    assert products["Cesto natalizio Emilia"].price == 79.0  # Christmas has not begun
    # Read without the pairs setting, check names it for the features column.
    plain = FeedFormat(columns=COLUMNS, lists=frozenset({"tags"}))
    assert check_catalog(export, LIMITS, plain, SearchFields()).paired == [PAIRS[0]]


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 75
    by_text = {text: q for q, text in queries.items()}
    assert asked[by_text["barolo"]] == 3  # 2018, 2019 and the magnum; not the vintage off sale
    assert asked[by_text["vino per pesce"]] == 7
    assert asked[by_text["parmigiano 36 mesi"]] == 1
