"""Shopware 6's product export read with the shop's names files (`indexer.named_ids`): category ids
become paths, property ids attributes named by their group, a variant's option ids its attributes and
label; variants leaving their price and channels empty have their product's; a product in no sales
channel, or not in the shop's, is not shown; a names file that cannot be read is refused by name and
line."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InvalidInput
from engine.product_schema import Limits
from indexer.loading import load_catalog
from indexer.readers import FeedFormat

ROOT, BRAKES, DISCS, SALE = "a" * 32, "b" * 32, "c" * 32, "d" * 32
FRONT, GOLF, A3, D288, D312 = "1" * 32, "2" * 32, "3" * 32, "4" * 32, "5" * 32
SHOP, WHOLESALE = "e" * 32, "f" * 32
CATEGORIES = f"id;parent_id;active;type;name\n{ROOT};;1;page;Katalog #1\n{BRAKES};{ROOT};1;page;Bremsanlage\n"
CATEGORIES += f"{DISCS};{BRAKES};1;page;Bremsscheiben\n{SALE};{ROOT};1;page;Angebote\n"
PROPERTIES = "id;group_id;name;position;group_name\n"
PROPERTIES += f"{FRONT};9;Vorderachse;1;Einbauseite\n{GOLF};8;VW Golf VII;1;Fahrzeug\n"
PROPERTIES += f"{A3};8;Audi A3 8V;2;Fahrzeug\n{D288};7;288 mm;1;Durchmesser\n{D312};7;312 mm;2;Durchmesser\n"
COLUMNS: dict[str, str | None] = {"id": "id", "parent_id": "group", "active": "published", "name": "title"}
COLUMNS |= {"stock": "stock", "price_gross": "sale_price", "list_price_gross": "price", "tax_rate": None}
COLUMNS |= {"manufacturer_name": "brand", "categories": "category", "sales_channel": "sales_channels"}
COLUMNS |= {"propertyIds": "properties", "optionIds": "variant"}
HEADER = "id;parent_id;active;stock;name;price_gross;list_price_gross;tax_rate;manufacturer_name;"
HEADER += "categories;sales_channel;propertyIds;optionIds\n"
DISC = f"p1;;1;0;Bremsscheibe belüftet;19.9;24.9;19;BREMBO;{DISCS}|{SALE};{SHOP};{FRONT}|{GOLF}|{A3};"


def load(tmp_path: Path, rows: list[str], names: bool = True, channel: str = "") -> tuple[list, object]:
    (tmp_path / "kategorien.csv").write_text(CATEGORIES, encoding="utf-8")
    (tmp_path / "eigenschaften.csv").write_text(PROPERTIES, encoding="utf-8")
    path = tmp_path / "produkte.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    files = (tmp_path / "kategorien.csv", tmp_path / "eigenschaften.csv") if names else ()
    loaded = load_catalog(
        path, Limits.for_shop("EUR", root="Katalog #1"), FeedFormat(COLUMNS, names=files, channel=channel)
    )
    return [p.to_dict() for p in loaded.products], loaded


def test_ids_read_as_category_paths_attributes_and_the_variants_options(tmp_path: Path) -> None:
    products, loaded = load(
        tmp_path,
        [DISC, f"v1;p1;;6;;;;;;;;;{D288}", f"v2;p1;;0;;29.9;;;;;;;{D312}"],
    )
    disc, small, large = products
    assert disc["category"] == ["Bremsanlage", "Bremsscheiben"] and disc["more_categories"] == [["Angebote"]]
    assert disc["attributes"]["Fahrzeug"] == ["VW Golf VII", "Audi A3 8V"]
    assert disc["attributes"]["Einbauseite"] == "Vorderachse" and "properties" not in disc["attributes"]
    assert "sales_channels" not in disc["attributes"]
    # A variant has its options as attributes and label, and its product's fields, price and sale.
    assert small["attributes"]["Durchmesser"] == "288 mm" and small["attributes"]["variant"] == "288 mm"
    assert (small["title"], small["brand"], small["category"]) == (disc["title"], "BREMBO", disc["category"])
    assert small["attributes"]["Fahrzeug"] == ["VW Golf VII", "Audi A3 8V"]
    assert (small["price"], small["attributes"]["regular_price"]) == (19.9, 24.9)
    assert large["price"] == 29.9 and "regular_price" not in large["attributes"]  # its own price, no sale
    # The product holds no stock of its own (Shopware's 0): it is in stock while a variant is.
    assert disc["availability"] == "in_stock" and large["availability"] == "out_of_stock"
    assert not loaded.unnamed


def test_without_the_names_files_the_ids_stay_and_an_unknown_id_is_counted(tmp_path: Path) -> None:
    products, _ = load(tmp_path, [DISC], names=False)
    assert products[0]["category"] == [f"{DISCS}|{SALE}"]  # what check's hint is for
    stale = "9" * 32
    products, loaded = load(tmp_path, [DISC.replace(f"{FRONT}|", f"{stale}|")])
    assert "Einbauseite" not in products[0]["attributes"] and loaded.unnamed == {"properties": 1}


def test_a_product_in_no_sales_channel_or_another_one_is_not_shown_with_its_variants(tmp_path: Path) -> None:
    hidden = DISC.replace("p1;", "p2;").replace(f";{SHOP};", ";;")
    wholesale = DISC.replace("p1;", "p3;").replace(f";{SHOP};", f";{WHOLESALE};")
    rows = [DISC, hidden, f"v2;p2;;3;;;;;;;;;{D288}", wholesale]
    products, loaded = load(tmp_path, rows)
    assert [p["id"] for p in products] == ["p1", "p3"] and loaded.unpublished == ["p2", "v2"]
    products, loaded = load(tmp_path, rows, channel=SHOP.upper())
    assert [p["id"] for p in products] == ["p1"] and loaded.unpublished == ["p2", "v2", "p3"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "kategorien.csv:1: a names file needs a header naming id and name"),
        ("key;label\nx;y\n", "kategorien.csv:1: a names file needs a header naming id and name"),
        (f"id;parent_id;name\n{ROOT};;Katalog\n{BRAKES};{ROOT};\n", "kategorien.csv:3: a names file's row"),
    ],
)
def test_a_names_file_that_cannot_be_read_is_refused_by_name_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    load(tmp_path, [DISC])
    (tmp_path / "kategorien.csv").write_text(text, encoding="utf-8")
    feed = FeedFormat(COLUMNS, names=(tmp_path / "kategorien.csv",))
    with pytest.raises(InvalidInput, match=message):
        load_catalog(tmp_path / "produkte.csv", Limits.for_shop("EUR"), feed)
    with pytest.raises(InvalidInput, match="no such names file"):
        load_catalog(
            tmp_path / "produkte.csv", Limits.for_shop("EUR"), FeedFormat(names=(tmp_path / "x.csv",))
        )


def test_an_attribute_called_channels_is_no_sales_channel(tmp_path: Path) -> None:
    path = tmp_path / "av.csv"
    path.write_text("id,title,channels\nr1,AV Receiver,5.1\nc1,Speaker Cable,\n", encoding="utf-8")
    loaded = load_catalog(path)
    assert [(p.id, p.attributes.get("channels")) for p in loaded.products] == [("r1", "5.1"), ("c1", None)]
    assert not loaded.unpublished
