"""The made-up hardware shop (`bench.hardware_shop`): its export reads as the clean catalog it stands
for, bad rows reported by line, and every judged query has a product it asks for."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench.hardware_shop import COLUMNS, write
from engine.lexical.matching import SearchFields
from engine.product_schema import Limits
from indexer.check import check_catalog
from indexer.readers import FeedFormat
from tests.support.judged import read_judged


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hardware")
    counts = write(out)
    assert {name: counts[name] for name in ("export rows", "products", "queries")} == {
        "export rows": 161,
        "products": 157,
        "queries": 70,
    }
    return out


def test_the_export_reads_as_the_catalog_with_its_bad_rows_by_line(shop: Path) -> None:
    report = check_catalog(
        shop / "export.csv", Limits.for_shop("EUR"), FeedFormat(columns=COLUMNS), SearchFields()
    )
    assert report.valid == 157 and [p.line for p in report.problems] == [159, 160, 161, 162]
    assert "sur devis" in report.problems[1].message and "duplicate id" in report.problems[3].message
    catalog = [json.loads(line) for line in (shop / "products.jsonl").open(encoding="utf-8")]
    assert [p["id"] for p in catalog] == [str(1001 + i) for i in range(157)]
    assert report.availability["out_of_stock"] == sum(1 for p in catalog if p["stock"] == "0") > 0
    assert report.attributes["EAN13"] == (157, "identifier")


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    grades = [(query, grade) for query, _, grade in read_judged(shop)[1]]
    asked = Counter(query for query, grade in grades if grade == "3")
    assert len(asked) == 70 and min(asked.values()) >= 1
    assert {grade for _, grade in grades} == {"1", "2", "3"}  # the lowest judged grade means no gain
