"""A Spanish pet shop, made up whole, for the benchmarks that take a catalog and judged queries.

Shops on Shopify export one row per variant: a dog food's 3, 12 and 15 kg bags share the family's
title, and only the option ("Peso: 12 kg") tells them apart; brands are written apart or hyphenated
("Pro Plan", "Julius-K9", "Tri-Act"). Shoppers type "pienso perro 12 kg", "purina proplan" and
"juliusk9 negro l". This writes such a shop (dry and wet food in bags and packs, litter, harnesses and
collars in sizes and colours, toys, health, aquariums, birds, rodents) as Shopify's
`products_export.csv` (Handle, options, `Variant Inventory Qty`, sale prices through `Variant Compare
At Price`, a draft, bad rows: no title, a negative price, a repeated SKU), the catalog as `indexer
build` reads it with the columns below (JSON Lines), and 60 queries judged by what a shopper asking
them wants (`bench.pet_queries`, `bench.shop_judging`).

    python -m bench.pet_shop --out var/shops/pets
    AISLE_CATALOG_LANGUAGE=spanish AISLE_CURRENCY=EUR python -m bench.relevance \\
        --products var/shops/pets/products.jsonl --queries var/shops/pets/queries.tsv \\
        --qrels var/shops/pets/qrels.tsv --methods bm25,full
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from bench.pet_catalog import CAT_FOOD, DOG_FOOD, FAMILIES, LITTER, SINGLES, WET_FOOD
from bench.pet_queries import JUDGED
from bench.shop_judging import ExportRows, shop_main, write_csv_shop
from indexer.readers import FeedFormat

SEED = 11
EXPORT_FIELDS = ["Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Status"]
EXPORT_FIELDS += ["Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Variant SKU"]
EXPORT_FIELDS += ["Variant Inventory Qty", "Variant Price", "Variant Compare At Price", "Variant Barcode"]
EXPORT_FIELDS += ["Image Src"]
# The export's columns as the schema's (what a shop sets in AISLE_CATALOG_COLUMNS; docs/ingest.md).
COLUMNS = {"Handle": "group", "Variant SKU": "id", "Title": "title", "Body (HTML)": "description"}
COLUMNS |= {"Vendor": "brand", "Product Category": "category", "Variant Price": "sale_price"}
COLUMNS |= {"Variant Compare At Price": "price", "Variant Inventory Qty": "stock", "Image Src": "image"}
COLUMNS |= {"Status": "published", "Variant Barcode": "gtin"}
Option = tuple[tuple[str, ...], float]  # option values, price


class Export(ExportRows):
    """Shopify's rows, one `family` at a time: the first row of a family carries its fields."""

    def family(
        self,
        title: str,
        vendor: str,
        category: str,
        names: tuple[str, ...],
        options: Sequence[Option],
        text: str = "",
    ) -> None:
        handle = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48]
        for number, (values, price) in enumerate(options):
            row = {"Handle": handle, "Variant SKU": f"{handle[:8].upper()}-{len(self.rows) + 1}"}
            if number == 0:
                row |= {"Title": title, "Body (HTML)": f"<p>{text or title}.</p>", "Vendor": vendor}
                row |= {"Product Category": category, "Type": category.split(" > ")[-1], "Status": "active"}
                row |= {"Image Src": f"https://cdn.example.com/{handle}.jpg"}
            for slot, value in enumerate(values, 1):
                row[f"Option{slot} Name"] = names[slot - 1] if number == 0 else ""
                row[f"Option{slot} Value"] = value
            on_sale = self.rng.random() < 0.2
            row |= {"Variant Price": f"{price * (0.85 if on_sale else 1):.2f}"}
            row |= {"Variant Compare At Price": f"{price:.2f}" if on_sale else ""}
            row |= {
                "Variant Inventory Qty": str(self.rng.choice([0, 3, 12, 40, 60])),
                "Variant Barcode": self.ean(),
            }
            self.rows.append(row)

    def single(self, title: str, vendor: str, category: str, price: float) -> None:
        self.family(title, vendor, category, ("Title",), [(("Default Title",), price)])


def fill(export: Export) -> None:
    for vendor, line, stage, per_kg in DOG_FOOD:
        bags = [((f"{kg} kg",), per_kg * kg * (1.0 if kg == 3 else 0.8)) for kg in (3, 12, 15)]
        text = f"Pienso completo para perros {stage}, con proteína de alta calidad"
        export.family(f"Pienso {vendor} {line} para perros", vendor, "Perros > Alimentación > Pienso seco",
                      ("Peso",), bags, text)  # fmt: skip
    for vendor, line, per_kg in CAT_FOOD:
        bags = [
            ((f"{kg:g} kg".replace(".", ","),), per_kg * kg * (1.0 if kg < 3 else 0.85))
            for kg in (1.5, 3, 10)
        ]
        export.family(f"Pienso {vendor} {line} para gatos", vendor, "Gatos > Alimentación > Pienso seco",
                      ("Peso",), bags, "Alimento seco completo para gatos")  # fmt: skip
    for title, vendor, animal, price in WET_FOOD:
        export.single(title, vendor, f"{animal} > Alimentación > Comida húmeda", price)
    for title, vendor, litres in LITTER:
        bags = [((f"{size:g} l".replace(".", ","),), 2.2 * size) for size in litres]
        export.family(title, vendor, "Gatos > Higiene > Arena", ("Capacidad",), bags, "Arena para el arenero")
    for title, vendor, category, names, options in FAMILIES:
        export.family(title, vendor, category, names, options)
    for title, vendor, category, price in SINGLES:
        export.single(title, vendor, category, price)


def bad_rows(export: Export) -> None:
    """A draft (left out, no bad record), then a row without a title, a negative price, a repeated SKU."""
    export.single("Pienso de prueba (borrador)", "Aisle", "Perros", 1.0)
    export.rows[-1]["Status"] = "draft"
    good = export.rows[-2]
    export.rows.append({**good, "Handle": "sin-titulo", "Title": "", "Variant SKU": "NOTITLE-1"})
    export.rows.append({**good, "Handle": "precio", "Title": "Collar precio malo", "Variant SKU": "BAD-1",
                        "Variant Price": "-5.00"})  # fmt: skip
    export.rows.append({**good, "Handle": "repetido", "Title": "Juguete repetido"})


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write products_export.csv, products.jsonl, queries.tsv and qrels.tsv under `out`; their counts."""
    export = Export(seed)
    fill(export)
    bad_rows(export)

    def judged_text(product: dict) -> str:
        return f"{product['title']} | {product['attributes'].get('variant', '')}"

    feed = FeedFormat(columns=COLUMNS)
    counts = write_csv_shop(
        out, export, "products_export.csv", feed, "EUR", JUDGED, "pet", header=EXPORT_FIELDS, text=judged_text
    )
    return {"export rows": counts.pop("rows"), **counts}


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.pet_shop", __doc__ or "", write, SEED, argv, "var/shops/pets")


if __name__ == "__main__":
    raise SystemExit(main())
