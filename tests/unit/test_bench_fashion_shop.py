"""The made-up clothing shop (`bench.fashion_shop`): its Google feed reads as the catalog it stands for,
each item's colour and size its variant, bad items reported by line, and every judged query has a
product it asks for, in the colour and size it names."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.fashion_shop import write
from engine.lexical.matching import SearchFields
from engine.product_schema import Limits
from indexer.check import check_catalog
from indexer.readers import FeedFormat
from tests.support.judged import read_judged, read_products


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fashion")
    counts = write(out)
    assert counts == {"feed items": 131, "products": 129, "bad items": 2, "queries": 44, "judgements": 3296}
    return out


def test_the_feed_reads_as_the_catalog_with_its_variants_and_bad_items(shop: Path) -> None:
    report = check_catalog(shop / "feed.xml", Limits.for_shop("USD"), FeedFormat(), SearchFields())
    assert report.valid == 129 and len(report.problems) == 2
    assert "title" in report.problems[0].message and "price" in report.problems[1].message
    assert report.attributes["color"][1] == report.attributes["size"][1] == "searched as the variant"
    catalog = read_products(shop)
    variants = Counter(p.variant for p in catalog)
    assert variants["Black / M"] == 3  # the crew tee, the wrap dress and the puffer jacket
    assert sum(1 for p in catalog if p.family == "JE-SLIM") == 8
    assert {p.currency for p in catalog} == {"USD"}
    assert 0 < report.availability["out_of_stock"] < report.valid // 4


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 44
    black_m = next(q for q, text in queries.items() if text == "black t-shirt m")
    assert [p for q, p, g in grades if q == black_m and g == "3"] == ["TS-ESS-BLACK-M"]
    assert {grade for _, _, grade in grades} == {"1", "2", "3"}
