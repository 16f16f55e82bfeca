"""The made-up Swiss bookshop (`bench.book_shop`): its Shopify export reads as the catalog it stands
for, each format a variant with its own ISBN, the author and language from their metafield columns,
the draft left out, bad rows reported by line, the rounded ISBN reported; and every judged query has a
product it asks for."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench.book_shop import COLUMNS, write
from engine.lexical.matching import SearchFields
from engine.product_schema import Limits
from indexer.check import check_catalog
from indexer.readers import FeedFormat
from tests.support.judged import read_judged


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("books")
    counts = write(out)
    assert counts == {"export rows": 66, "products": 63, "bad rows": 2, "queries": 65, "judgements": 861}
    return out


def test_the_export_reads_as_the_catalog_with_its_formats_and_bad_rows(shop: Path) -> None:
    export = shop / "products_export.csv"
    report = check_catalog(export, Limits.for_shop("CHF"), FeedFormat(columns=COLUMNS), SearchFields())
    assert report.valid == 63 and report.unpublished == 1
    assert [p.line for p in report.problems] == [65, 66]
    assert "auf Anfrage" in report.problems[0].message and "title" in report.problems[1].message
    assert report.rounded == {"isbn": (1, "RS-10065")}
    assert report.wordy[0] == "author" and report.attributes["Einband"][1] == "searched as the variant"
    catalog = [json.loads(line) for line in (shop / "products.jsonl").open(encoding="utf-8")]
    richter = [p for p in catalog if p["title"] == "Der Richter und sein Henker"]
    assert [p["attributes"]["variant"] for p in richter] == ["Taschenbuch", "E-Book", "Hörbuch (CD)"]
    assert {p["attributes"]["author"] for p in richter} == {"Friedrich Dürrenmatt"}  # the first row's
    assert len({p["attributes"]["isbn"] for p in richter}) == 3  # an ISBN per format
    assert {p["currency"] for p in catalog} == {"CHF"}


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 65
    by_text = {text: q for q, text in queries.items()}
    assert asked[by_text["dürrenmatt"]] == 6  # three books, the first in three formats
    assert asked[by_text["360893815X"]] == 1  # an ISBN-10: the one paperback
