"""The made-up Japanese kitchen shop (`bench.kitchen_shop`): its Shift_JIS export with Japanese column
names reads as the catalog it stands for (yen written "3,980", "2,480円", "￥9,900" and with Shift_JIS's
0x5C yen sign, stock counts, JAN codes and model numbers as identifiers, half-width katakana kept as
written), bad rows are reported by line, and every judged query has a product it asks for."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.kitchen_shop import COLUMNS, ENCODING, write, yen
from engine.lexical.matching import SearchFields
from engine.product_schema import Limits
from indexer.check import check_catalog
from indexer.readers import FeedFormat
from tests.support.judged import read_judged, read_products


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kitchen")
    counts = write(out)
    assert counts == {"rows": 51, "products": 48, "bad rows": 3, "queries": 47, "judgements": 442}
    return out


def test_prices_are_written_the_four_ways_the_shops_systems_write_yen() -> None:
    assert [yen(3980, style) for style in range(4)] == ["3,980", "3,980円", "￥3,980", "\\3,980"]


def test_the_export_reads_as_the_catalog_with_its_bad_rows_by_line(shop: Path) -> None:
    assert "￥2,480".encode(ENCODING) in (shop / "shohin.csv").read_bytes()  # Shift_JIS, not UTF-8
    feed = FeedFormat(COLUMNS, ENCODING)
    report = check_catalog(shop / "shohin.csv", Limits.for_shop("JPY"), feed, SearchFields())
    assert report.valid == 48 and [p.line for p in report.problems] == [50, 51, 52]
    assert "オープン価格" in report.problems[0].message and "title" in report.problems[1].message
    assert report.attributes["jan"][1] == report.attributes["model"][1] == "identifier"
    catalog = {p.id: p for p in read_products(shop)}
    assert catalog["k-102"].price == 9900.0 and catalog["k-103"].price == 2480.0  # "9,900円", "￥2,480"
    assert b"\\1,280" in (shop / "shohin.csv").read_bytes() and catalog["k-104"].price == 1280.0
    assert catalog["k-101"].currency == "JPY" and catalog["k-101"].attributes["jan"] == "4901601284526"
    assert catalog["f-203"].availability == "out_of_stock"  # a stock count of 0
    assert catalog["f-207"].title == "ﾃﾌﾛﾝ加工 ﾌﾗｲﾊﾟﾝ 20cm"  # stored as the shop wrote it
    assert catalog["e-301"].category == ("キッチン家電", "炊飯器")


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 47
    half = next(q for q, text in queries.items() if text == "ﾌﾗｲﾊﾟﾝ")
    assert sorted(p for q, p, g in grades if q == half and g == "3") == ["f-201", "f-202", "f-207"]
    steel = next(q for q, text in queries.items() if text == "ステンレス 鍋")
    assert sorted(p for q, p, g in grades if q == steel and g == "3") == ["f-203", "f-206"]
