"""What `indexer check` reads in an export's values to name a setting (`indexer.hints`): pairs apart
from lists of variants, yes/no labels apart from bookkeeping flags, a shared category root, and the
lines it prints for a Magento export read without its settings."""

from __future__ import annotations

from engine.records import Product
from indexer.hints import (
    export_notes,
    lists_variants,
    repeated_ids,
    says_yes_or_no,
    shared_root,
    writes_pairs,
)


def test_pairs_and_lists_of_variants_are_told_apart() -> None:
    assert writes_pairs(["manufacturer=CeraVe,spf=50", "volume=50 ml", ""])
    assert not writes_pairs(["volume=50 ml"])  # one pair a cell: nothing says it is a cell of pairs
    listing = ["sku=AU-1,volume=50 ml|sku=AU-2,volume=340 g"]
    assert lists_variants(listing) and not writes_pairs(listing) and not lists_variants([""])


def test_yes_no_labels_but_not_bookkeeping_flags_or_constants() -> None:
    assert says_yes_or_no(["Yes", "No", "yes"], 5)
    assert not says_yes_or_no(["true", "false"], 5)  # Shopify's "Published"
    assert not says_yes_or_no(["Yes", "Yes"], 2)  # every product: says nothing
    assert not says_yes_or_no(["Yes", "Dry"], 5) and not says_yes_or_no(["1", "0"], 5)


def test_a_root_every_path_shares_and_the_notes_for_a_magento_export() -> None:
    products = [
        Product("1", "a", category=("Default Category", "Hair")),
        Product("2", "b", category=("Default Category",)),
    ]
    assert shared_root(products) == "Default Category"
    assert (
        shared_root([Product("1", "a", category=("Hair", "Shampoo")), Product("2", "b", category=("Skin",))])
        is None
    )
    assert repeated_ids(["duplicate id 'AU-1' (first seen on line 2)", "title: required"], 10) == 1
    assert repeated_ids(["duplicate id 'AU-1' (first seen on line 2)"], 233) == 0  # one mistake, no views
    notes = export_notes(
        ["additional_attributes"], ["configurable_variations"], 72, "Default Category", {"fr": 72}
    )
    assert "Name:Value:Position" in notes[0] and "additional_attributes;" in notes[1]
    assert "AISLE_PAIR_COLUMNS='[\"additional_attributes\"]'" in notes[2]
    assert 'configurable_variations lists each family\'s sizes by sku: map it to "variants"' in notes[3]
    assert notes[4].startswith("ids:          72 rows repeat an id") and '"store_view"' in notes[5]
    assert "AISLE_CATEGORY_ROOT='Default Category'" in notes[6] and notes[-1].startswith(
        "store views:  fr 72"
    )
