"""The made-up German electronics shop (`bench.electronics_shop`): its cp1252 export with German column
names reads as the catalog it stands for (prices with a decimal comma and a euro sign, stock counts,
EAN and part numbers as identifiers), bad rows are reported by line, and every judged query has a
product it asks for."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.electronics_shop import COLUMNS, ENCODING, euros, write
from engine.lexical.matching import SearchFields
from engine.product_schema import Limits
from indexer.check import check_catalog
from indexer.readers import FeedFormat
from tests.support.judged import read_judged, read_products


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("electronics")
    counts = write(out)
    assert counts == {"rows": 60, "products": 57, "bad rows": 3, "queries": 51, "judgements": 420}
    return out


def test_prices_are_written_as_a_german_spreadsheet_writes_them() -> None:
    assert euros(1799.0) == "1.799,00 €" and euros(4.29) == "4,29 €" and euros(0.5) == "0,50 €"


def test_the_export_reads_as_the_catalog_with_its_bad_rows_by_line(shop: Path) -> None:
    assert "1.799,00 €".encode(ENCODING) in (shop / "artikel.csv").read_bytes()  # cp1252, not UTF-8
    feed = FeedFormat(COLUMNS, ENCODING)
    report = check_catalog(shop / "artikel.csv", Limits.for_shop("EUR"), feed, SearchFields())
    assert report.valid == 57 and [p.line for p in report.problems] == [59, 60, 61]
    assert "title" in report.problems[0].message and "$" in report.problems[1].message
    assert report.attributes["ean"][1] == report.attributes["mpn"][1] == "identifier"
    catalog = {p.id: p for p in read_products(shop)}
    assert catalog["T-3002"].price == 1799.0 and catalog["T-3002"].currency == "EUR"
    assert catalog["A-1002"].availability == "out_of_stock"  # a stock count of 0
    assert catalog["A-1001"].category == ("Audio", "Kopfhörer")


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 51
    wide = next(q for q, text in queries.items() if text == "ｗｈ－１０００ｘｍ５")
    assert [p for q, p, g in grades if q == wide and g == "3"] == ["A-1001"]
    sized = next(q for q, text in queries.items() if text == "fernseher 55 zoll")
    assert sorted(p for q, p, g in grades if q == sized and g == "3") == ["T-3001", "T-3004"]
