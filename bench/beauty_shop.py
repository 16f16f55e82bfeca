"""A Montréal beauty shop, made up whole, that sells on Magento 2 and exports its catalog as Magento does.

The shop sells skincare, make-up, hair care and fragrance in Canadian dollars on two store views,
English (the default) and French. Magento's product export (`catalog_product.csv`) writes a product's
default row and then a row per store view that repeats its `sku` with the view's `store_view_code` and
only what the view changes (the French name and description); a product with sizes or shades is a
configurable product whose simple children (`Not Visible Individually`, no categories or description,
named "Moisturizing Cream-50 ml") come before it and which lists them in `configurable_variations`
("sku=AU-1001-50ML,volume=50 ml|sku=..."), with no price of its own; categories as paths under the
root, several in one cell ("Default Category/Skincare/Moisturizers,Default Category/Best Sellers");
the brand (`manufacturer`), shade, SPF and skin types in one `additional_attributes` cell
("manufacturer=CeraVe,skin_type=Dry|Very Dry,volume=50 ml"); whether a product is on the shop in
`product_online` (1, or 2 for disabled); prices with six decimals; descriptions as Page Builder HTML;
dozens of columns of Magento's own bookkeeping. This writes such an export (a disabled product, a
free sample not sold on its own, a product without a name), the English catalog as `indexer build`
reads it with `COLUMNS` (products.jsonl) and the French one with `AISLE_STORE_VIEW=fr`
(products.fr.jsonl), and queries for each judged by what a shopper asking them wants
(`bench.beauty_catalog`, `bench.shop_judging`).

    python -m bench.beauty_shop --out var/shops/beauty
    AISLE_CURRENCY=CAD AISLE_SEARCH_FIELDS='{"title": 3, "description": 1, "brand": 2, "category": 1,
                                             "attr.variant": 2}' \\
    python -m bench.relevance --products var/shops/beauty/products.jsonl \\
        --queries var/shops/beauty/queries.tsv --qrels var/shops/beauty/qrels.tsv --methods bm25,dense,full
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bench.beauty_catalog import FAMILIES, JUDGED, JUDGED_FR, Family
from bench.shop_judging import ExportRows, shop_main, write_catalog, write_csv_shop
from engine.schema_checks import Limits
from indexer.loading import load_catalog
from indexer.readers import FeedFormat

SEED = 41
ROOT = "Default Category"
EXPORT_FIELDS = ["sku", "store_view_code", "attribute_set_code", "product_type", "categories"]
EXPORT_FIELDS += ["product_websites", "name", "description", "short_description", "weight"]
EXPORT_FIELDS += ["product_online", "tax_class_name", "visibility", "price", "special_price"]
EXPORT_FIELDS += ["special_price_from_date", "special_price_to_date", "url_key", "meta_title"]
EXPORT_FIELDS += ["base_image", "created_at", "updated_at", "additional_attributes", "qty"]
EXPORT_FIELDS += ["is_in_stock", "manage_stock", "website_id", "configurable_variations"]
EXPORT_FIELDS += ["configurable_variation_labels"]
# The export's columns as the schema's (what the shop sets in AISLE_CATALOG_COLUMNS; docs/ingest.md).
COLUMNS: dict[str, str | None] = {"sku": "id", "name": "title", "description": "description"}
COLUMNS |= {"categories": "category", "price": "price", "special_price": "sale_price", "qty": "stock"}
COLUMNS |= {"is_in_stock": "available", "base_image": "image", "product_online": "published"}
COLUMNS |= {"manufacturer": "brand", "store_view_code": "store_view", "visibility": "published"}
# Magento's own bookkeeping, left out (null), so product pages and answers do not list it.
COLUMNS |= dict.fromkeys(["attribute_set_code", "product_type", "product_websites", "short_description"])
COLUMNS |= dict.fromkeys(["weight", "tax_class_name"])
COLUMNS |= {"special_price_from_date": "sale_from", "special_price_to_date": "sale_to"}
COLUMNS |= dict.fromkeys(["url_key", "meta_title", "created_at", "updated_at", "manage_stock"])
COLUMNS |= dict.fromkeys(["website_id", "configurable_variation_labels"])
COLUMNS |= {"configurable_variations": "variants"}
PAIRS = ("additional_attributes",)  # the shop's AISLE_PAIR_COLUMNS: "manufacturer=CeraVe,spf=50"
STORE_VIEW = "fr"
# Magento's categories: several paths in a cell, separated by commas, levels by "/", under the root.
LIMITS = Limits.for_shop("CAD", ",", levels="/", root=ROOT)


def page_builder(text: str) -> str:
    """A description as Magento's Page Builder saves it."""
    return (
        '<div data-content-type="row" data-appearance="contained" data-element="main">'
        '<div data-enable-parallax="0" data-element="inner" style="justify-content: flex-start;">'
        f'<div data-content-type="text" data-appearance="default" data-element="main"><p>{text}</p>'
        "</div></div></div>"
    )


class Export(ExportRows):
    """Magento's rows: a product's default row, then its French row; a configurable's children first."""

    def row(self, kind: str, name: str, price: float | None, visibility: str) -> dict[str, str]:
        number = 1001 + len({r["sku"] for r in self.rows})
        row = {"sku": f"AU-{number}", "store_view_code": "", "attribute_set_code": "Default"}
        row |= {"product_type": kind, "product_websites": "base", "name": name, "product_online": "1"}
        row |= {"tax_class_name": "Taxable Goods", "visibility": visibility, "weight": "0.2"}
        row |= {"created_at": "3/14/26, 9:12 AM", "updated_at": "11/28/26, 4:40 PM", "website_id": "1"}
        row |= {"url_key": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"), "manage_stock": "1"}
        if price is not None:
            stock = self.rng.choice([0, 3, 12, 40, 100]) if self.rng.random() < 0.9 else 25
            row |= {"price": f"{price:.6f}", "qty": f"{stock:.4f}", "is_in_stock": "1" if stock else "0"}
            if self.rng.random() < 0.15:
                sale = round(price * 0.8, 2)
                row |= {"special_price": f"{sale:.6f}", "special_price_from_date": "11/25/26"}
        else:
            row |= {"qty": "0.0000", "is_in_stock": "1"}
        self.rows.append(row)
        return row

    def french(self, row: dict[str, str], name: str, description: str) -> None:
        """The `fr` store view's row for `row`: its sku, the view, the French name and description."""
        view = {"sku": row["sku"], "store_view_code": "fr", "name": name}
        view |= {"url_key": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + "-fr"}
        if description:
            view["description"] = page_builder(description)
        self.rows.append(view)

    def family(self, family: Family) -> None:
        name, name_fr, brand, categories, text, text_fr, facts, option, variations = family
        paths = [f"{ROOT}/{path}" for path in categories.split(",")]
        if self.rng.random() < 0.25:
            paths.append(f"{ROOT}/Best Sellers")
        pairs = f"manufacturer={brand}" + (f",{facts}" if facts else "")
        head: dict[str, Any] = {"categories": ",".join(paths), "description": page_builder(text)}
        head |= {"short_description": text.split(",")[0], "additional_attributes": pairs}
        head |= {"base_image": f"/a/u/{re.sub(r'[^a-z0-9]+', '_', name.lower())}.jpg"}
        head |= {"meta_title": f"{name} | {brand} | Aurore Beauté"}
        if not option:
            row = self.row("simple", name, variations[0][1], "Catalog, Search")
            row |= head
            self.french(row, name_fr, text_fr)
            return
        children = []
        for value, price in variations:
            child = self.row("simple", f"{name}-{value}", price, "Not Visible Individually")
            child["additional_attributes"] = f"{option}={value}"
            self.french(child, f"{name_fr}-{value}", "")
            children.append((child["sku"], value))
        parent = self.row("configurable", name, None, "Catalog, Search")
        parent |= head
        parent["configurable_variations"] = "|".join(f"sku={sku},{option}={value}" for sku, value in children)
        parent["configurable_variation_labels"] = f"{option}={option.capitalize()}"
        self.french(parent, name_fr, text_fr)

    def bad_rows(self) -> None:
        """A disabled product (left out), a free sample sold only with an order (left out), and a
        product without a name."""
        self.family(("Retinol Night Cream", "Crème de nuit au rétinol", "Olay", "Skincare/Moisturizers",
                     "Discontinued.", "Abandonné.", "", "", [("", 39.99)]))  # fmt: skip
        self.rows[-2]["product_online"] = "2"
        self.family(("Deluxe Sample Moisturizing Cream 5 ml", "Échantillon Crème hydratante 5 ml", "CeraVe",
                     "Skincare/Moisturizers", "Free with any order over $50.", "Offert dès 50 $ d'achat.",
                     "", "", [("", 0.0)]))  # fmt: skip
        self.rows[-2]["visibility"] = "Not Visible Individually"
        self.family(("x", "x", "Dove", "Bath & Body/Body Wash", "Soap bar.", "Pain de savon.", "", "",
                     [("", 2.49)]))  # fmt: skip
        self.rows[-2]["name"] = ""


def judged_text(product: dict[str, Any]) -> str:
    """What a query's patterns are matched against: title, brand, categories, attributes."""
    paths = [product.get("category") or [], *product.get("more_categories", [])]
    categories = ", ".join("/".join(path) for path in paths)
    attributes = ",".join(f"{k}={v}" for k, v in sorted(product.get("attributes", {}).items()))
    return " | ".join([product["title"], str(product.get("brand", "")), categories, attributes])


def feed(view: str = "") -> FeedFormat:
    """How the shop's export is read: its columns, its pairs, the store view."""
    return FeedFormat(columns=COLUMNS, pairs=frozenset(PAIRS), store_view=view)


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write catalog_product.csv, products.jsonl (English), products.fr.jsonl (French), queries.tsv,
    qrels.tsv and their French twins (`.fr.`) under `out`; their counts."""
    export = Export(seed)
    for family in FAMILIES:
        export.family(family)
    export.bad_rows()
    name = "catalog_product.csv"
    counts = write_csv_shop(
        out, export, name, feed(), "CAD", JUDGED, "be", header=EXPORT_FIELDS, text=judged_text, limits=LIMITS
    )
    french = out / "fr"
    french.mkdir(exist_ok=True)
    loaded = load_catalog(out / name, LIMITS, feed(STORE_VIEW))
    products = [p.to_dict() for p in loaded.products]
    judged_fr = write_catalog(french, products, JUDGED_FR, "bf", judged_text)
    return {
        "export rows": counts.pop("rows"),
        **counts,
        "French products": len(products),
        "French queries": len(JUDGED_FR),
        "French judgements": judged_fr,
    }


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.beauty_shop", __doc__ or "", write, SEED, argv, "var/shops/beauty")


if __name__ == "__main__":
    raise SystemExit(main())
