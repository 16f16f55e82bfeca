"""The made-up Montréal beauty shop (`bench.beauty_shop`): its Magento export reads as the catalog it
stands for, each store view's row merged into its product's instead of refused as a duplicate, each
configurable product's children after it as its family, the brand and facts read from the pairs of
`additional_attributes`, categories without Magento's root, the disabled product and the free sample
left out, the bad row reported by line; and every judged query has a product it asks for."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench.beauty_shop import COLUMNS, LIMITS, ROOT, feed, write
from engine.lexical.matching import SearchFields
from engine.product_schema import Limits
from indexer.check import check_catalog
from indexer.readers import FeedFormat
from tests.support.judged import read_judged


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("beauty")
    counts = write(out)
    assert counts == {
        "export rows": 144,
        "products": 69,
        "bad rows": 1,
        "queries": 48,
        "judgements": 795,
        "French products": 70,
        "French queries": 18,
        "French judgements": 334,
    }
    return out


def catalog(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def test_the_export_reads_as_the_catalog_with_its_families_views_and_bad_rows(shop: Path) -> None:
    export = shop / "catalog_product.csv"
    report = check_catalog(export, LIMITS, feed(), SearchFields())
    assert report.valid == 69 and report.unpublished == 2  # the disabled cream and the free sample
    assert [p.line for p in report.problems] == [144] and "title" in report.problems[0].message
    assert report.other_views == {"fr": 72} and report.root is None and report.paired == []
    assert report.fields["brand"] == 69 and report.fields["category"] == 69
    products = catalog(shop / "products.jsonl")
    cream = [p for p in products if str(p["title"]).startswith("Moisturizing Cream")]
    assert [p["title"] for p in cream] == [
        "Moisturizing Cream",
        "Moisturizing Cream-50 ml",
        "Moisturizing Cream-340 g",
    ]
    assert {p["brand"] for p in cream} == {"CeraVe"} and {p["attributes"]["group"] for p in cream} == {
        "AU-1003"
    }
    assert [p["attributes"].get("variant") for p in cream[1:]] == ["50 ml", "340 g"]
    assert cream[0]["price"] == min(p["price"] for p in cream[1:])  # the configurable sells "from"
    assert "stock" not in cream[0]["attributes"] and all("stock" in p["attributes"] for p in cream[1:])
    assert cream[1]["category"] == ["Skincare", "Moisturizers"]  # the root left out, its family's
    assert cream[1]["attributes"]["skin_type"] == ["Dry", "Very Dry"]  # a multiple select, as a list
    assert not any("Retinol" in str(p["title"]) or "Sample" in str(p["title"]) for p in products)
    french = catalog(shop / "fr" / "products.jsonl")
    assert [p["title"] for p in french[:2]] == ["Crème hydratante", "Crème hydratante-50 ml"]
    assert french[1]["description"] == french[0]["description"] != cream[0]["description"]


def test_read_as_before_the_export_is_refused_and_check_names_each_setting(shop: Path) -> None:
    export = shop / "catalog_product.csv"
    kept = ("store_view_code", "configurable_variations", "manufacturer")
    plain = FeedFormat(columns={k: v for k, v in COLUMNS.items() if k not in kept})
    before = check_catalog(export, Limits.for_shop("CAD", ","), plain, SearchFields())
    assert before.build_refusal is not None  # each French row of a product shown is a duplicate
    assert sum("duplicate id" in p.message for p in before.problems) == len(before.problems) - 1 > 30
    assert before.paired == ["additional_attributes"] and before.variants == ["configurable_variations"]
    named = check_catalog(export, Limits.for_shop("CAD", ",", levels="/"), feed(), SearchFields())
    assert named.root == ROOT
    unpaired = FeedFormat(columns=COLUMNS, store_view="")
    assert check_catalog(export, LIMITS, unpaired, SearchFields()).paired == ["additional_attributes"]


@pytest.mark.parametrize(("folder", "count"), [(".", 48), ("fr", 18)])
def test_every_query_has_the_product_it_asks_for(shop: Path, folder: str, count: int) -> None:
    queries, grades = read_judged(shop / folder)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == count
    by_text = {text: q for q, text in queries.items()}
    if folder == ".":
        assert asked[by_text["fit me foundation 128"]] == 1  # the one shade
        assert asked[by_text["perfume"]] == 10  # three fragrances, their sizes, not "fragrance_free"
