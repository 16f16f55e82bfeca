"""Variant rows completed from their family's product, as WooCommerce and Shopify exports need."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from indexer.loading import load_catalog
from indexer.readers import FeedFormat


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


WOO = FeedFormat(
    columns={"ID": "id", "Name": "title", "Description": "description", "Brands": "brand",
             "Categories": "category", "Regular price": "price", "Sale price": "sale_price",
             "Images": "image", "Parent": "group"}
)  # fmt: skip


def test_woocommerce_variations_take_their_parents_fields(tmp_path: Path) -> None:
    header = [
        "ID",
        "Type",
        "SKU",
        "Name",
        "Description",
        "Brands",
        "Categories",
        "Regular price",
        "Sale price",
    ]
    header += ["Images", "Parent", "GTIN"]
    rows = [
        ["101", "variable", "PF-101", "N°5 Eau de Parfum", "<p>Floral aldéhydé</p>", "Chanel",
         "Parfums > Femme", "", "", "https://shop.example/101.jpg, https://shop.example/101-b.jpg", "", ""],
        ["102", "variation", "PF-101-30", "N°5 Eau de Parfum - 30 ml", "", "", "", "87.99", "70.00", "",
         "id:101", "3000000001028"],
        ["103", "variation", "PF-101-50", "N°5 Eau de Parfum - 50 ml", "", "", "Parfums > Coffrets", "127.58",
         "", "", "id:101", ""],
        ["104", "variation", "PF-999-30", "Orphan - 30 ml", "", "", "", "10", "", "", "id:999", ""],
    ]  # fmt: skip
    loaded = load_catalog(write_csv(tmp_path / "woo.csv", header, rows), feed=WOO)
    assert not loaded.problems
    parent, small, large, orphan = loaded.products
    assert (small.brand, small.category, small.description) == (
        "Chanel",
        ("Parfums", "Femme"),
        "Floral aldéhydé",
    )
    assert small.image == "https://shop.example/101.jpg"
    assert (small.title, small.price, small.attributes["regular_price"]) == (
        "N°5 Eau de Parfum - 30 ml",
        70.0,
        87.99,
    )
    assert small.attributes["GTIN"] == "3000000001028"
    assert large.category == ("Parfums", "Coffrets")  # its own, where it gives one
    assert "GTIN" not in large.attributes
    assert parent.price == 70.0  # a variable product sells from its lowest variation price
    assert (orphan.brand, orphan.category) == ("", ())
    # One family, keyed by the variable product's id, which it is given too (a search shows it once).
    assert parent.family == small.family == large.family == "101"
    assert orphan.family == "999"  # "id:999" read as the id it names, though no such product was read


def test_shopify_variant_rows_take_the_first_rows_fields(tmp_path: Path) -> None:
    header = [
        "Handle",
        "Title",
        "Body (HTML)",
        "Vendor",
        "Type",
        "Option1 Value",
        "Variant SKU",
        "Variant Price",
    ]
    rows = [
        ["merino-tee", "Merino Tee", "<p>Soft <em>merino</em> wool.</p>", "Northpeak", "Clothing > Tops", "S",
         "MT-S", "49.00"],
        ["merino-tee", "", "", "", "", "M", "MT-M", "49.00"],
        ["trail-cap", "Trail Cap", "", "Peak", "Clothing > Hats", "", "TC-1", "19.00"],
    ]  # fmt: skip
    columns = {"Handle": "group", "Title": "title", "Body (HTML)": "description", "Vendor": "brand",
               "Type": "category", "Variant SKU": "id", "Variant Price": "price"}  # fmt: skip
    loaded = load_catalog(write_csv(tmp_path / "shopify.csv", header, rows), feed=FeedFormat(columns=columns))
    assert not loaded.problems
    small, medium, cap = loaded.products
    assert small.title == "Merino Tee" and small.attributes["group"] == "merino-tee"
    assert (medium.title, medium.brand, medium.category) == ("Merino Tee", "Northpeak", ("Clothing", "Tops"))
    assert medium.description == "Soft merino wool." and medium.attributes["Option1 Value"] == "M"
    assert (cap.title, cap.brand) == ("Trail Cap", "Peak")


def test_shopifys_rows_holding_only_another_picture_are_not_products_nor_bad_records(tmp_path: Path) -> None:
    header = ["Handle", "Title", "Variant SKU", "Variant Price", "Image Src", "Image Position"]
    rows = [
        ["tee", "Merino Tee", "MT-S", "49.00", "https://shop.example/tee-1.jpg", "1"],
        ["tee", "", "MT-M", "49.00", "", ""],
        ["tee", "", "", "", "https://shop.example/tee-2.jpg", "2"],
        ["cap", "", "", "", "https://shop.example/cap-2.jpg", "2"],  # no family read before: reported
    ]
    columns = {"Handle": "group", "Title": "title", "Variant SKU": "id", "Variant Price": "price",
               "Image Src": "image"}  # fmt: skip
    loaded = load_catalog(write_csv(tmp_path / "shopify.csv", header, rows), feed=FeedFormat(columns=columns))
    assert [p.id for p in loaded.products] == ["MT-S", "MT-M"]
    assert all(p.image == "https://shop.example/tee-1.jpg" for p in loaded.products)
    assert [(p.line, p.message) for p in loaded.problems] == [(5, "title: required")]


def test_a_row_without_a_family_and_without_a_title_is_still_refused(tmp_path: Path) -> None:
    header = ["Handle", "Title", "Variant SKU"]
    rows = [["gone", "", "G-1"]]
    columns = {"Handle": "group", "Title": "title", "Variant SKU": "id"}
    loaded = load_catalog(write_csv(tmp_path / "s.csv", header, rows), feed=FeedFormat(columns=columns))
    assert [(p.line, p.message) for p in loaded.problems] == [(2, "title: required")]


def test_a_draft_familys_rows_are_hidden_with_it(tmp_path: Path) -> None:
    header = ["Handle", "Title", "Variant SKU", "Image Src", "Status", "ID", "Parent"]
    rows = [
        ["poncho", "Rain poncho", "RP-S", "https://shop.example/rp-1.jpg", "draft", "", ""],
        ["poncho", "", "RP-M", "", "", "", ""],
        ["poncho", "", "", "https://shop.example/rp-2.jpg", "", "", ""],
        ["tee", "Merino Tee", "MT-S", "", "active", "", ""],
    ]
    columns = {"Handle": "group", "Title": "title", "Variant SKU": "id", "Image Src": "image",
               "Status": "published"}  # fmt: skip
    loaded = load_catalog(write_csv(tmp_path / "shopify.csv", header, rows), feed=FeedFormat(columns=columns))
    assert [p.id for p in loaded.products] == ["MT-S"] and not loaded.problems
    assert loaded.unpublished == ["RP-S", "RP-M"]
    woo = [
        ["", "Private set", "", "", "-1", "201", ""],
        ["", "Private set - S", "", "", "1", "202", "id:201"],
    ]
    columns = {"Title": "title", "Status": "published", "ID": "id", "Parent": "group"}
    loaded = load_catalog(write_csv(tmp_path / "woo.csv", header, woo), feed=FeedFormat(columns=columns))
    assert loaded.unpublished == ["201", "202"] and not loaded.products


def test_shopify_options_are_attributes_named_by_the_option(tmp_path: Path) -> None:
    header = ["Handle", "Title", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
              "Variant SKU", "Variant Price"]  # fmt: skip
    rows = [
        ["jacka", "Skaljacka", "Färg", "Svart", "Storlek", "S", "SK-SV-S", "899"],
        ["jacka", "", "", "Svart", "", "M", "SK-SV-M", "899"],  # names on the first row only
        ["jacka", "", "", "Grön", "", "", "SK-GR", "899"],  # one option left empty
        ["mossa", "Mössa", "Title", "Default Title", "", "", "MO-1", "249"],  # Shopify's "no variants"
    ]
    columns = {"Handle": "group", "Title": "title", "Variant SKU": "id", "Variant Price": "price"}
    loaded = load_catalog(write_csv(tmp_path / "shopify.csv", header, rows), feed=FeedFormat(columns=columns))
    assert not loaded.problems
    small, medium, green, hat = loaded.products
    options = ("Färg", "Storlek")
    assert [{k: p.attributes.get(k) for k in options} for p in (small, medium, green)] == [
        {"Färg": "Svart", "Storlek": "S"},
        {"Färg": "Svart", "Storlek": "M"},
        {"Färg": "Grön", "Storlek": None},
    ]
    assert not any(name.startswith("Option") for p in loaded.products for name in p.attributes)
    assert set(hat.attributes) == {"group"}
    # The values together title the variant, as Shopify does; a product without variants has none.
    assert [p.attributes.get("variant") for p in loaded.products] == ["Svart / S", "Svart / M", "Grön", None]


def test_woocommerce_attributes_are_attributes_named_by_the_attribute(tmp_path: Path) -> None:
    header = ["ID", "Type", "Name", "Regular price", "Parent", "Attribute 1 name", "Attribute 1 value(s)",
              "Attribute 1 visible", "Attribute 1 global", "color"]  # fmt: skip
    rows = [
        ["101", "variable", "Sauvage", "", "", "Contenance", "30 ml, 60 ml", "1", "1", ""],
        ["102", "variation", "Sauvage - 30 ml", "80", "id:101", "Contenance", "30 ml", "", "1", ""],
        ["103", "variation", "Sauvage - 60 ml", "110", "id:101", "Contenance", "60 ml", "", "1", ""],
        ["104", "simple", "Coffret", "50", "", "Notes", "Rose, Jasmin", "1", "0", ""],
        ["105", "simple", "Vernis", "9", "", "color", "rouge", "1", "0", "red"],  # the column wins
        ["106", "variation", "Sauvage - 100 ml", "150", "id:101", "Contenance", "100 ml", "", "1", ""],
    ]
    header.append("variant")  # a shop's own column of that name keeps its value
    rows = [[*row, "flacon géant" if row[0] == "106" else ""] for row in rows]
    columns = {"ID": "id", "Name": "title", "Regular price": "price", "Parent": "group"}
    loaded = load_catalog(write_csv(tmp_path / "woo.csv", header, rows), feed=FeedFormat(columns=columns))
    assert not loaded.problems
    parent, small, large, box, polish, _ = loaded.products
    variants = [p.attributes.get("variant") for p in loaded.products]
    assert variants == [None, "30 ml", "60 ml", "Rose, Jasmin", "rouge", "flacon géant"]
    assert (small.attributes["Contenance"], large.attributes["Contenance"]) == ("30 ml", "60 ml")
    assert "Contenance" not in parent.attributes  # its variations' values, one each
    assert box.attributes["Notes"] == "Rose, Jasmin"  # a simple product's list is its own
    assert polish.attributes["color"] == "red"
    assert not any(name.startswith("Attribute") for p in loaded.products for name in p.attributes)
    assert not any("Type" in p.attributes for p in loaded.products)  # the record type: read, not kept


def test_a_variant_takes_its_familys_attributes_but_not_what_names_the_variant(tmp_path: Path) -> None:
    """Shopify writes `Type` and `Tags` on a product's first row only: a filter on one kept the first
    size alone. A variant takes them, never its family's barcode, stock, sale, options or per-variant
    columns."""
    header = ["Handle", "Title", "Type", "Tags", "Option1 Name", "Option1 Value", "Variant SKU",
              "Variant Price", "Variant Compare At Price", "Variant Inventory Qty", "Variant Barcode",
              "Variant Grams"]  # fmt: skip
    rows = [
        ["dog-food", "Dog food", "Dry food", "grain-free, adult", "Weight", "3 kg", "DF-3", "9.00", "12.00",
         "5", "8410000000017", "3000"],
        ["dog-food", "", "", "", "", "12 kg", "DF-12", "30.00", "", "0", "", ""],
    ]  # fmt: skip
    columns = {"Handle": "group", "Title": "title", "Variant SKU": "id", "Variant Price": "sale_price",
               "Variant Compare At Price": "price", "Variant Inventory Qty": "stock",
               "Variant Barcode": "gtin"}  # fmt: skip
    feed = FeedFormat(columns=columns)
    small, large = load_catalog(write_csv(tmp_path / "export.csv", header, rows), feed=feed).products
    assert (large.attributes["Type"], large.attributes["Tags"]) == ("Dry food", "grain-free, adult")
    assert large.attributes["Weight"] == large.attributes["variant"] == "12 kg"
    assert "gtin" not in large.attributes and "Variant Grams" not in large.attributes
    assert large.attributes["stock"] == "0" and not large.available
    assert "regular_price" not in large.attributes and small.attributes["regular_price"] == 12.0
    custom = FeedFormat(columns={**columns, "Tags": "reference"}, identifiers=("reference",))
    _, own = load_catalog(write_csv(tmp_path / "export2.csv", header, rows), feed=custom).products
    assert "reference" not in own.attributes and own.attributes["Type"] == "Dry food"


def test_a_variant_never_takes_its_familys_sale(tmp_path: Path) -> None:
    """A sale kept with the family's product (running, or not begun) is that product's: a variant
    taking it would sell at the family's price when the sales clock starts it."""
    path = tmp_path / "catalog.jsonl"
    rows = [
        {
            "id": "f",
            "title": "Panettone",
            "group": "g",
            "price": 30,
            "sale_price": 25,
            "sale_from": "2090-01-01",
        },
        {"id": "f-750", "group": "g", "title": "", "price": 20, "variant": "750 g"},
        {"id": "h", "title": "Pandoro", "group": "k", "price": 15, "sale_price": 12, "sale_to": "2090-01-01"},
        {"id": "h-1", "group": "k", "title": "", "price": 18, "variant": "1 kg"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    products = {p.id: p for p in load_catalog(path).products}
    assert products["f"].attributes["scheduled_sale_price"] == 25 and products["h"].price == 12
    for variant in ("f-750", "h-1"):
        kept = {k for k in products[variant].attributes if "sale" in k or k == "regular_price"}
        assert kept == set(), variant
    assert (products["f-750"].price, products["h-1"].price) == (20, 18)


def test_a_family_key_that_is_also_another_familys_variants_id_names_its_own_family(tmp_path: Path) -> None:
    """Ticimax numbers its cards (the family) and their variants apart: card 2's key is also the id
    of a variant of card 1, which must not become card 2's head (every card had joined one family)."""
    path = tmp_path / "catalog.jsonl"
    rows = [
        {"id": "1", "title": "Havlu 30x50", "group": "1", "price": 99},
        {"id": "2", "title": "Havlu 50x90", "group": "1", "price": 199},
        {"id": "3", "title": "Bornoz S", "group": "2", "price": 899, "brand": "Ege"},
        {"id": "4", "title": "Bornoz M", "group": "2", "price": 899},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    products = {p.id: p for p in load_catalog(path).products}
    assert [products[i].attributes["group"] for i in "1234"] == ["1", "1", "2", "2"]
    assert products["3"].brand == "Ege" and products["4"].brand == "Ege"  # from its own family's first
    assert products["2"].brand == ""
