"""Cells that hold several fields as name=value pairs (Magento's `additional_attributes`,
`AISLE_PAIR_COLUMNS`): each pair read as a column of its own, renamed like one, a multiple-select value
as a list, and a cell that is not pairs, or a field given twice, reported by its line."""

from __future__ import annotations

from pathlib import Path

from engine.product_schema import Limits
from indexer.columns import renamed
from indexer.loading import load_catalog
from indexer.pairs import read_pairs
from indexer.readers import FeedFormat

PAIRS = frozenset({"additional_attributes"})


def test_pairs_are_read_in_order_with_lists_and_commas_in_values() -> None:
    assert read_pairs("manufacturer=CeraVe,skin_type=Dry|Very Dry,spf=50") == [
        ("manufacturer", "CeraVe"),
        ("skin_type", ["Dry", "Very Dry"]),
        ("spf", "50"),
    ]
    # A comma starts a pair only where a name and "=" follow it; an empty value is not given.
    assert read_pairs("texture=Soft, light,finish=,note=a=b") == [("texture", "Soft, light"), ("note", "a=b")]
    assert read_pairs("  ") == []


def test_semicolons_between_pairs_are_read_as_bigcommerces_custom_fields_write_them() -> None:
    assert read_pairs("Temperature Rating=20°F;Insulation=650-fill down; Fuel=White gas; kerosene") == [
        ("Temperature Rating", "20°F"),
        ("Insulation", "650-fill down"),
        ("Fuel", "White gas; kerosene"),
    ]


def test_a_cell_that_is_not_pairs_or_names_one_twice_is_refused() -> None:
    assert read_pairs("spf50") == "expected name=value pairs separated by commas or semicolons, got 'spf50'"
    assert (
        read_pairs("vegan,spf=50")
        == "expected name=value pairs separated by commas or semicolons, got 'vegan'"
    )
    assert read_pairs("spf=30,spf=50") == "names 'spf' twice"


def test_a_json_record_reads_its_pairs_renamed() -> None:
    raw = {"sku": "1", "additional_attributes": "manufacturer=Dior,gender=Men,tax=x"}
    rename = {"sku": "id", "manufacturer": "brand", "tax": None}
    assert renamed(raw, rename, pairs=PAIRS) == {"id": "1", "brand": "Dior", "gender": "Men"}
    assert renamed(
        {"id": "1", "brand": "Dior", "additional_attributes": "manufacturer=Chanel"}, rename, pairs=PAIRS
    ) == ("'brand' is given twice, as a column and in 'additional_attributes' (manufacturer=Chanel)")
    assert renamed({"id": "1", "additional_attributes": 5}, {}, pairs=PAIRS) == (
        "additional_attributes: expected name=value pairs as text, got int"
    )


def test_a_csv_export_reads_each_pair_as_a_field_and_reports_a_bad_cell_by_line(tmp_path: Path) -> None:
    export = tmp_path / "catalog_product.csv"
    export.write_text(
        "sku,name,additional_attributes\n"
        '1,Moisturizing Cream,"manufacturer=CeraVe,skin_type=Dry|Very Dry"\n'
        "2,Serum,spf50\n"
        "3,Lip Balm,\n",
        encoding="utf-8",
    )
    feed = FeedFormat(columns={"sku": "id", "name": "title", "manufacturer": "brand"}, pairs=PAIRS)
    loaded = load_catalog(export, Limits(), feed)
    cream, balm = loaded.products
    assert cream.brand == "CeraVe" and cream.attributes == {"skin_type": ["Dry", "Very Dry"]}
    assert balm.attributes == {}  # nothing given, no attribute named after the column
    assert [(p.line, p.message) for p in loaded.problems] == [
        (3, "additional_attributes: expected name=value pairs separated by commas or semicolons, got 'spf50'")
    ]
    # Without the setting the cell is one attribute holding the whole string.
    plain = load_catalog(export, Limits(), FeedFormat(columns={"sku": "id", "name": "title"}))
    assert plain.products[0].attributes == {
        "additional_attributes": "manufacturer=CeraVe,skin_type=Dry|Very Dry"
    }


def test_prestashops_features_read_as_pairs_a_repeated_name_as_a_list() -> None:
    cell = "Regione:Piemonte:1,Vitigno:Nebbiolo:2,Abbinamento:Carne:3,Abbinamento:Formaggi:3"
    assert read_pairs(cell) == [
        ("Regione", "Piemonte"),
        ("Vitigno", "Nebbiolo"),
        ("Abbinamento", ["Carne", "Formaggi"]),
    ]
    # A value may hold commas and colons; the customized flag after the position is left out too.
    assert read_pairs("Gusto:Rosso, secco:1:0,Rapporto:1:1:2:1") == [
        ("Gusto", "Rosso, secco"),
        ("Rapporto", "1:1"),
    ]
    assert read_pairs("Regione::1,Annata:2018:2") == [("Annata", "2018")]  # an empty value is not given
    assert read_pairs("Regione:Piemonte:1,Barolo") == (
        "expected Name:Value:Position features separated by commas, got 'Barolo'"
    )


def test_a_prestashop_export_reads_its_features_and_check_names_the_setting(tmp_path: Path) -> None:
    from indexer.hints import writes_pairs

    export = tmp_path / "products.csv"
    export.write_text(
        "ID;Name *;Feature(Name:Value:Position)\n"
        "1;Barolo DOCG 2018;Regione:Piemonte:1,Vitigno:Nebbiolo:2,Annata:2018:3\n"
        "2;Grappa;Regione:Veneto:1\n",
        encoding="utf-8",
    )
    column = "Feature(Name:Value:Position)"
    feed = FeedFormat(
        columns={"ID": "id", "Name *": "title", "Regione": "region"}, pairs=frozenset({column.lower()})
    )
    barolo, grappa = load_catalog(export, Limits(), feed).products
    assert barolo.attributes == {"region": "Piemonte", "Vitigno": "Nebbiolo", "Annata": "2018"}
    assert grappa.attributes == {"region": "Veneto"}
    plain = load_catalog(export, Limits(), FeedFormat(columns={"ID": "id", "Name *": "title"})).products
    assert writes_pairs([str(p.attributes[column]) for p in plain])
    assert not writes_pairs(["Piemonte", "Veneto"]) and not writes_pairs(["Regione:Piemonte:1"])
