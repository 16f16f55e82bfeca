"""A Dutch grocer, made up whole, that sells on WooCommerce and exports its catalog as WooCommerce writes it.

A neighbourhood grocer in Utrecht sells groceries in euros, many in several sizes: WooCommerce writes a
variable product ("Halfvolle melk", no price, `Attribute 1 value(s)` "1 L, 1,5 L") followed by a row per
variation (`Type` "variation", `Parent` "id:101", `Name` "Halfvolle melk - 1,5 L", its own SKU, EAN, price
and stock, no description, category or brand), categories as paths ("Zuivel > Melk"), labels as tags
("Vegan, Lactosevrij", a list: `LISTS`), brands in WooCommerce's `Brands` column, a UTF-8 byte order mark
before the header; whether a product is on the shop in two columns, `Published` (-1 for a draft) and
`Visibility in catalog` ("hidden"), both mapped to `published`; columns of WooCommerce's own bookkeeping
("Tax status", "Position"), mapped to null. This writes such an export
(`wc-product-export.csv`: 96 rows, 48 simple products and 14 variable ones with 31 variations; a draft; a
deposit crate the shop hides from its catalog; a product without a name; an EAN a supplier's spreadsheet
saved as "8.71041E+12", which `indexer check` reports), the catalog as `indexer build` reads it with
`COLUMNS` (93 products, JSON Lines), and 68 queries judged by what a shopper asking them wants
(`bench.grocery_catalog`, `bench.shop_judging`).

    python -m bench.grocery_shop --out var/shops/grocery
    AISLE_CATALOG_LANGUAGE=dutch AISLE_CURRENCY=EUR AISLE_CATEGORY_LISTS=', ' \\
    AISLE_LIST_ATTRIBUTES='["Tags"]' \\
    AISLE_SEARCH_FIELDS='{"title": 3, "description": 1, "brand": 2, "category": 1, "attr.variant": 2,
                          "attr.Tags": 1}' \\
    python -m bench.relevance --products var/shops/grocery/products.jsonl \\
        --queries var/shops/grocery/queries.tsv --qrels var/shops/grocery/qrels.tsv --methods bm25,dense,full
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bench.grocery_catalog import FAMILIES, JUDGED, KNOWN_EANS, Variation
from bench.shop_judging import ExportRows, shop_main, write_csv_shop
from indexer.readers import FeedFormat

SEED = 37
GTIN = "GTIN, UPC, EAN, or ISBN"
EXPORT_FIELDS = ["ID", "Type", "SKU", GTIN, "Name", "Published", "Is featured?", "Visibility in catalog"]
EXPORT_FIELDS += ["Short description", "Description", "Tax status", "Tax class", "In stock?", "Stock"]
EXPORT_FIELDS += ["Backorders allowed?", "Sold individually?", "Weight (kg)", "Allow customer reviews?"]
EXPORT_FIELDS += ["Sale price", "Regular price", "Position"]
EXPORT_FIELDS += ["Categories", "Tags", "Images", "Parent", "Brands", "Attribute 1 name"]
EXPORT_FIELDS += ["Attribute 1 value(s)", "Attribute 1 visible", "Attribute 1 global"]
# The export's columns as the schema's (what the shop sets in AISLE_CATALOG_COLUMNS; docs/ingest.md).
COLUMNS: dict[str, str | None] = {
    "ID": "id",
    "Name": "title",
    "Description": "description",
    "Brands": "brand",
}
COLUMNS |= {"Categories": "category", "Regular price": "price", "Sale price": "sale_price"}
COLUMNS |= {"In stock?": "available", "Stock": "stock", "Images": "image", "Parent": "group"}
COLUMNS |= {GTIN: "gtin", "Published": "published", "Visibility in catalog": "published"}
# WooCommerce's own bookkeeping, left out (null), so product pages and answers do not list it.
COLUMNS |= dict.fromkeys(["Is featured?", "Tax status", "Tax class", "Backorders allowed?"])
COLUMNS |= dict.fromkeys(["Sold individually?", "Allow customer reviews?", "Position"])
LISTS = ("Tags",)  # the shop's AISLE_LIST_ATTRIBUTES: a product's labels, "Vegan, Lactosevrij"


class Export(ExportRows):
    """WooCommerce's rows: a simple product in one row; a variable product, then its variations."""

    def csv(self, columns: list[str], delimiter: str = ",") -> str:
        return "\ufeff" + super().csv(columns, delimiter)  # WooCommerce starts its file with a BOM

    def row(self, kind: str, name: str, price: float | None) -> dict[str, str]:
        row = {"ID": str(101 + len(self.rows)), "Type": kind, "SKU": f"VD-{1001 + len(self.rows)}"}
        row |= {"Name": name, "Published": "1", "Is featured?": "0", "Visibility in catalog": "visible"}
        row |= {"Tax status": "taxable", "Tax class": "reduced-rate", "Backorders allowed?": "0"}
        row |= {"Sold individually?": "0", "Allow customer reviews?": "1", "Position": "0"}
        if price is not None:
            stock = self.rng.choice([0, 4, 12, 30, 80]) if self.rng.random() < 0.9 else 60
            on_sale = self.rng.random() < 0.15
            row |= {"Regular price": f"{price:.2f}", "Sale price": f"{price * 0.8:.2f}" if on_sale else ""}
            row |= {GTIN: self.ean(), "Stock": str(stock), "In stock?": "1" if stock else "0"}
        else:
            row |= {"In stock?": "0"}
        self.rows.append(row)
        return row

    def family(self, family: tuple[str, str, str, str, str, str, list[Variation]]) -> None:
        name, brand, category, labels, text, option, variations = family
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        first: dict[str, Any] = {"Description": f"<p>{text}</p>", "Categories": category, "Tags": labels}
        first |= {"Brands": brand, "Short description": text.split(",")[0]}
        first |= {"Images": f"https://kruidenier.example/wp-content/uploads/2026/03/{slug}.jpg"}
        if not option:
            row = self.row("simple", name, variations[0][1])
            row |= first
            row[GTIN] = KNOWN_EANS.get(name, row[GTIN])
            return
        parent = self.row("variable", name, None)
        parent |= first | {"Attribute 1 name": option, "Attribute 1 visible": "1", "Attribute 1 global": "0"}
        parent["Attribute 1 value(s)"] = ", ".join(value for value, _ in variations)
        for value, price in variations:
            row = self.row("variation", f"{name} - {value}", price)
            row |= {"Parent": f"id:{parent['ID']}", "Attribute 1 name": option, "Attribute 1 value(s)": value}
            row |= {"Attribute 1 global": "0"}
            row[GTIN] = KNOWN_EANS.get((name, value), row[GTIN])
            if row["In stock?"] == "1":
                parent["In stock?"] = "1"  # WooCommerce: in stock while one variation is

    def bad_rows(self) -> None:
        """A draft (left out), a deposit crate the shop hides (left out), a product without a name, and an
        EAN that went through a spreadsheet (a product still: only its code is wrong)."""
        self.family(
            ("Kerstpakket (concept)", "Van Dam", "Cadeaus", "", "In voorbereiding.", "", [("", 25.0)])
        )
        self.rows[-1]["Published"] = "-1"
        self.family(("Statiegeld krat", "Heineken", "Dranken > Bier", "", "Statiegeld.", "", [("", 3.9)]))
        self.rows[-1]["Visibility in catalog"] = "hidden"
        self.family(("x", "Van Dam", "Huishouden", "", "Theedoek katoen.", "", [("", 3.5)]))
        self.rows[-1]["Name"] = ""
        self.family(("Drop Schoolkrijt 250 g", "Venco", "Snoep & chips > Snoep & chocolade", "", "Dropjes.",
                     "", [("", 1.99)]))  # fmt: skip
        self.rows[-1][GTIN] = "8.71041E+12"


def judged_text(product: dict[str, Any]) -> str:
    """What a query's patterns are matched against: title, brand, category, labels."""
    attributes = product.get("attributes", {})
    category = " > ".join(product.get("category") or [])
    labels = ", ".join(attributes.get("Tags", []))
    return " | ".join([product["title"], str(product.get("brand", "")), category, labels])


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write wc-product-export.csv, products.jsonl, queries.tsv and qrels.tsv under `out`; their counts."""
    export = Export(seed)
    for family in FAMILIES:
        export.family(family)
    export.bad_rows()
    feed = FeedFormat(columns=COLUMNS, lists=frozenset(name.lower() for name in LISTS))
    counts = write_csv_shop(
        out,
        export,
        "wc-product-export.csv",
        feed,
        "EUR",
        JUDGED,
        "gr",
        header=EXPORT_FIELDS,
        text=judged_text,
    )
    return {"export rows": counts.pop("rows"), **counts}


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.grocery_shop", __doc__ or "", write, SEED, argv, "var/shops/grocery")


if __name__ == "__main__":
    raise SystemExit(main())
