"""A Boulder outfitter, made up whole, that sells on BigCommerce and exports its catalog with BigCommerce's
Bulk Edit template.

The shop sells camping, hiking, climbing and paddling gear in US dollars. BigCommerce's Bulk Edit export
(`products-YYYY-MM-DD.csv`) writes each product as a `Product` row followed by a row per SKU (`Item
Type` "  SKU", indented by two spaces as the export writes it, no product id, its options in place of
the name: "[RT]Size=Long", "[RT]Size=M,[CS]Color=Black", the bracket saying how the option is shown:
rectangle, swatch, select) and a `Rule` row per SKU whose price differs ("[ADD]20.0000" or
"[FIXED]..."); a product's categories as paths with "/" between levels and ";" between paths
("Camping/Sleeping Bags;Sale"); its custom fields in one cell ("Temperature Rating=20°F;Insulation=
Synthetic"); prices with four decimals, "0.0000" where there is no sale or retail price; Y/N flags;
`Track Inventory` "none" (the stock count, then 0, means nothing), "by product" or "by option" (each
SKU holds its stock, the product their sum); and columns of BigCommerce's own bookkeeping (bin
picking number, cost price, tax class, option set). This writes such a file (a tent taken off the shop,
a product without a name, a stove the shop cannot sell yet, a sale, retail prices above the price,
products whose stock is not tracked), the catalog as `indexer build` reads it with `COLUMNS`, `PAIRS`,
`LISTS` and `LIMITS` (products.jsonl), and queries judged by what a shopper asking them wants
(`bench.outdoor_catalog`, `bench.shop_judging`).

    python -m bench.outdoor_shop --out var/shops/outdoor
    AISLE_CURRENCY=USD AISLE_CATEGORY_LISTS=';' AISLE_CATEGORY_LEVELS=/ \\
    python -m bench.relevance --products var/shops/outdoor/products.jsonl \\
        --queries var/shops/outdoor/queries.tsv --qrels var/shops/outdoor/qrels.tsv --methods bm25,dense,full
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bench.outdoor_catalog import CATALOG, JUDGED, TENTS, Product
from bench.shop_judging import ExportRows, fields_text, shop_main, write_csv_shop
from engine.schema_checks import Limits
from indexer.readers import FeedFormat

SEED = 47
CUSTOM_FIELDS = "Product Custom Fields"
EXPORT_FIELDS = ["Item Type", "Product ID", "Product Name", "Product Type", "Product Code/SKU"]
EXPORT_FIELDS += ["Bin Picking Number", "Brand Name", "Option Set", "Option Set Align"]
EXPORT_FIELDS += ["Product Description", "Price", "Cost Price", "Retail Price", "Sale Price"]
EXPORT_FIELDS += ["Fixed Shipping Cost", "Free Shipping", "Product Warranty", "Product Weight"]
EXPORT_FIELDS += ["Product Width", "Product Height", "Product Depth", "Allow Purchases?"]
EXPORT_FIELDS += ["Product Visible?", "Product Availability", "Track Inventory", "Current Stock Level"]
EXPORT_FIELDS += ["Low Stock Level", "Category", "Product Image ID - 1", "Product Image File - 1"]
EXPORT_FIELDS += ["Product Image Description - 1", "Product Image Is Thumbnail - 1"]
EXPORT_FIELDS += ["Product Image Sort - 1", "Search Keywords", "Page Title", "Meta Keywords"]
EXPORT_FIELDS += ["Meta Description", "Product Condition", "Show Product Condition?", "Sort Order"]
EXPORT_FIELDS += ["Product Tax Class", "Product UPC/EAN", "Stop Processing Rules", "Product URL"]
EXPORT_FIELDS += ["Redirect Old URL?", "GPS Global Trade Item Number", "GPS Manufacturer Part Number"]
EXPORT_FIELDS += [CUSTOM_FIELDS]
# The file's columns as the schema's (what the shop sets in AISLE_CATALOG_COLUMNS; docs/ingest.md).
COLUMNS: dict[str, str | None] = {"Product ID": "id", "Product Name": "title", "Brand Name": "brand"}
COLUMNS |= {"Product Description": "description", "Price": "price", "Sale Price": "sale_price"}
COLUMNS |= {"Product Visible?": "published", "Current Stock Level": "stock", "Category": "category"}
COLUMNS |= {"Product Code/SKU": "sku", "Product UPC/EAN": "gtin", "Product Image File - 1": "image"}
COLUMNS |= {"GPS Manufacturer Part Number": "mpn", "Search Keywords": "keywords"}
COLUMNS |= {"Item Type": "row_type", "Track Inventory": "inventory_tracking"}
COLUMNS |= {"Allow Purchases?": "purchasable"}
# BigCommerce's own bookkeeping, left out (null): the cost price must not reach a product page, the
# retail price (MSRP) is the shop's page's to show, and the rest would be attributes listed on every
# product.
_KEPT = ("Free Shipping", CUSTOM_FIELDS)
COLUMNS |= dict.fromkeys(f for f in EXPORT_FIELDS if f not in COLUMNS and f not in _KEPT)
PAIRS = (CUSTOM_FIELDS,)  # the shop's AISLE_PAIR_COLUMNS
LISTS = ("keywords",)  # the shop's AISLE_LIST_ATTRIBUTES
# Paths with "/" between levels, ";" between the paths of a product's categories.
LIMITS = Limits.for_shop("USD", ";", levels="/")
_UNTRACKED = ("Tent Stakes", "Fuel Canister", "Bear Deterrent", "Lantern")


def money(amount: float) -> str:
    """A price as BigCommerce exports it: four decimals, 0.0000 for none."""
    return f"{amount:.4f}"


class Export(ExportRows):
    """Bulk Edit rows: a product's row, then its SKUs' rows, then a price rule per SKU priced apart."""

    def row(self, product: Product) -> dict[str, str]:
        name, brand, categories, fields, text, price, retail, skus = product
        number = 100 + len([r for r in self.rows if r["Item Type"] == "Product"]) + 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        code = "TH-" + "".join(w[0] for w in re.findall(r"[A-Za-z0-9]+", name)).upper()[:6] + str(number)
        tracked = "none" if any(u in name for u in _UNTRACKED) else ("by option" if skus else "by product")
        stocks = [self.rng.choice([0, 2, 5, 9, 14]) for _ in skus]
        stock = sum(stocks) if skus else self.rng.choice([0, 3, 7, 12, 25])
        row = dict.fromkeys(EXPORT_FIELDS, "")
        row |= {"Item Type": "Product", "Product ID": str(number), "Product Name": name}
        row |= {"Product Type": "P", "Product Code/SKU": code, "Brand Name": brand}
        row |= {"Bin Picking Number": f"A{number % 17}-{number % 5}", "Option Set": name if skus else ""}
        row |= {"Option Set Align": "Right" if skus else "", "Product Description": f"<p>{text}</p>"}
        row |= {"Price": money(price), "Cost Price": money(price * 0.52), "Retail Price": money(retail)}
        row |= {"Sale Price": money(0), "Fixed Shipping Cost": money(0)}
        row |= {"Free Shipping": "Y" if price >= 99 else "N", "Product Warranty": ""}
        row |= {"Product Weight": f"{self.rng.uniform(0.2, 9):.2f}", "Product Width": "0.00"}
        row |= {"Product Height": "0.00", "Product Depth": "0.00", "Allow Purchases?": "Y"}
        row |= {"Product Visible?": "Y", "Product Availability": "Usually ships in 1-2 business days"}
        row |= {"Track Inventory": tracked, "Current Stock Level": "0" if tracked == "none" else str(stock)}
        row |= {"Low Stock Level": "2", "Category": categories, "Product Image ID - 1": str(number * 3)}
        row |= {"Product Image File - 1": f"https://cdn11.bigcommerce.example/s-th/images/{slug}.jpg"}
        row |= {"Product Image Description - 1": name, "Product Image Is Thumbnail - 1": "Y"}
        row |= {"Product Image Sort - 1": "0", "Search Keywords": "", "Page Title": name}
        row |= {"Meta Keywords": "", "Meta Description": text, "Product Condition": "New"}
        row |= {"Show Product Condition?": "N", "Sort Order": "0", "Product Tax Class": "Default Tax Class"}
        row |= {"Product UPC/EAN": "" if skus else self.ean()[1:], "Stop Processing Rules": "N"}
        row |= {"Product URL": f"/{slug}/", "Redirect Old URL?": "N"}
        row |= {"GPS Manufacturer Part Number": str(self.rng.randint(10_000, 99_999))}
        row |= {CUSTOM_FIELDS: ";".join(f"{k}={v}" for k, v in fields)}
        self.rows.append(row)
        for n, ((options, _), count) in enumerate(zip(skus, stocks, strict=True), 1):
            sku = dict.fromkeys(EXPORT_FIELDS, "")
            sku |= {"Item Type": "  SKU", "Product Name": options, "Product Code/SKU": f"{code}-{n}"}
            sku |= {"Current Stock Level": "0" if tracked == "none" else str(count), "Low Stock Level": "1"}
            sku |= {"Product UPC/EAN": self.ean()[1:], "Cost Price": money(price * 0.52)}
            self.rows.append(sku)
        for n, (options, extra) in enumerate(skus, 1):
            if extra:
                rule = dict.fromkeys(EXPORT_FIELDS, "")
                rule |= {"Item Type": "  Rule", "Product Name": options, "Product Code/SKU": f"{code}-{n}"}
                rule |= {"Price": f"[ADD]{money(extra)}", "Allow Purchases?": "Y", "Product Visible?": "Y"}
                rule |= {"Stop Processing Rules": "N"}
                self.rows.append(rule)
        return row

    def sales(self) -> None:
        """A sleeping bag on sale (its categories gain "Sale"), a stove the shop cannot sell yet."""
        bag = next(r for r in self.rows if r["Product Name"].startswith("Kelty Cosmic"))
        bag |= {"Sale Price": money(89.95), "Category": bag["Category"] + ";Sale"}
        stove = next(r for r in self.rows if r["Product Name"].startswith("MSR WhisperLite"))
        stove |= {"Allow Purchases?": "N", "Product Availability": "Arriving in March"}

    def bad_rows(self) -> None:
        """A tent taken off the shop and a product without a name."""
        self.row(("Big Agnes Fly Creek HV UL2 Tent (2019)", "Big Agnes", TENTS, [("Capacity", "2 person")],
                  "Last season's model.", 299.95, 0, []))  # fmt: skip
        self.rows[-1]["Product Visible?"] = "N"
        self.row(("x", "MSR", TENTS, [], "Tent repair kit.", 12.95, 0, []))
        self.rows[-1]["Product Name"] = ""


def judged_text(product: dict[str, Any]) -> str:
    """What a query's patterns are matched against: title, brand, categories, custom fields, options."""
    return fields_text(product, ("stock", "sku", "gtin", "mpn", "keywords"))


def feed() -> FeedFormat:
    return FeedFormat(columns=COLUMNS, lists=frozenset(LISTS), pairs=frozenset(n.lower() for n in PAIRS))


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write the export, products.jsonl, queries.tsv and qrels.tsv under `out`; their counts."""
    export = Export(seed)
    for product in CATALOG:
        export.row(product)
    export.sales()
    export.bad_rows()
    counts = write_csv_shop(
        out,
        export,
        "products-2026-12-07.csv",
        feed(),
        "USD",
        JUDGED,
        "od",
        header=EXPORT_FIELDS,
        text=judged_text,
        limits=LIMITS,
    )
    return {"export rows": counts.pop("rows"), **counts}


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.outdoor_shop", __doc__ or "", write, SEED, argv, "var/shops/outdoor")


if __name__ == "__main__":
    raise SystemExit(main())
