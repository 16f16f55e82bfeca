"""A Leipzig car-parts shop, made up whole, that sells on Shopware 6 and exports its catalog with
Shopware's default product profile.

The shop sells car parts, oils, tyres and accessories in euros, in German (`bench.parts_catalog`).
Shopware 6's product export (`produkte.csv`, ";" between fields) writes each product as a row keyed by
a 32-digit hex id, and each variant as a row of its own whose `parent_id` is its product's id and which
leaves empty every field it inherits (name, description, price, manufacturer, categories, visibility,
active flag); prices gross and net ("41.9", "35.210084033613445"); the manufacturer by name; and the
product's categories, sales channels, properties and a variant's options as lists of ids ("a3f0...|
9c1e..."), whose names are in the shop's category export (`kategorien.csv`: id, parent id, name) and
property export (`eigenschaften.csv`: value id, group id, value, group). The shop adds to the profile
its EAN, the maker's number and the list price a sale strikes through. This writes those three files
(a product taken off the shop, one in no sales channel, a product without a name, a brake disc on
sale, variants priced by their parent), the catalog as `indexer build` reads it with `COLUMNS`, `LIMITS`
and the names files (products.jsonl), and queries judged by what the shop says each product is.

The shop searches the properties its shoppers type (`SEARCH_FIELDS`, the shop's AISLE_SEARCH_FIELDS)
and keeps a few synonym sets (`SYNONYMS`: "vorne" for the catalog's "Vorderachse", "birne" for
"Glühlampe"), written as `search-fields.json` and `synonyms.json`.

    python -m bench.parts_shop --out var/shops/parts
    AISLE_CURRENCY=EUR AISLE_CATALOG_LANGUAGE=german \\
    AISLE_SEARCH_FIELDS="$(cat var/shops/parts/search-fields.json)" \\
    python -m bench.relevance --products var/shops/parts/products.jsonl \\
        --queries var/shops/parts/queries.tsv --qrels var/shops/parts/qrels.tsv --methods bm25,dense,full \\
        --synonyms var/shops/parts/synonyms.json
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from bench.parts_catalog import CATALOG, DISCS, JUDGED, SALE, Part, Props
from bench.shop_judging import ExportRows, shop_main, write_csv_shop
from engine.schema_checks import Limits
from indexer.readers import FeedFormat

SEED = 53
EXPORT = "produkte.csv"
CATEGORIES, PROPERTIES = "kategorien.csv", "eigenschaften.csv"
# Shopware 6's default product profile, then the shop's three added columns.
EXPORT_FIELDS = ["id", "parent_id", "product_number", "active", "stock", "name", "description"]
EXPORT_FIELDS += ["price_net", "price_gross", "purchase_prices_net", "purchase_prices_gross", "tax_id"]
EXPORT_FIELDS += ["tax_rate", "tax_name", "cover_media_id", "cover_media_url", "cover_media_title"]
EXPORT_FIELDS += ["cover_media_alt", "manufacturer_id", "manufacturer_name", "categories", "sales_channel"]
EXPORT_FIELDS += ["propertyIds", "optionIds", "ean", "manufacturer_number", "list_price_gross"]
CATEGORY_FIELDS = ["id", "parent_id", "active", "type", "name"]
PROPERTY_FIELDS = ["id", "group_id", "name", "position", "group_name"]
# The file's columns as the schema's (what the shop sets in AISLE_CATALOG_COLUMNS; docs/ingest.md). As
# for Shopify, the price a shopper pays is the sale price, the list price the price before the sale.
COLUMNS: dict[str, str | None] = {"id": "id", "parent_id": "group", "product_number": "sku"}
COLUMNS |= {"active": "published", "stock": "stock", "name": "title", "description": "description"}
COLUMNS |= {"price_gross": "sale_price", "list_price_gross": "price", "cover_media_url": "image"}
COLUMNS |= {"manufacturer_name": "brand", "categories": "category", "ean": "gtin"}
COLUMNS |= {"sales_channel": "sales_channels"}
COLUMNS |= {"manufacturer_number": "mpn", "propertyIds": "properties", "optionIds": "variant"}
COLUMNS |= dict.fromkeys(f for f in EXPORT_FIELDS if f not in COLUMNS)
SEARCH_FIELDS = {"title": 3.0, "description": 1.0, "brand": 2.0, "category": 1.0, "attr.variant": 2.0}
SEARCH_FIELDS |= {"attr.Fahrzeug": 1.0, "attr.Einbauseite": 1.0, "attr.Viskosität": 2.0, "attr.Freigabe": 1.0}
SEARCH_FIELDS |= {"attr.Sockel": 2.0, "attr.Kapazität": 1.0, "attr.Spezifikation": 1.0}
SEARCH_FIELDS |= {"attr.Technologie": 1.0, "attr.Saison": 1.0}
SYNONYMS = [["vorne", "vorderachse"], ["hinten", "hinterachse"], ["glühlampe", "glühbirne", "birne"]]
SYNONYMS += [["scheibenwischer", "wischerblatt", "wischblatt"], ["kühlmittel", "kühlerfrostschutz"]]
ROOT = "Katalog #1"  # the top of Shopware's category tree, above the shop's departments
LIMITS = Limits.for_shop("EUR", root=ROOT)


def amount(value: float) -> str:
    """A price as Shopware's export writes a float: no trailing zeros ("41.9", "189")."""
    return f"{value:.12f}".rstrip("0").rstrip(".")


class Export(ExportRows):
    """Shopware's rows: a product's row, then its variants' rows, which inherit what they leave empty;
    and the names behind the ids the rows give."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.names: dict[str, str] = {}  # category path or "group=value" -> its id
        self.categories: list[dict[str, str]] = []
        self.properties: list[dict[str, str]] = []
        self.truth: dict[str, str] = {}  # product id -> what the shop says it is (for judging)
        self.storefront = self.uuid()
        self.tax = self.uuid()

    def uuid(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def category(self, path: str) -> str:
        """The id of `path` ("Level/Level"), its levels written to the category export as met."""
        parent = self.names.get(ROOT, "")
        if not parent:
            parent = self.names[ROOT] = self.uuid()
            self.categories.append(
                {"id": parent, "parent_id": "", "active": "1", "type": "page", "name": ROOT}
            )
        for depth in range(1, path.count("/") + 2):
            prefix = "/".join(path.split("/")[:depth])
            if prefix not in self.names:
                self.names[prefix] = self.uuid()
                self.categories.append({"id": self.names[prefix], "parent_id": parent, "active": "1",
                                        "type": "page", "name": prefix.split("/")[-1]})  # fmt: skip
            parent = self.names[prefix]
        return parent

    def value(self, group: str, name: str) -> str:
        """The id of the property value `name` of `group`, written to the property export as met."""
        key = f"{group}={name}"
        if group not in self.names:
            self.names[group] = self.uuid()
        if key not in self.names:
            self.names[key] = self.uuid()
            self.properties.append({"id": self.names[key], "group_id": self.names[group], "name": name,
                                    "position": "1", "group_name": group})  # fmt: skip
        return self.names[key]

    def part(self, part: Part) -> dict[str, str]:
        number = 10001 + len([r for r in self.rows if not r["parent_id"]])
        pid = self.uuid()
        row = dict.fromkeys(EXPORT_FIELDS, "")
        row |= {"id": pid, "product_number": f"TL{number}", "active": "1", "name": part.name}
        row |= {"stock": "0" if part.variants else str(self.rng.choice([0, 2, 4, 8, 15, 40]))}
        row |= {"description": part.text, "price_gross": amount(part.price)}
        row |= {"price_net": amount(part.price / 1.19), "tax_id": self.tax, "tax_rate": "19"}
        row |= {"tax_name": "Standard rate", "purchase_prices_gross": amount(part.price * 0.6)}
        row |= {"purchase_prices_net": amount(part.price * 0.6 / 1.19), "cover_media_id": self.uuid()}
        row |= {
            "cover_media_url": f"https://teilehaus-leipzig.example/media/{pid[:2]}/{pid[2:4]}/{number}.jpg"
        }
        row |= {"cover_media_title": part.name, "manufacturer_id": self.uuid()}
        row |= {"manufacturer_name": part.maker, "manufacturer_number": part.number}
        row |= {"categories": "|".join(self.category(c) for c in part.categories)}
        row |= {"sales_channel": self.storefront, "ean": "" if part.variants else self.ean()}
        row |= {"propertyIds": "|".join(self.value(g, v) for g, v in part.properties)}
        self.rows.append(row)
        self.truth[pid] = part.truth()
        for n, (options, price) in enumerate(part.variants, 1):
            self.variant(row, part, n, options, price)
        return row

    def variant(self, parent: dict[str, str], part: Part, n: int, options: Props, price: float) -> None:
        """A variant's row: its own id, number, stock, EAN and options; its price where it differs."""
        vid = self.uuid()
        row = dict.fromkeys(EXPORT_FIELDS, "")
        row |= {"id": vid, "parent_id": parent["id"], "product_number": f"{parent['product_number']}.{n}"}
        row |= {"stock": str(self.rng.choice([0, 3, 6, 12, 30])), "ean": self.ean()}
        row |= {"optionIds": "|".join(self.value(g, v) for g, v in options)}
        if price:
            row |= {"price_gross": amount(price), "price_net": amount(price / 1.19)}
        self.rows.append(row)
        self.truth[vid] = part.truth(options)

    def sale_and_bad_rows(self) -> None:
        """A brake disc on sale (list price struck through, in "Angebote" too), a product the shop took
        off (`active` 0), one in no sales channel, and a product without a name."""
        disc = next(r for r in self.rows if r["name"] == "Bremsscheibe voll")
        disc |= {"list_price_gross": disc["price_gross"], "price_gross": amount(19.90)}
        disc["categories"] += "|" + self.category(SALE)
        self.truth[disc["id"]] += f" | {SALE}"
        old = self.part(Part("Bremsbelagsatz Vorderachse (Auslauf)", "BOSCH", (CATEGORY_OF_OLD,), [],
                             "<p>Nicht mehr lieferbar.</p>", 29.90, "0 986 424 797"))  # fmt: skip
        old["active"] = "0"
        hidden = self.part(Part("Bremsscheibe Sport", "ZIMMERMANN", (DISCS,), [], "<p>Gelocht.</p>", 89.90))
        hidden["sales_channel"] = ""
        self.part(Part("x", "MEYLE", (CATEGORY_OF_OLD,), [], "<p>Reparatursatz.</p>", 9.90))
        self.rows[-1]["name"] = ""

    def table(self, rows: list[dict[str, str]], columns: list[str]) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, columns, delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()


CATEGORY_OF_OLD = "Bremsanlage/Bremsbeläge"


def feed(names: tuple[Path, ...] = ()) -> FeedFormat:
    """How the shop's export is read: its columns, lists, and the files naming its ids."""
    return FeedFormat(columns=COLUMNS, names=names)


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write the three exports, products.jsonl, queries.tsv and qrels.tsv under `out`; their counts."""
    export = Export(seed)
    for part in CATALOG:
        export.part(part)
    export.sale_and_bad_rows()
    out.mkdir(parents=True, exist_ok=True)
    (out / CATEGORIES).write_text(export.table(export.categories, CATEGORY_FIELDS), encoding="utf-8")
    (out / PROPERTIES).write_text(export.table(export.properties, PROPERTY_FIELDS), encoding="utf-8")
    (out / "search-fields.json").write_text(json.dumps(SEARCH_FIELDS, ensure_ascii=False), encoding="utf-8")
    synonyms = json.dumps({"synonyms": SYNONYMS}, ensure_ascii=False)
    (out / "synonyms.json").write_text(synonyms, encoding="utf-8")

    def judged_text(product: dict[str, Any]) -> str:
        return export.truth.get(str(product["id"]), "")

    counts = write_csv_shop(
        out,
        export,
        EXPORT,
        feed((out / CATEGORIES, out / PROPERTIES)),
        "EUR",
        JUDGED,
        "tl",
        ";",
        header=EXPORT_FIELDS,
        text=judged_text,
        limits=LIMITS,
    )
    return {"export rows": counts.pop("rows"), **counts}


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.parts_shop", __doc__ or "", write, SEED, argv, "var/shops/parts")


if __name__ == "__main__":
    raise SystemExit(main())
