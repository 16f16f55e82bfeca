"""A Swiss bookshop, made up whole, that sells on Shopify and exports its catalog as Shopify writes it.

A Basel bookshop sells books in German, French, English and Italian, each in its formats (paperback,
hardcover, e-book, audiobook: Shopify variants of one product, `Option1 Name` "Einband", each with its
ISBN in `Variant Barcode` and its own price), e-readers and gifts, in Swiss francs. The author and the
language are Shopify metafields, which the export writes as columns named after them ("Autor/in
(product.metafields.custom.autor)"). This writes such an export (`products_export.csv`: 49 products
in 66 rows, a row per format or option; a draft; two bad rows, a price "auf Anfrage" and a book without
a title; and an ISBN a spreadsheet saved as "9.78315E+12", which `indexer check` reports), the catalog
as `indexer build` reads it with `COLUMNS` (63 variants), and 65 queries judged by what a shopper
asking them wants (`bench.book_catalog`, `bench.shop_judging`).

    python -m bench.book_shop --out var/shops/books
    AISLE_CATALOG_LANGUAGE=german AISLE_CURRENCY=CHF \\
    AISLE_SEARCH_FIELDS='{"title": 3, "description": 1, "brand": 2, "category": 1, "attr.variant": 2,
                          "attr.author": 3, "attr.language": 1}' \\
    python -m bench.relevance --products var/shops/books/products.jsonl \\
        --queries var/shops/books/queries.tsv --qrels var/shops/books/qrels.tsv --methods bm25,dense,full
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bench.book_catalog import BOOKS, CLASSICS, JUDGED, KNOWN_ISBNS, NOVELS, THINGS, Format
from bench.shop_judging import ExportRows, ean13, shop_main, write_csv_shop
from indexer.readers import FeedFormat

SEED = 29
AUTHOR = "Autor/in (product.metafields.custom.autor)"
LANGUAGE = "Sprache (product.metafields.custom.sprache)"
EXPORT_FIELDS = ["Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags"]
EXPORT_FIELDS += ["Published", "Option1 Name", "Option1 Value", "Variant SKU", "Variant Inventory Qty"]
EXPORT_FIELDS += ["Variant Price", "Variant Compare At Price", "Variant Barcode", "Image Src", "Gift Card"]
EXPORT_FIELDS += [AUTHOR, LANGUAGE, "Status"]
# The export's columns as the schema's (what the shop sets in AISLE_CATALOG_COLUMNS; docs/ingest.md).
COLUMNS = {"Handle": "group", "Variant SKU": "id", "Title": "title", "Body (HTML)": "description"}
COLUMNS |= {"Vendor": "brand", "Type": "category", "Variant Price": "sale_price"}
COLUMNS |= {"Variant Compare At Price": "price", "Variant Inventory Qty": "stock", "Image Src": "image"}
COLUMNS |= {"Status": "published", "Variant Barcode": "isbn", AUTHOR: "author", LANGUAGE: "language"}
SHOPIFY_CATEGORY = "Medien > Bücher > Gedruckte Bücher"


class Export(ExportRows):
    """Shopify's rows, a product at a time: its first row carries the product's fields, every row a
    variant's option, SKU, stock, price and barcode."""

    def product(self, title: str, first: dict[str, str], option: str, variants: list[Format]) -> None:
        handle = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "x"
        handle += f"-{len(self.rows) + 1}"  # two books may share a title ("Heidi")
        for number, (value, price) in enumerate(variants):
            row = {"Handle": handle, "Variant SKU": f"RS-{10000 + len(self.rows)}"}
            if number == 0:
                row |= {"Title": title, "Status": "active", "Published": "true"} | first
                row |= {"Image Src": f"https://cdn.shopify.example/rheinsprung/{handle}.jpg"}
                row |= {"Option1 Name": option if value else "Title"}
            on_sale = self.rng.random() < 0.1
            row |= {"Option1 Value": value or "Default Title"}
            row |= {"Variant Price": f"{price * (0.8 if on_sale else 1):.2f}"}
            row |= {"Variant Compare At Price": f"{price:.2f}" if on_sale else ""}
            row |= {"Variant Inventory Qty": str(self.rng.choice([0, 1, 2, 4, 8, 15]))}
            self.rows.append(row)

    def books(self) -> None:
        for title, author, publisher, category, language, text, formats in BOOKS:
            first = {"Body (HTML)": f"<p>{text}</p>", "Vendor": publisher, "Type": category}
            first |= {"Product Category": SHOPIFY_CATEGORY, "Tags": f"{language}, {category}"}
            first |= {AUTHOR: author, LANGUAGE: language}
            start = len(self.rows)
            self.product(title, first, "Einband", formats)
            for row, (form, _) in zip(self.rows[start:], formats, strict=True):
                row["Variant Barcode"] = KNOWN_ISBNS.get((title, form, language)) or self.isbn()

    def things(self) -> None:
        for title, brand, category, text, options in THINGS:
            first = {"Body (HTML)": f"<p>{text}</p>", "Vendor": brand, "Type": category}
            first |= {"Gift Card": "TRUE" if "gutschein" in title.lower() else "FALSE"}
            named = "Wert" if "gutschein" in title.lower() else "Farbe"
            self.product(title, first, named, options)

    def isbn(self) -> str:
        """A random German-language ISBN-13 (978-3-...), its check digit right."""
        return _isbn13(self.rng.randrange(10**8))

    def bad_rows(self) -> None:
        """A draft (left out, not a bad record), a price on request, a book without a title, and an
        ISBN that went through Excel (a product still: its barcode is only wrong)."""
        self.product("Neuerscheinung (Entwurf)", {"Vendor": "Diogenes", "Type": NOVELS}, "", [("", 1.0)])
        self.rows[-1]["Status"] = "draft"
        self.product("Signierte Erstausgabe", {"Vendor": "Diogenes", "Type": CLASSICS}, "", [("", 1.0)])
        self.rows[-1]["Variant Price"] = "auf Anfrage"
        self.product("x", {"Vendor": "Reclam", "Type": CLASSICS, AUTHOR: "Heinrich von Kleist"}, "",
                     [("", 6.0)])  # fmt: skip
        self.rows[-1]["Title"] = ""
        self.product("Michael Kohlhaas", {"Vendor": "Reclam", "Type": CLASSICS, AUTHOR: "Heinrich von Kleist",
                     LANGUAGE: "Deutsch"}, "", [("", 5.5)])  # fmt: skip
        self.rows[-1]["Variant Barcode"] = "9.78315E+12"


def _isbn13(serial: int) -> str:
    return ean13(f"9783{serial:08d}")


def judged_text(product: dict[str, Any]) -> str:
    """What a query's patterns are matched against: title, author, format, language, category."""
    attributes = product.get("attributes", {})
    parts = [product["title"], attributes.get("author", ""), attributes.get("variant", "")]
    parts += [attributes.get("language", ""), " > ".join(product.get("category") or [])]
    return " | ".join(str(part) for part in parts)


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write products_export.csv, products.jsonl, queries.tsv and qrels.tsv under `out`; their counts."""
    export = Export(seed)
    export.books()
    export.things()
    export.bad_rows()
    feed = FeedFormat(columns=COLUMNS)
    counts = write_csv_shop(
        out, export, "products_export.csv", feed, "CHF", JUDGED, "bk", header=EXPORT_FIELDS, text=judged_text
    )
    return {"export rows": counts.pop("rows"), **counts}


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.book_shop", __doc__ or "", write, SEED, argv, "var/shops/books")


if __name__ == "__main__":
    raise SystemExit(main())
