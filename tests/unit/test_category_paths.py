"""Products filed under several category paths (WooCommerce's "Hund > Reisen, Katze > Reisen"): read
from a cell when the shop says how its export lists them, kept whole otherwise, and then found by each
path's filter, counted in each path's facets and searched by each path's names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.matching import MatchQuery, SearchFields
from engine.pipeline.facets import facet_counts
from engine.product_schema import Limits, RecordError, validate_record
from engine.records import Filters, Product
from indexer.check import check_catalog
from indexer.partial import apply_patch
from indexer.readers import FeedFormat

LISTS = Limits.for_shop(None, ", ")


def paths(record: dict[str, object], limits: Limits = LISTS) -> list[tuple[str, ...]]:
    return list(validate_record({"id": "1", "title": "Box", **record}, limits).category_paths)


def test_a_cell_lists_several_paths_when_the_shop_says_how() -> None:
    assert paths({"category": "Hund > Reisen, Katze > Reisen"}) == [("Hund", "Reisen"), ("Katze", "Reisen")]
    assert paths({"category": "Hund > Reisen, Katze > Reisen"}, Limits()) == [
        ("Hund", "Reisen, Katze", "Reisen")
    ]
    # WooCommerce escapes a comma inside a name; the same path twice counts once.
    assert paths({"category": r"Hats\, Caps > Winter, Sale, Sale"}) == [("Hats, Caps", "Winter"), ("Sale",)]
    assert paths({"category": [["Hund", "Reisen"], ["Katze"]]}, Limits()) == [("Hund", "Reisen"), ("Katze",)]
    assert paths({"category": ["Hund", "Reisen"]}) == [("Hund", "Reisen")]  # a list of names is one path
    more = {"category": "Hund", "more_categories": ["Katze > Reisen", ["Sale"]]}
    assert paths(more, Limits()) == [("Hund",), ("Katze", "Reisen"), ("Sale",)]


def test_the_stored_product_keeps_every_path() -> None:
    product = validate_record({"id": "1", "title": "Box", "category": "Hund > Reisen, Sale"}, LISTS)
    assert product.category == ("Hund", "Reisen") and product.more_categories == (("Sale",),)
    stored = product.to_dict()
    assert stored["category"] == ["Hund", "Reisen"] and stored["more_categories"] == [["Sale"]]
    assert Product.from_dict(json.loads(json.dumps(stored))) == product
    assert "more_categories" not in Product("2", "Lamp", category=("Home",)).to_dict()  # as before
    assert validate_record(stored) == product  # a stored product read back as a record


def test_a_bad_path_or_too_many_are_refused_naming_the_field() -> None:
    with pytest.raises(RecordError, match="category: has an empty level"):
        validate_record({"id": "1", "title": "Box", "category": "Hund > , Katze"}, LISTS)
    many = ", ".join(f"Cat {n}" for n in range(LISTS.category_paths + 1))
    with pytest.raises(RecordError, match="category: too many paths"):
        validate_record({"id": "1", "title": "Box", "category": many}, LISTS)


BOX = Product("box", "Transportbox", category=("Hund", "Reisen"), more_categories=(("Katze", "Reisen"),))
LEASH = Product("leash", "Leine", category=("Hund", "Zubehör"))


def test_filters_and_facets_read_every_path() -> None:
    assert Filters(category=("Katze",)).matches(BOX) and Filters(category=("Hund", "Reisen")).matches(BOX)
    assert not Filters(category=("Katze",)).matches(LEASH)
    counts = facet_counts([BOX, LEASH], ["category", "category_path"])
    assert counts["category"] == [("Hund", 2), ("Katze", 1)]
    assert counts["category_path"] == [("Hund > Reisen", 1), ("Hund > Zubehör", 1), ("Katze > Reisen", 1)]


def test_the_embedded_index_filters_counts_and_searches_every_path(tmp_path: Path) -> None:
    index = EmbeddedLexical(tmp_path / "lexical", reload_interval_s=0.0)
    index.rebuild([BOX, LEASH])
    assert index.match_ids(MatchQuery(None, Filters(category=("Katze", "Reisen")))) == {"box"}
    assert index.match_ids(MatchQuery("katze")) == {"box"}  # the further path's names are searched
    facets = index.facets(MatchQuery(None), ["category", "category_path"])
    assert facets == facet_counts([BOX, LEASH], ["category", "category_path"])
    assert index.get(["box"])["box"] == BOX


def test_a_partial_update_of_the_category_replaces_every_path() -> None:
    moved = apply_patch(BOX, {"category": "Katze > Möbel"})
    assert moved.category_paths == (("Katze", "Möbel"),)
    priced = apply_patch(BOX, {"price": 20})
    assert priced.category_paths == BOX.category_paths


def test_indexer_check_names_the_setting_for_a_cell_that_reads_like_several_paths(tmp_path: Path) -> None:
    export = tmp_path / "wc.csv"
    export.write_text('id,title,category\n1,Box,"Hund > Reisen, Katze > Reisen"\n2,Hat,"Hats, Caps"\n')
    plain = check_catalog(export, Limits(), FeedFormat(), SearchFields())
    assert (plain.listed_categories, plain.several_categories) == (1, 0)  # "Hats, Caps" is one level
    split = check_catalog(export, LISTS, FeedFormat(), SearchFields())
    assert (split.listed_categories, split.several_categories) == (0, 2)  # unescaped, "Hats, Caps" too


def test_magento_paths_read_with_their_separator_and_without_the_root() -> None:
    magento = Limits.for_shop("CAD", ",", levels="/", root="Default Category")
    cell = "Default Category/Skincare/Serums,Default Category/Best Sellers,Default Category"
    assert paths({"category": cell}, magento) == [("Skincare", "Serums"), ("Best Sellers",)]
    assert paths({"category": ["default category", "Hair"]}, magento) == [("Hair",)]  # any case
    # Without the settings the cell is one path of one level: what a Magento shop had before.
    assert paths({"category": "Default Category/Skincare/Serums"}, Limits()) == [
        ("Default Category/Skincare/Serums",)
    ]
    # Stored paths (`more_categories`, as a product is read back) keep the schema's separator.
    stored = {"category": "Default Category/Hair", "more_categories": ["Sale > Hair"]}
    assert paths(stored, magento) == [("Hair",), ("Sale", "Hair")]


def test_indexer_check_names_the_root_every_path_shares(tmp_path: Path) -> None:
    export = tmp_path / "catalog_product.csv"
    export.write_text(
        "sku,name,categories\n"
        "1,Serum,Default Category/Skincare/Serums\n"
        '2,Shampoo,"Default Category/Hair/Shampoo,Default Category/Best Sellers"\n',
        encoding="utf-8",
    )
    feed = FeedFormat(columns={"sku": "id", "name": "title", "categories": "category"})
    magento = Limits.for_shop(None, ",", levels="/")
    report = check_catalog(export, magento, feed, SearchFields())
    assert report.root == "Default Category"
    rooted = Limits.for_shop(None, ",", levels="/", root="Default Category")
    assert check_catalog(export, rooted, feed, SearchFields()).root is None  # departments differ now
