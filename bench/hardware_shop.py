"""A French hardware shop, made up whole, for the benchmarks that take a catalog and judged queries.

The dev sets are English, one category per product, and their queries rarely hold a size; a hardware
shop's customers type "vis 4x40", "cable 2.5" and "cle a molette" against titles written "Vis 4 x 40
mm", "2,5 mm²" and "Clé à molette". This writes such a shop (screws, anchors, drill bits, power and
hand tools, plumbing, paint, electrics, garden; brands, model numbers, EAN-13 codes, stock counts),
with its export as a PrestaShop-like CSV (semicolons, decimal commas, HTML descriptions, bad rows:
no title, a price "sur devis", a negative price, a repeated id), the clean catalog as JSON Lines, and
70 queries judged by what a shopper asking them wants (`bench.shop_judging`): grade 3 for the asked
product (the size, the model), 2 for the right kind in another size, 1 for the rest of its department
(judged, not wanted). Every other product is unjudged.

    python -m bench.hardware_shop --out var/shops/hardware
    AISLE_CATALOG_LANGUAGE=french AISLE_CURRENCY=EUR python -m bench.relevance \\
        --products var/shops/hardware/products.jsonl --queries var/shops/hardware/queries.tsv \\
        --qrels var/shops/hardware/qrels.tsv --methods bm25,full
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from bench.hardware_queries import JUDGED
from bench.shop_judging import ExportRows, shop_main, write_catalog

SEED = 7
EXPORT_FIELDS = ["id", "Nom", "Reference", "EAN13", "Categories", "Marque", "Prix", "Quantite", "Description"]
EXPORT_FIELDS += ["Tension", "Alimentation", "Couleur", "Finition", "Contenance"]
# The export's columns as the schema's (what a shop sets in AISLE_CATALOG_COLUMNS).
COLUMNS = {"Nom": "title", "Categories": "category", "Marque": "brand", "Prix": "price"}
COLUMNS |= {"Description": "description", "Quantite": "stock"}


class Shop(ExportRows):
    """The catalog as it is written: `add` one product at a time, in the export's column names."""

    def add(
        self, title: str, category: str, brand: str, price: float | str, ref: str, text: str, **attrs: str
    ) -> None:
        shown = f"{price:.2f}".replace(".", ",") if isinstance(price, float) else price
        stock = self.rng.choice([0, 3, 12, 40, 150])
        row = {"id": str(1001 + len(self.rows)), "Nom": title, "Categories": category, "Marque": brand}
        row |= {
            "Prix": shown,
            "Reference": ref,
            "EAN13": self.ean(),
            "Description": text,
            "Quantite": str(stock),
        }
        self.rows.append(row | attrs)


def fasteners(shop: Shop) -> None:
    for head in ("tête fraisée", "tête cylindrique"):
        for diameter, length in ((3, 20), (3.5, 30), (4, 30), (4, 40), (5, 50), (5, 60), (6, 80)):
            written = str(diameter).replace(".", ",")
            for steel in ("acier zingué", "inox A2"):
                price = 4.9 + diameter * 1.3 + (3 if "inox" in steel else 0)
                ref = f"VA{int(diameter * 10)}{length}{'I' if 'inox' in steel else 'Z'}{head[5].upper()}"
                sizes = f"<ul><li>Diamètre {written} mm</li><li>Longueur {length} mm</li></ul>"
                text = f"<p>Vis pour bois et panneaux, {head}.</p>{sizes}"
                shop.add(
                    f"Vis agglomérés {head} {written} x {length} mm {steel} (boîte de 200)",
                    "Quincaillerie > Visserie > Vis à bois",
                    shop.rng.choice(["Spit", "Fischer", "Würth"]),
                    price,
                    ref,
                    text,
                )
    for m, length in ((6, 20), (8, 30), (8, 40), (10, 50), (12, 60)):
        shop.add(
            f"Vis à métaux CHC M{m}x{length} DIN 912 inox A2 (lot de 10)",
            "Quincaillerie > Visserie > Vis à métaux",
            "Würth",
            3.2 + m * 0.4,
            f"DIN912-M{m}{length}",
            f"Vis six pans creux M{m}, longueur {length} mm.",
        )
        shop.add(
            f"Écrou hexagonal M{m} DIN 934 acier zingué (lot de 50)",
            "Quincaillerie > Visserie > Écrous",
            "Würth",
            2.1 + m * 0.2,
            f"DIN934-M{m}-{length}",
            f"Écrou six pans M{m}.",
        )
    for d in (5, 6, 8, 10, 12):
        shop.add(
            f"Cheville nylon universelle Ø {d} mm (lot de 100)",
            "Quincaillerie > Fixation > Chevilles",
            "Fischer",
            5.5 + d * 0.6,
            f"UX{d}",
            f"Cheville pour béton, brique, plaque de plâtre. Perçage Ø {d} mm.",
        )
        shop.add(
            f"Cheville à expansion métallique Molly M{d // 2 + 1} pour plaque de plâtre",
            "Quincaillerie > Fixation > Chevilles",
            "Spit",
            7.9 + d * 0.5,
            f"MOLLY{d}",
            "Cheville métallique à expansion pour cloisons creuses.",
        )


def accessories(shop: Shop) -> None:
    for d in (4, 5, 6, 8, 10, 12):
        shop.add(
            f"Foret béton SDS-plus {d} x 160 mm",
            "Outillage > Accessoires > Forets",
            "Bosch Professional",
            3.5 + d * 0.7,
            f"2608{shop.rng.randint(100000, 999999)}",
            f"Foret SDS-plus pour béton, Ø {d} mm.",
        )
        shop.add(
            f"Mèche à bois 3 pointes Ø {d} mm",
            "Outillage > Accessoires > Forets",
            "Wolfcraft",
            2.9 + d * 0.4,
            f"WC{7000 + d}",
            f"Mèche bois à centreur, Ø {d} mm.",
        )
        shop.add(
            f"Foret métal HSS-G Ø {d} mm",
            "Outillage > Accessoires > Forets",
            "Bosch Professional",
            2.5 + d * 0.6,
            f"2608{shop.rng.randint(100000, 999999)}",
            f"Foret acier rapide pour métaux, Ø {d} mm.",
        )
    shop.add(
        "Coffret de 35 forets et embouts X-Line",
        "Outillage > Accessoires > Coffrets",
        "Bosch",
        24.9,
        "2607010608",
        "Forets bois, métal, béton et embouts de vissage.",
    )


def add_all(shop: Shop, table: list[tuple[Any, ...]]) -> None:
    """Rows of (title, category, brand, price, reference, description[, attributes])."""
    for title, category, brand, price, ref, text, *attrs in table:
        shop.add(title, category, brand, price, ref, text, **(attrs[0] if attrs else {}))


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write export.csv, products.jsonl, queries.tsv and qrels.tsv under `out`; their counts."""
    from bench.hardware_catalog import TABLES, bad_rows

    shop = Shop(seed)
    fasteners(shop)
    accessories(shop)
    for table in TABLES:
        add_all(shop, table)
    good = list(shop.rows)
    bad_rows(shop)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "export.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, EXPORT_FIELDS, delimiter=";", extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: r.get(k, "") for k in EXPORT_FIELDS} for r in shop.rows)
    products = [_record(row) for row in good]
    judged = write_catalog(out, products, JUDGED, "hw", lambda product: str(product["title"]))
    return {
        "export rows": len(shop.rows),
        "products": len(products),
        "queries": len(JUDGED),
        "judgements": judged,
    }


def _record(row: dict[str, str]) -> dict[str, Any]:
    """A product of the export in the schema's names, as `indexer build` reads it with `COLUMNS`."""
    record: dict[str, Any] = {COLUMNS.get(k, k): v for k, v in row.items() if v != ""}
    record["price"] = float(record["price"].replace(",", "."))
    record["description"] = re.sub(r"<[^>]+>", " ", record.get("description", "")).strip()
    record["currency"] = "EUR"
    return record


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.hardware_shop", __doc__ or "", write, SEED, argv, "var/shops/hardware")


if __name__ == "__main__":
    raise SystemExit(main())
