"""A Bologna enoteca, made up whole, that sells on PrestaShop and keeps its catalog in PrestaShop's product
file.

The enoteca sells Italian wine, spirits and a delicatessen's shelves in euros. Its catalog is the
semicolon-separated file PrestaShop's import reads and its export modules write: English column names
("Name *", "Categories (x,y,z...)", "Feature(Name:Value:Position)"), prices with six decimals before
and after tax and the tax rule's id, a product's categories as a list of names under "Home" (PrestaShop
lists the categories a product is in, not paths: "Home,Vini,Vini rossi"), its features in one cell
("Regione:Piemonte:1,Vitigno:Nebbiolo:2,Abbinamento:Carne rossa:3,Abbinamento:Selvaggina:3"), labels as
tags ("Biologico,Vegano"), a discount as an amount or a per cent with the dates it runs between
("0000-00-00" where there are none, 0 where there is no discount), whether the product is active (0/1)
and where it is shown (`Visibility`: both, catalog, search, none), the wholesale price and dozens of
columns of PrestaShop's own bookkeeping. This writes such a file (`products_import.csv`: a vintage
taken off sale, a gift-wrap service shown nowhere, a gift card shown only in the catalog, a product
without a name, a Black Friday discount that is over, a Christmas one that has not begun, one that
runs), the catalog as `indexer build` reads it with `COLUMNS`, `PAIRS`, `LISTS` and `LIMITS`
(products.jsonl), and queries judged by what a shopper asking them wants (`bench.wine_catalog`,
`bench.shop_judging`). The discounts' dates are set from the day the file is written.

    python -m bench.wine_shop --out var/shops/wine
    AISLE_CATALOG_LANGUAGE=italian AISLE_CURRENCY=EUR AISLE_CATEGORY_LISTS=, AISLE_CATEGORY_ROOT=Home \\
    AISLE_LIST_ATTRIBUTES='["tags"]' \\
    AISLE_SEARCH_FIELDS='{"title": 3, "description": 1, "brand": 2, "category": 1, "attr.tags": 1}' \\
    python -m bench.relevance --products var/shops/wine/products.jsonl \\
        --queries var/shops/wine/queries.tsv --qrels var/shops/wine/qrels.tsv --methods bm25,dense,full
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.shop_judging import ExportRows, fields_text, shop_main, write_csv_shop
from bench.wine_catalog import CATALOG, JUDGED, RED, Product
from engine.schema_checks import Limits
from engine.schema_sale import SALE_ATTRIBUTES
from indexer.readers import FeedFormat

SEED = 43
FEATURES = "Feature(Name:Value:Position)"
EXPORT_FIELDS = ["Product ID", "Active (0/1)", "Name *", "Categories (x,y,z...)", "Price tax excluded"]
EXPORT_FIELDS += ["Price tax included", "Tax rules ID", "Wholesale price", "On sale (0/1)"]
EXPORT_FIELDS += ["Discount amount", "Discount percent", "Discount from (yyyy-mm-dd)"]
EXPORT_FIELDS += ["Discount to (yyyy-mm-dd)", "Reference #", "Supplier reference #", "Supplier", "Brand"]
EXPORT_FIELDS += ["EAN13", "UPC", "MPN", "Ecotax", "Width", "Height", "Depth", "Weight", "Quantity"]
EXPORT_FIELDS += ["Minimal quantity", "Visibility", "Additional shipping cost", "Unity", "Unit price"]
EXPORT_FIELDS += ["Summary", "Description", "Tags (x,y,z...)", "Meta title", "URL rewritten"]
EXPORT_FIELDS += ["Text when in stock", "Text when backorder allowed"]
EXPORT_FIELDS += ["Available for order (0 = No, 1 = Yes)"]
EXPORT_FIELDS += ["Product available date", "Product creation date", "Show price (0 = No, 1 = Yes)"]
EXPORT_FIELDS += ["Image URLs (x,y,z...)", "Delete existing images (0 = No, 1 = Yes)", FEATURES]
EXPORT_FIELDS += ["Available online only (0 = No, 1 = Yes)", "Condition", "Out of stock action"]
EXPORT_FIELDS += ["ID / Name of shop"]
# The file's columns as the schema's (what the shop sets in AISLE_CATALOG_COLUMNS; docs/ingest.md).
COLUMNS: dict[str, str | None] = {"Product ID": "id", "Active (0/1)": "published", "Name *": "title"}
COLUMNS |= {"Categories (x,y,z...)": "category", "Price tax included": "price", "Brand": "brand"}
COLUMNS |= {"Discount amount": "sale_amount", "Discount percent": "sale_percent"}
COLUMNS |= {"Discount from (yyyy-mm-dd)": "sale_from", "Discount to (yyyy-mm-dd)": "sale_to"}
COLUMNS |= {"Reference #": "sku", "Quantity": "stock", "Visibility": "published"}
COLUMNS |= {"Description": "description", "Tags (x,y,z...)": "tags", "Image URLs (x,y,z...)": "image"}
COLUMNS |= {"Available for order (0 = No, 1 = Yes)": "purchasable"}
# PrestaShop's own bookkeeping, left out (null): the price before tax and the wholesale price must not
# reach a product page, and the rest would be attributes listed on every product.
_LEFT_OUT = [f for f in EXPORT_FIELDS if f not in COLUMNS and f not in (FEATURES, "EAN13")]
COLUMNS |= dict.fromkeys(_LEFT_OUT)
PAIRS = (FEATURES,)  # the shop's AISLE_PAIR_COLUMNS
LISTS = ("tags",)  # the shop's AISLE_LIST_ATTRIBUTES
# PrestaShop lists the categories a product is in by name, separated by commas, each under "Home".
LIMITS = Limits.for_shop("EUR", ",", root="Home")
TAX = {"1": 0.22, "2": 0.10, "3": 0.04}  # the shop's tax rules: wine and spirits, cakes, the rest
_TAX_RULE = {"Vini": "1", "Distillati e liquori": "1", "Idee regalo": "1", "Dolci": "2"}
NO_DATE = "0000-00-00"


class Export(ExportRows):
    """PrestaShop's rows: a product each, every column written (zeros and zero dates where unset)."""

    def row(self, product: Product) -> dict[str, str]:
        name, brand, categories, labels, text, features, price = product
        number = len(self.rows) + 1
        rule = _TAX_RULE.get(categories.split(",")[0], "3")
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        stock = self.rng.choice([0, 3, 6, 12, 24, 48]) if self.rng.random() < 0.9 else 120
        row = {"Product ID": str(number), "Active (0/1)": "1", "Name *": name}
        row |= {"Categories (x,y,z...)": f"Home,{categories}", "Price tax included": f"{price:.6f}"}
        row |= {"Price tax excluded": f"{price / (1 + TAX[rule]):.6f}", "Tax rules ID": rule}
        row |= {"Wholesale price": f"{price * 0.55:.6f}", "On sale (0/1)": "0", "Discount amount": "0"}
        row |= {"Discount percent": "0", "Discount from (yyyy-mm-dd)": NO_DATE}
        row |= {"Discount to (yyyy-mm-dd)": NO_DATE, "Reference #": f"ENO-{number:04d}", "Brand": brand}
        row |= {"Supplier reference #": "", "Supplier": brand, "EAN13": self.ean(), "UPC": "", "MPN": ""}
        row |= {"Ecotax": "0.000000", "Width": "0.000000", "Height": "0.000000", "Depth": "0.000000"}
        row |= {"Weight": "1.300000", "Quantity": str(stock), "Minimal quantity": "1", "Visibility": "both"}
        row |= {"Additional shipping cost": "0.00", "Unity": "", "Unit price": "0.000000"}
        row |= {"Summary": f"<p>{text.split('.')[0]}.</p>", "Description": f"<p>{text}</p>"}
        row |= {"Tags (x,y,z...)": labels, "Meta title": name, "URL rewritten": slug}
        row |= {"Text when in stock": "Disponibile", "Text when backorder allowed": ""}
        row |= {"Available for order (0 = No, 1 = Yes)": "1", "Product available date": NO_DATE}
        row |= {"Product creation date": "2025-03-14", "Show price (0 = No, 1 = Yes)": "1"}
        row |= {"Image URLs (x,y,z...)": f"https://enotecarinaldi.example/img/p/{number}/{slug}.jpg"}
        row |= {"Delete existing images (0 = No, 1 = Yes)": "0"}
        row |= {"Available online only (0 = No, 1 = Yes)": "0"}
        row |= {FEATURES: features_cell(features)}
        row |= {"Condition": "new", "Out of stock action": "2", "ID / Name of shop": "1"}
        self.rows.append(row)
        return row

    def discounts(self, today: date) -> None:
        """A Black Friday discount that is over, a Christmas one that has not begun, one that runs."""
        for name, field, value, start, end in [
            ("Amarone", "Discount percent", "20.000000", -14, -7),
            ("Cesto natalizio", "Discount amount", "10.000000", 5, 18),
            ("Panettone classico", "Discount percent", "15.000000", -3, 20),
        ]:
            row = next(r for r in self.rows if r["Name *"].startswith(name))
            row |= {field: value, "On sale (0/1)": "1"}
            row["Discount from (yyyy-mm-dd)"] = (today + timedelta(days=start)).isoformat()
            row["Discount to (yyyy-mm-dd)"] = (today + timedelta(days=end)).isoformat()

    def bad_rows(self) -> None:
        """A vintage taken off sale, a gift-wrap service shown nowhere and a gift card shown only in the
        catalog (neither is searched on the shop), and a product without a name."""
        self.row(("Barolo DOCG 2015", "Marchesi di Barolo", RED, "", "Annata esaurita.", [], 52.0))
        self.rows[-1]["Active (0/1)"] = "0"
        self.row(("Confezione regalo", "Enoteca Rinaldi", "Idee regalo", "", "Carta e nastro.", [], 3.0))
        self.rows[-1]["Visibility"] = "none"
        self.row(("Buono regalo 50 €", "Enoteca Rinaldi", "Idee regalo", "", "Buono da spendere.", [], 50.0))
        self.rows[-1]["Visibility"] = "catalog"
        self.row(("x", "Mutti", "Sughi e conserve", "", "Pomodori pelati.", [], 1.9))
        self.rows[-1]["Name *"] = ""


def features_cell(features: list[tuple[str, str]]) -> str:
    """PrestaShop's features cell: "Name:Value:Position", a feature named again (a value each) at its
    first position."""
    positions: dict[str, int] = {}
    for name, _ in features:
        positions.setdefault(name, len(positions) + 1)
    return ",".join(f"{name}:{value}:{positions[name]}" for name, value in features)


def judged_text(product: dict[str, Any]) -> str:
    """What a query's patterns are matched against: title, brand, categories, features, labels."""
    return fields_text(product, ("tags", "stock", "sku", "EAN13", *SALE_ATTRIBUTES), labels="tags")


def feed() -> FeedFormat:
    return FeedFormat(
        columns=COLUMNS,
        lists=frozenset(LISTS),
        pairs=frozenset(name.lower() for name in PAIRS),
    )


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write products_import.csv, products.jsonl, queries.tsv and qrels.tsv under `out`; their counts."""
    export = Export(seed)
    for product in CATALOG:
        export.row(product)
    export.discounts(date.today())
    export.bad_rows()
    counts = write_csv_shop(
        out,
        export,
        "products_import.csv",
        feed(),
        "EUR",
        JUDGED,
        "wi",
        ";",
        header=EXPORT_FIELDS,
        text=judged_text,
        limits=LIMITS,
    )
    return {"export rows": counts.pop("rows"), **counts}


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.wine_shop", __doc__ or "", write, SEED, argv, "var/shops/wine")


if __name__ == "__main__":
    raise SystemExit(main())
