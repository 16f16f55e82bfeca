"""The made-up Poznań furniture shop (`bench.furniture_shop`): its Ceneo feed reads as the catalog it
stands for (an offer a product, category paths, the maker as the brand, the maker's code and EAN as
identifiers, parameters as attributes, a price written as a Polish spreadsheet writes it, sold-out
offers out of stock and made-to-order ones on backorder), the offer with no name reported by its
line; and every judged query has a product it asks for."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.furniture_shop import FEED, write
from engine.schema_checks import Limits
from indexer.loading import load_catalog
from tests.support.judged import read_judged, read_products


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("furniture")
    counts = write(out)
    assert counts == {"offers": 43, "products": 42, "bad offers": 1, "queries": 103, "judgements": 1703}
    return out


def test_the_feed_reads_as_products_with_their_parameters(shop: Path) -> None:
    feed = (shop / FEED).read_text(encoding="utf-8")
    assert feed.count("<o id=") == 43 and feed.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<offers')
    products = read_products(shop)
    chair = products[0]
    assert (chair.id, chair.title, chair.brand) == ("2001", "Krzesło tapicerowane Milo szare", "Meble Warta")
    assert chair.category == ("Meble", "Krzesła", "Krzesło") and chair.currency == "PLN"
    assert (chair.attributes["mpn"], chair.attributes["ean"]) == ("WM-MILO-SZ", "5907621100018")
    assert (chair.attributes["Kolor"], chair.attributes["Wymiary"]) == ("Szary", "45x56x88 cm")
    assert chair.image and chair.image.endswith("/2001-1.jpg")  # the main picture, not the further ones
    assert chair.description == "Wygodne krzesło do jadalni i salonu, obicie z weluru."  # no HTML


def test_prices_and_availability(shop: Path) -> None:
    by_code = {p.attributes["mpn"]: p for p in read_products(shop)}
    assert by_code["DX-SZ-2D"].price == 1899.0  # written "1 899,00 zł"
    assert by_code["DX-SZ-2D"].attributes["delivery_days"] == 14
    unavailable = sorted(code for code, p in by_code.items() if not p.available)
    assert unavailable == ["DX-LZ-01", "WM-MILO-ZI", "WM-SF-3"]  # stock 0
    made_to_order = sorted(code for code, p in by_code.items() if p.availability == "backorder")
    assert made_to_order == ["KF-LP-90", "SN-LK-160"]  # avail 90: buyable, shipped when made
    for product in by_code.values():
        assert not set(product.attributes) & {"basket", "avail", "Producent", "Kod_producenta", "EAN"}


def test_the_offer_with_no_name_is_reported_by_its_line(shop: Path) -> None:
    lines = (shop / FEED).read_text(encoding="utf-8").splitlines()
    offer = next(n for n, line in enumerate(lines, 1) if line.startswith('<o id="2043"'))
    problems = load_catalog(shop / FEED, Limits.for_shop("PLN")).problems
    assert [(p.line, p.product_id, p.message) for p in problems] == [(offer, "2043", "title: required")]


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 103
    by_text = {text: q for q, text in queries.items()}
    # chairs: the three Milo colours and the oak one; beds: three and the bunk bed
    assert asked[by_text["krzesło"]] == asked[by_text["lozko"]] == 4
    assert asked[by_text["kanapa"]] == asked[by_text["sofa"]] == 2
    assert asked[by_text["biała komoda"]] == asked[by_text["5907621100209"]] == 1
