"""Rows of a store view (Magento's `store_view_code`, mapped to `store_view`): no duplicate products,
the view the shop indexes read over its products' rows, the others left out and counted, a view's row
without its product's row before it reported by line; a partial update reads its view the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.lexical.matching import SearchFields
from engine.product_schema import Limits
from indexer.check import check_catalog
from indexer.loading import load_catalog
from indexer.readers import FeedFormat, read_records
from indexer.store_views import StoreViews

COLUMNS = {"sku": "id", "name": "title", "description": "description", "store_view_code": "store_view"}
COLUMNS |= {"price": "price"}


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "catalog_product.csv"
    path.write_text(
        "sku,store_view_code,name,description,price\n"
        "AU-1,,Hand Cream,Nourishing hand cream.,14.00\n"
        "AU-1,fr,Crème mains,Crème mains nourrissante.,\n"
        "AU-1,de,Handcreme,,\n"
        "AU-2,,Dry Shampoo,,8.99\n"
        "AU-2,fr,Shampooing sec,,\n"
        "AU-3,fr,Revitalisant,,\n",
        encoding="utf-8",
    )
    return path


def test_the_default_rows_are_the_products_and_the_views_are_left_out(export: Path) -> None:
    loaded = load_catalog(export, Limits(), FeedFormat(columns=COLUMNS))
    assert [(p.id, p.title) for p in loaded.products] == [("AU-1", "Hand Cream"), ("AU-2", "Dry Shampoo")]
    assert loaded.problems == [] and loaded.other_views == {"fr": 3, "de": 1}
    assert "store_view" not in loaded.products[0].attributes


def test_the_view_the_shop_indexes_gives_its_fields_over_the_products(export: Path) -> None:
    loaded = load_catalog(export, Limits(), FeedFormat(columns=COLUMNS, store_view="FR"))
    hand, shampoo = loaded.products
    assert (hand.title, hand.description, hand.price) == ("Crème mains", "Crème mains nourrissante.", 14.0)
    assert (shampoo.title, shampoo.price) == ("Shampooing sec", 8.99)
    assert loaded.other_views == {"de": 1}
    # A view's row whose product's row is not just before it is no product: reported by its line.
    assert [(p.line, p.message) for p in loaded.problems] == [
        (7, "a row of store view 'fr' for 'AU-3' without its product's row before it")
    ]


def test_without_the_mapping_the_views_rows_are_duplicates_and_check_counts_the_views(export: Path) -> None:
    plain = {k: v for k, v in COLUMNS.items() if k != "store_view_code"}
    loaded = load_catalog(export, Limits(), FeedFormat(columns=plain))
    assert [p.message for p in loaded.problems][:1] == ["duplicate id 'AU-1' (first seen on line 2)"]
    report = check_catalog(export, Limits(), FeedFormat(columns=COLUMNS), SearchFields())
    assert report.valid == 2 and report.other_views == {"fr": 3, "de": 1}


def test_a_partial_update_reads_its_view_the_same_way(export: Path) -> None:
    views = StoreViews("fr")
    records = list(views.merged(read_records(export, columns=("id",), feed=FeedFormat(columns=COLUMNS))))
    assert [(line, raw["id"], raw["title"]) for line, raw in records if isinstance(raw, dict)] == [
        (2, "AU-1", "Crème mains"),
        (5, "AU-2", "Shampooing sec"),
    ]
