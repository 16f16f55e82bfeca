"""Magento's configurable products (`configurable_variations` mapped to `variants`): the children
written before the product that lists them become its family's members after it, completed from it,
their options as the list gives them, the product priced from its cheapest child; a child read after
its product too; a row shown only through a family that nobody lists stays hidden; a disabled child
stays hidden; a list that is not pairs is reported by its line."""

from __future__ import annotations

from pathlib import Path

from engine.product_schema import Limits
from indexer.loading import load_catalog
from indexer.readers import FeedFormat

COLUMNS: dict[str, str | None] = {"sku": "id", "name": "title", "description": "description"}
COLUMNS |= {"price": "price", "visibility": "published", "product_online": "published"}
COLUMNS |= {"configurable_variations": "variants", "manufacturer": "brand", "categories": "category"}
HEADER = "sku,name,description,manufacturer,categories,price,product_online,visibility,size,"
HEADER += "configurable_variations\n"
CHILD = "Not Visible Individually"
PARENT = '"Catalog, Search"'


def load(tmp_path: Path, rows: list[str]) -> tuple[list[dict[str, object]], object]:
    path = tmp_path / "catalog_product.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    loaded = load_catalog(path, Limits(), FeedFormat(columns=COLUMNS))
    return [p.to_dict() for p in loaded.products], loaded


def test_children_before_their_product_become_its_family(tmp_path: Path) -> None:
    products, loaded = load(
        tmp_path,
        [
            f"C-50,Cream-50 ml,,,,12.99,1,{CHILD},50 ml,",
            f"C-340,Cream-340 g,,,,24.99,1,{CHILD},,",
            f'C,Cream,Rich cream.,CeraVe,Skincare,,1,{PARENT},,"sku=C-50,size=50 ml|sku=C-340,size=340 g"',
            f"S,Lip Balm,Beeswax.,Burt's Bees,Lips,4.99,1,{PARENT},,",
        ],
    )
    assert [p["id"] for p in products] == ["C", "C-50", "C-340", "S"]  # the product first, then its children
    cream, small, large, _ = products
    assert cream["price"] == 12.99 and cream["attributes"]["group"] == "C"  # priced from its cheapest
    for child in (small, large):
        assert (child["brand"], child["category"], child["description"]) == (
            "CeraVe",
            ["Skincare"],
            "Rich cream.",
        )
        assert child["attributes"]["group"] == "C"
    assert small["attributes"]["variant"] == "50 ml" and small["attributes"]["size"] == "50 ml"
    assert large["attributes"]["size"] == "340 g"  # the list gives the option the row left empty
    assert loaded.problems == [] and loaded.unpublished == []


def test_a_child_after_its_product_and_a_row_nobody_lists(tmp_path: Path) -> None:
    products, loaded = load(
        tmp_path,
        [
            f'P,Perfume,Floral.,Lancôme,Fragrance,,1,{PARENT},,"sku=P-30,size=30 ml|sku=P-50,size=50 ml"',
            f"P-30,Perfume-30 ml,,,,89.00,1,{CHILD},,",
            f"P-50,Perfume-50 ml,,,,125.00,2,{CHILD},,",  # disabled: hidden with or without its family
            f"GIFT,Sample 5 ml,Free with an order.,CeraVe,Skincare,0,1,{CHILD},,",
        ],
    )
    assert [p["id"] for p in products] == ["P", "P-30"]
    assert products[1]["brand"] == "Lancôme" and products[0]["price"] == 89.0
    assert sorted(loaded.unpublished) == ["GIFT", "P-50"]


def test_a_list_that_is_not_pairs_is_reported_by_its_line(tmp_path: Path) -> None:
    products, loaded = load(
        tmp_path,
        [
            f"K-1,Kit-1,,,,5,1,{CHILD},,",
            f"K,Kit,,,,,1,{PARENT},,K-1",
            f"Q,Kit 2,,,,,1,{PARENT},,size=M",
        ],
    )
    assert [(p.line, p.message) for p in loaded.problems] == [
        (3, "variants: expected name=value pairs separated by commas or semicolons, got 'K-1'"),
        (4, "variants: expected each variant's sku=..., got 'size=M'"),
    ]
    assert products == [] and loaded.unpublished == ["K-1"]  # its product refused, the child stays hidden


def test_a_row_repeating_a_hidden_rows_id_is_no_product(tmp_path: Path) -> None:
    # A store view's row read without `store_view` mapped: it repeats the child's sku, which is hidden
    # (no product lists it here), and must not become a product in the child's place.
    products, loaded = load(
        tmp_path,
        [
            f"C-50,Cream-50 ml,,,,12.99,1,{CHILD},,",
            "C-50,Crème-50 ml,,,,,,,,",
            "X,Retinol Cream,,,,39.99,2,,,",  # disabled
            "X,Crème au rétinol,,,,,,,,",
        ],
    )
    assert products == [] and sorted(loaded.unpublished) == ["C-50", "X"]
    assert [(p.line, p.message.split(" (")[0]) for p in loaded.problems] == [
        (3, "duplicate id 'C-50'"),
        (5, "duplicate id 'X'"),
    ]
