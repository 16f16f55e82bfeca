"""BigCommerce's Bulk Edit rows (`Item Type` mapped to `row_type`): SKU rows under a product become its
family's members, their options attributes, their prices the product's changed by their rules; the
tracking decides the stock; a product the shop takes no orders for is out of stock; rows that cannot be
read are reported by their line while the rest of the file is read."""

from __future__ import annotations

from pathlib import Path

from engine.product_schema import Limits
from indexer.loading import load_catalog
from indexer.readers import FeedFormat

COLUMNS: dict[str, str | None] = {"Item Type": "row_type", "Product ID": "id", "Product Name": "title"}
COLUMNS |= {"Product Code/SKU": "sku", "Brand Name": "brand", "Price": "price", "Sale Price": "sale_price"}
COLUMNS |= {"Allow Purchases?": "purchasable", "Product Visible?": "published", "Category": "category"}
COLUMNS |= {"Track Inventory": "inventory_tracking", "Current Stock Level": "stock"}
HEADER = "Item Type,Product ID,Product Name,Product Code/SKU,Brand Name,Price,Sale Price,Allow Purchases?,"
HEADER += "Product Visible?,Category,Track Inventory,Current Stock Level\n"
BAG = "Product,109,Trestles 20 Sleeping Bag,MT-109,Marmot,149.0000,0.0000,Y,Y,Camping/Sleeping Bags,"


def load(tmp_path: Path, rows: list[str]) -> tuple[list[dict[str, object]], object]:
    path = tmp_path / "products-2026-12-07.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    limits = Limits.for_shop("USD", ";", levels="/")
    loaded = load_catalog(path, limits, FeedFormat(columns=COLUMNS))
    return [p.to_dict() for p in loaded.products], loaded


def test_sku_rows_become_the_family_of_the_product_above_priced_by_their_rules(tmp_path: Path) -> None:
    products, loaded = load(
        tmp_path,
        [
            BAG + "by option,9",
            "  SKU,,[RT]Size=Regular,MT-109-1,,,,,,,,9",
            '  SKU,,"[RT]Size=Long,[CS]Color=Blue Ridge",MT-109-2,,,,,,,,0',
            "  Rule,,[RT]Size=Long,MT-109-2,,[ADD]20.0000,,Y,Y,,,",
            "Product,120,Tent Stakes,MSR-120,MSR,29.9500,0.0000,Y,Y,Camping/Tents,none,0",
        ],
    )
    assert [p["id"] for p in products] == ["109", "MT-109-1", "MT-109-2", "120"]
    bag, regular, long, stakes = products
    assert bag["price"] == 149.0 and bag["availability"] == "in_stock"  # "0.0000" is no sale
    for sku in (regular, long):
        assert (sku["title"], sku["brand"], sku["category"]) == (bag["title"], "Marmot", bag["category"])
        assert sku["attributes"]["group"] == "109"
    assert regular["price"] == 149.0 and regular["attributes"]["Size"] == "Regular"
    assert long["price"] == 169.0 and long["availability"] == "out_of_stock"
    assert long["attributes"]["Color"] == "Blue Ridge"
    assert long["attributes"]["variant"] == "Long / Blue Ridge"
    assert "row_type" not in long["attributes"] and "inventory_tracking" not in bag["attributes"]
    assert stakes["availability"] == "in_stock" and "stock" not in stakes["attributes"]  # not tracked
    assert loaded.problems == []


def test_one_count_for_every_sku_a_sale_and_rules_that_fix_or_take_off(tmp_path: Path) -> None:
    products, _ = load(
        tmp_path,
        [
            "Product,130,Pad,TR-130,Therm-a-Rest,200.0000,180.0000,Y,Y,Camping/Sleeping Pads,by product,0",
            "  SKU,,[RT]Size=Regular,TR-130-1,,,,,,,,0",
            "  SKU,,[RT]Size=Large,TR-130-2,,,,,,,,0",
            "  SKU,,[RT]Size=Short,TR-130-3,,,,,,,,0",
            "  Rule,,[RT]Size=Large,TR-130-2,,[FIXED]250.0000,,,,,,",
            "  Rule,,[RT]Size=Short,TR-130-3,,[REMOVE]10.0000,,,,,,",
        ],
    )
    pad, regular, large, short = products
    assert [p["availability"] for p in products] == ["out_of_stock"] * 4  # the product's count is theirs
    assert (pad["price"], regular["price"]) == (180.0, 180.0)  # on sale, and so is the SKU
    assert regular["attributes"]["regular_price"] == 200.0
    assert large["price"] == 250.0 and "regular_price" not in large["attributes"]  # a fixed price, no sale
    assert short["price"] == 170.0 and short["attributes"]["regular_price"] == 190.0


def test_a_product_the_shop_takes_no_orders_for_is_out_of_stock_and_so_are_its_skus(tmp_path: Path) -> None:
    products, _ = load(
        tmp_path,
        [
            "Product,126,WhisperLite Stove,MSR-126,MSR,149.9500,0.0000,N,Y,Camping/Stoves,by option,25",
            "  SKU,,[S]Fuel=White gas,MSR-126-1,,,,,,,,25",
        ],
    )
    assert [p["availability"] for p in products] == ["out_of_stock", "out_of_stock"]


def test_rows_that_cannot_be_read_are_reported_by_their_line(tmp_path: Path) -> None:
    products, loaded = load(
        tmp_path,
        [
            "  SKU,,[RT]Size=M,ORPHAN-1,,,,,,,,3",
            BAG + "by option,9",
            "  SKU,,[RT]Size=Regular,,,,,,,,,9",
            "  SKU,,[RT]Size=Long,MT-109-2,,,,,,,,2",
            "  Rule,,[RT]Size=Long,MT-109-9,,[ADD]20.0000,,,,,,",
            "  Rule,,[RT]Size=Long,MT-109-2,,plus 20,,,,,,",
            "Bundle,140,Gift set,GS-140,MSR,40.0000,0.0000,Y,Y,Gifts,none,0",
        ],
    )
    assert [p["id"] for p in products] == ["109", "MT-109-2"]
    assert products[1]["price"] == 149.0  # the rule that could not be read changed nothing
    assert [(p.line, p.message) for p in loaded.problems] == [
        (2, "row_type: a SKU row before any product's row"),
        (4, "sku: a SKU row needs its SKU code, its id"),
        (6, "sku: a price rule for 'MT-109-9', which the product above does not have"),
        (7, "price: expected [ADD], [REMOVE] or [FIXED] and an amount, got 'plus 20'"),
        (8, "row_type: expected Product, SKU or Rule, got 'bundle'"),
    ]
