"""The made-up pet shop (`bench.pet_shop`): its Shopify export reads as the catalog it stands for, with
its variants' options, the draft left out, bad rows reported by line, and every judged query has a
product it asks for, a size where it names one."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench.pet_shop import COLUMNS, write
from engine.lexical.matching import SearchFields
from engine.product_schema import Limits
from indexer.check import check_catalog
from indexer.readers import FeedFormat
from tests.support.judged import read_judged


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pets")
    counts = write(out)
    assert counts == {"export rows": 115, "products": 111, "bad rows": 3, "queries": 60, "judgements": 3520}
    return out


def test_the_export_reads_as_the_catalog_with_its_variants_and_bad_rows(shop: Path) -> None:
    export = shop / "products_export.csv"
    report = check_catalog(export, Limits.for_shop("EUR"), FeedFormat(columns=COLUMNS), SearchFields())
    assert report.valid == 111 and report.unpublished == 1
    assert [p.line for p in report.problems] == [114, 115, 116]
    assert "title" in report.problems[0].message and "duplicate id" in report.problems[2].message
    catalog = [json.loads(line) for line in (shop / "products.jsonl").open(encoding="utf-8")]
    variants = Counter(p["attributes"].get("variant") for p in catalog)
    assert variants["12 kg"] == variants["15 kg"] == 10 and variants["Negro / M"] == 2  # a harness, a collar
    assert report.attributes["variant"] == (len(catalog) - variants[None], "searchable")
    assert {p["currency"] for p in catalog} == {"EUR"}
    assert (
        report.availability["out_of_stock"] == sum(1 for p in catalog if p["attributes"]["stock"] == "0") > 0
    )


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 60
    sized = next(q for q, text in queries.items() if text == "pienso perro 12 kg")
    assert asked[sized] == 10  # one bag of each dog food line: the 12 kg one
    assert {grade for _, _, grade in grades} == {"1", "2", "3"}
