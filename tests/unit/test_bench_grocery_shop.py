"""The made-up Dutch grocer (`bench.grocery_shop`): its WooCommerce export reads as the catalog it
stands for, each variation completed from its variable product, the draft and the hidden deposit crate
left out through the two columns saying whether a product is shown, its tags read as lists, the bad
row reported by line, the rounded EAN reported; and every judged query has a product it asks for."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench.grocery_shop import COLUMNS, LISTS, write
from engine.lexical.matching import SearchFields
from engine.product_schema import Limits
from indexer.check import check_catalog
from indexer.readers import FeedFormat
from tests.support.judged import read_judged


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("grocery")
    counts = write(out)
    assert counts == {"export rows": 96, "products": 93, "bad rows": 1, "queries": 68, "judgements": 1112}
    return out


def test_the_export_reads_as_the_catalog_with_its_variations_and_bad_rows(shop: Path) -> None:
    export = shop / "wc-product-export.csv"
    assert export.read_bytes().startswith(b"\xef\xbb\xbfID,Type,SKU")  # WooCommerce's byte order mark
    feed = FeedFormat(columns=COLUMNS, lists=frozenset(name.lower() for name in LISTS))
    report = check_catalog(export, Limits.for_shop("EUR"), feed, SearchFields())
    assert report.valid == 93 and report.unpublished == 2  # the draft and the hidden deposit crate
    assert [p.line for p in report.problems] == [96] and "title" in report.problems[0].message
    assert report.rounded == {"gtin": (1, "196")}
    assert "Type" not in report.attributes  # WooCommerce's record type: read, not kept
    assert "Tax status" not in report.attributes and "Position" not in report.attributes  # left out
    assert report.constant == report.listed == []  # nothing left to hint
    # Read with the export's columns named and nothing more, check names what to leave out and to list.
    named = FeedFormat(columns={k: v for k, v in COLUMNS.items() if v is not None})
    first = check_catalog(export, Limits.for_shop("EUR"), named, SearchFields())
    assert first.constant == [name for name, to in COLUMNS.items() if to is None] and first.listed == ["Tags"]
    catalog = [json.loads(line) for line in (shop / "products.jsonl").open(encoding="utf-8")]
    assert not any("Statiegeld" in p["title"] for p in catalog)
    milk = [p for p in catalog if p["title"].startswith("Halfvolle melk")]
    assert [p["title"] for p in milk] == ["Halfvolle melk", "Halfvolle melk - 1 L", "Halfvolle melk - 1,5 L"]
    assert {p["brand"] for p in milk} == {"Campina"} and {p["attributes"]["group"] for p in milk} == {"101"}
    assert [p["attributes"].get("variant") for p in milk[1:]] == ["1 L", "1,5 L"]
    assert milk[0]["price"] == min(p["price"] for p in milk[1:])  # the variable product sells "from"
    assert {p["currency"] for p in catalog} == {"EUR"}
    oat = next(p for p in catalog if p["title"].startswith("Haverdrink"))
    assert oat["attributes"]["Tags"] == ["Vegan", "Lactosevrij"]  # a label each, for the facet


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 68
    by_text = {text: q for q, text in queries.items()}
    assert asked[by_text["melk"]] == 6  # semi-skimmed and its two sizes, whole, organic, lactose-free
    assert asked[by_text["8710400026112"]] == 1  # an EAN: the one pack
    assert asked[by_text["cola 6x33cl"]] == 2  # both colas' six-packs
