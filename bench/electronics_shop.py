"""A German electronics shop, made up whole, that exports its catalog as its own CSV.

Many small shops write their catalog from a spreadsheet or an ERP: German column names ("Bezeichnung",
"Preis"), semicolons, prices with a decimal comma and a euro sign ("1.799,00 €"), a stock count, EAN
codes and manufacturer part numbers, saved in Windows' cp1252. Shoppers type sizes in German units ("55
zoll", "4 stück"), leave umlauts out, type model numbers, and some type in an input method's full-width
mode ("ｗｈ－１０００ｘｍ５"). This writes such an export (57 products, three bad rows), the catalog as
`indexer build` reads it with the settings below (JSON Lines), and 51 queries judged by what a shopper
asking them wants (`bench.electronics_catalog`, `bench.shop_judging`).

    python -m bench.electronics_shop --out var/shops/electronics
    AISLE_CURRENCY=EUR AISLE_CATALOG_LANGUAGE=de python -m bench.relevance \\
        --products var/shops/electronics/products.jsonl --queries var/shops/electronics/queries.tsv \\
        --qrels var/shops/electronics/qrels.tsv --methods bm25,dense,full

The export itself (artikel.csv) is read by `indexer build` with
`AISLE_CATALOG_COLUMNS` set to `COLUMNS` and `AISLE_CATALOG_ENCODING=cp1252`.
"""

from __future__ import annotations

from pathlib import Path

from bench.electronics_catalog import JUDGED, ROWS
from bench.shop_judging import ExportRows, shop_main, write_csv_shop
from indexer.readers import FeedFormat

SEED = 17
COLUMNS = {
    "Artikelnummer": "id", "Bezeichnung": "title", "Beschreibung": "description", "Hersteller": "brand",
    "Kategorie": "category", "Preis": "price", "Lagerbestand": "stock", "EAN": "ean",
    "Herstellernummer": "mpn", "Farbe": "color",
}  # fmt: skip
ENCODING = "cp1252"


def euros(amount: float) -> str:
    """A price as a German spreadsheet writes it: "1.799,00 €"."""
    whole, cents = f"{amount:,.2f}".split(".")
    return f"{whole.replace(',', '.')},{cents} €"


class Export(ExportRows):
    """The export's rows, German column names first."""

    def products(self) -> None:
        for pid, title, text, brand, category, price, stock, part, colour in ROWS:
            self.rows.append({
                "Artikelnummer": pid, "Bezeichnung": title, "Beschreibung": text, "Hersteller": brand,
                "Kategorie": category, "Preis": euros(price), "Lagerbestand": str(stock), "EAN": self.ean(),
                "Herstellernummer": part, "Farbe": colour,
            })  # fmt: skip

    def bad_rows(self) -> None:
        """A row without a title, one priced in dollars, one whose price is no number."""
        first = {name: "" for name in COLUMNS}
        self.rows.append(first | {"Artikelnummer": "X-1", "Preis": "9,99 €", "Lagerbestand": "1"})
        self.rows.append(first | {"Artikelnummer": "X-2", "Bezeichnung": "Kabelbinder", "Preis": "$3.99"})
        self.rows.append(first | {"Artikelnummer": "X-3", "Bezeichnung": "Steckdosenleiste", "Preis": "abc"})


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write artikel.csv, products.jsonl, queries.tsv and qrels.tsv under `out`; their counts."""
    export = Export(seed)
    export.products()
    export.bad_rows()
    feed = FeedFormat(COLUMNS, ENCODING)
    return write_csv_shop(out, export, "artikel.csv", feed, "EUR", JUDGED, "elk", ";")


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.electronics_shop", __doc__ or "", write, SEED, argv, "var/shops/electronics")


if __name__ == "__main__":
    raise SystemExit(main())
