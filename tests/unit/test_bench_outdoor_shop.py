"""The made-up Boulder outfitter (`bench.outdoor_shop`): its BigCommerce Bulk Edit export reads as the
catalog it stands for, each SKU a member of its product's family priced by its rule, custom fields as
fields, categories as paths, untracked stock in stock, the tent taken off the shop left out, the bad row
reported by line; and every judged query has a product it asks for."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.outdoor_shop import COLUMNS, LIMITS, feed, write
from engine.lexical.matching import SearchFields
from indexer.check import check_catalog
from indexer.readers import FeedFormat
from tests.support.judged import read_judged, read_products


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("outdoor")
    counts = write(out)
    assert counts == {"export rows": 167, "products": 156, "bad rows": 1, "queries": 83, "judgements": 3419}
    return out


def test_the_export_reads_as_products_with_their_skus_custom_fields_and_stock(shop: Path) -> None:
    export = shop / "products-2026-12-07.csv"
    assert export.read_text(encoding="utf-8").startswith("Item Type,Product ID,Product Name,")
    report = check_catalog(export, LIMITS, feed(), SearchFields())
    assert report.valid == 156 and report.unpublished == 1  # the 2019 tent the shop hides
    assert [(p.line, p.message) for p in report.problems] == [(168, "title: required")]
    assert "Cost Price" not in report.attributes and "Product Custom Fields" not in report.attributes
    products = {p.id: p for p in read_products(shop)}
    bag = next(p for p in products.values() if p.title.startswith("Marmot Trestles"))
    assert bag.attributes["Temperature Rating"] == "20°F" and bag.category == ("Camping", "Sleeping Bags")
    skus = [p for p in products.values() if p.attributes.get("group") == bag.id and p.id != bag.id]
    assert [(p.attributes["variant"], p.price) for p in skus] == [("Regular", 149.0), ("Long", 169.0)]
    assert all(p.title == bag.title and p.attributes["Insulation"] == "Synthetic" for p in skus)
    jacket = [p for p in products.values() if p.title.endswith("Rain Jacket - Men's")]
    assert len(jacket) == 9 and {p.attributes.get("Color") for p in jacket} == {None, "Black", "Blue"}
    cosmic = next(p for p in products.values() if p.title.startswith("Kelty Cosmic"))
    assert (cosmic.price, cosmic.attributes["regular_price"]) == (89.95, 119.95)  # on sale; 0.0000 is none
    assert cosmic.more_categories == (("Sale",),)
    assert next(p for p in products.values() if "Tent Stakes" in p.title).availability == "in_stock"
    assert next(p for p in products.values() if "WhisperLite" in p.title).availability == "out_of_stock"
    # Read without the row types, every SKU and rule row is refused for its missing id, and check
    # names the setting for the column that says what each row is.
    plain = FeedFormat(columns={k: v for k, v in COLUMNS.items() if k != "Item Type"}, pairs=feed().pairs)
    unread = check_catalog(export, LIMITS, plain, SearchFields())
    assert len(unread.problems) > 90 and unread.row_type == "Item Type" and report.row_type is None
    assert "Item Type" not in unread.constant  # not named as bookkeeping to leave out
    # Without the tracking column mapped, an untracked product's 0 would sell it out: check names it.
    counted = FeedFormat(
        columns={k: v for k, v in COLUMNS.items() if k != "Track Inventory"}, pairs=feed().pairs
    )
    assert check_catalog(export, LIMITS, counted, SearchFields()).tracking == "Track Inventory"
    assert report.tracking is None


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 83
    by_text = {text: q for q, text in queries.items()}
    assert asked[by_text["20 degree sleeping bag"]] == 7  # two bags in their lengths, with their products
    assert asked[by_text["rain jacket womens medium"]] == 2  # the women's jacket in M, in both colours
