"""The made-up Brazilian shoe shop (`bench.shoe_shop`): its Nuvemshop spreadsheet reads as the catalog it
stands for, with semicolons, decimal commas, Portuguese column names mapped by the shop, its variants'
options, the rows without a SKU named by their family and options, the hidden product left out, bad
rows reported by line; every judged query has a product it asks for."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench.shoe_shop import COLUMNS, FILE, write
from engine.lexical.matching import SearchFields
from engine.product_schema import Limits
from indexer.check import check_catalog
from indexer.readers import FeedFormat
from tests.support.judged import read_judged


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shoes")
    counts = write(out)
    assert counts == {"export rows": 237, "products": 233, "bad rows": 3, "queries": 90, "judgements": 8278}
    return out


def test_the_export_reads_as_the_catalog_with_its_variants_and_bad_rows(shop: Path) -> None:
    report = check_catalog(shop / FILE, Limits.for_shop("BRL"), FeedFormat(columns=COLUMNS), SearchFields())
    assert report.valid == 233 and report.unpublished == 1
    assert [p.line for p in report.problems] == [236, 237, 238]
    assert "title" in report.problems[0].message and "duplicate id" in report.problems[2].message
    assert len(report.family_ids) == 24 and report.family_ids[0] == "chinelo-de-dedo-brisa-praia/azul-35-36"
    catalog = [json.loads(line) for line in (shop / "products.jsonl").open(encoding="utf-8")]
    variants = Counter(p["attributes"].get("variant") for p in catalog)
    assert variants["Preto / 42"] == 6 and variants["Azul / 37/38"] == 1  # six shoes in black 42
    assert {p["currency"] for p in catalog} == {"BRL"} and catalog[0]["price"] == 299.9
    assert "Custo" not in catalog[0]["attributes"] and catalog[0]["attributes"]["Sexo"] == "Masculino"


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 90
    sized = next(q for q, text in queries.items() if text == "chinelo 39/40")
    assert asked[sized] == 5  # three colours of the flip-flop, two of the slide
