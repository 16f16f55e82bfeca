"""A Brno bicycle shop, made up whole, that publishes its catalog as a Heureka XML feed.

The shop, Cyklo Svratka, sells bicycles, helmets, lights, locks, tyres, clothing and parts in crowns,
in Czech (`bench.bike_catalog`). Its feed (`heureka.xml`) is the one Czech shop systems (Shoptet,
Upgates, WooCommerce and PrestaShop plugins) write for Heureka, the country's price comparison site,
and Zboží.cz reads alike: a `<SHOP>` of `<SHOPITEM>`s whose fields are upper-case elements:
`ITEM_ID`, `PRODUCTNAME` and `PRODUCT` (the name, and the name with a sales phrase), `DESCRIPTION`
(HTML in CDATA), `URL`, `IMGURL` and `IMGURL_ALTERNATIVE`, `PRICE_VAT` (with VAT, no currency named),
`MANUFACTURER`, `CATEGORYTEXT` ("Sport | Cyklistika | Jízdní kola | Horská kola"), `EAN`, `PRODUCTNO`
(the maker's code), `PARAM`s of `PARAM_NAME` and `VAL`, `DELIVERY_DATE` (days to ship, 0 in stock),
`ITEMGROUP_ID` (a bicycle's frame sizes, a helmet's sizes), `ITEM_TYPE` (`bazar` for the used bicycle),
the shop's bid (`HEUREKA_CPC`) and its carriers' prices (`DELIVERY`). One item's price is written as a
Czech spreadsheet writes it ("12 990 Kč"), one item has no name (it cannot be listed, and is reported by
its line). This writes the feed, the catalog as `indexer build` reads it (products.jsonl), the shop's
search fields and synonym sets ("helma" and "přilba", "mtb" and "horské kolo"), and queries judged by
what the shop says each item is.

    python -m bench.bike_shop --out var/shops/bike
    AISLE_CURRENCY=CZK AISLE_CATALOG_LANGUAGE=czech \\
    AISLE_SEARCH_FIELDS="$(cat var/shops/bike/search-fields.json)" \\
    python -m bench.relevance --products var/shops/bike/products.jsonl \\
        --queries var/shops/bike/queries.tsv --qrels var/shops/bike/qrels.tsv \\
        --synonyms var/shops/bike/synonyms.json --methods bm25,dense,full
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape

from bench.bike_catalog import CATALOG, JUDGED, Bike
from bench.shop_judging import ean13, fold, shop_main, write_feed_shop

SEED = 71
FEED = "heureka.xml"
SHOP = "https://cyklosvratka.example"
FIRST_ITEM = 3001
GS1_PREFIX = "859572130"  # the shop's barcodes: Czechia's 859, its company number, then the item's number
SEARCH_FIELDS = {"title": 3.0, "description": 1.0, "brand": 2.0, "category": 1.0, "attr.variant": 1.0}
SEARCH_FIELDS |= {"attr.Barva": 1.0, "attr.Rozměr": 1.0, "attr.Velikost kol": 1.0}
SYNONYMS = [["helma", "přilba"], ["mtb", "horské kolo"], ["ebike", "elektrokolo"], ["bidon", "láhev"]]
SYNONYMS += [["tachometr", "cyklocomputer", "cyklopočítač"], ["hustilka", "pumpa", "pumpička"]]
SYNONYMS += [["pneumatika", "plášť"], ["bazar", "použité"]]
WRITTEN_PRICE = "HR-RK275"  # the bicycle whose price the shop typed as a spreadsheet writes it
CARRIERS = (("PPL", 99, 129), ("ZASILKOVNA", 79, 99))  # id, price, price cash on delivery


def ean(item: int) -> str:
    """The EAN-13 printed on an item's label, its check digit right."""
    return ean13(f"{GS1_PREFIX}{item % 1000:03d}")


def slug(name: str) -> str:
    """An item's page name: Czech letters plain, words hyphened."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


class Feed:
    """The Heureka feed as it is written, item by item; and what each item is (for judging), by id."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.items: list[str] = []
        self.truth: dict[str, str] = {}

    def item(self, bike: Bike) -> str:
        """Write `bike` as a `<SHOPITEM>`; its id."""
        number = FIRST_ITEM + len(self.items)
        price = f"{bike.price:.0f}" if bike.price.is_integer() else f"{bike.price:.2f}".replace(".", ",")
        if bike.code == WRITTEN_PRICE:
            price = f"{bike.price:,.0f} Kč".replace(",", " ")
        page = f"{SHOP}/{slug(bike.name or bike.kind)}/"
        fields = [("ITEM_ID", str(number)), ("PRODUCTNAME", bike.name)]
        fields += [("PRODUCT", f"{bike.name} | Cyklo Svratka" if bike.name else "")]
        lines = ["\t<SHOPITEM>", *(f"\t\t<{tag}>{escape(value)}</{tag}>" for tag, value in fields)]
        lines.append(f"\t\t<DESCRIPTION><![CDATA[{bike.text}]]></DESCRIPTION>")
        lines += [f"\t\t<URL>{page}</URL>", f"\t\t<IMGURL>{SHOP}/images/{number}.jpg</IMGURL>"]
        lines.append(f"\t\t<IMGURL_ALTERNATIVE>{SHOP}/images/{number}-2.jpg</IMGURL_ALTERNATIVE>")
        lines += [f"\t\t<PRICE_VAT>{price}</PRICE_VAT>", "\t\t<VAT>21%</VAT>"]
        if bike.used:
            lines.append("\t\t<ITEM_TYPE>bazar</ITEM_TYPE>")
        more = [("MANUFACTURER", bike.brand), ("CATEGORYTEXT", bike.category), ("EAN", ean(number))]
        more += [("PRODUCTNO", bike.code)]
        lines += [f"\t\t<{tag}>{escape(value)}</{tag}>" for tag, value in more]
        if bike.group:
            lines.append(f"\t\t<ITEMGROUP_ID>{bike.group}</ITEMGROUP_ID>")
        for name, value in bike.parameters:
            lines += ["\t\t<PARAM>", f"\t\t\t<PARAM_NAME>{escape(name)}</PARAM_NAME>"]
            lines += [f"\t\t\t<VAL>{escape(value)}</VAL>", "\t\t</PARAM>"]
        lines.append(f"\t\t<DELIVERY_DATE>{bike.delivery}</DELIVERY_DATE>")
        for carrier, cost, cash in CARRIERS:
            lines += ["\t\t<DELIVERY>", f"\t\t\t<DELIVERY_ID>{carrier}</DELIVERY_ID>"]
            lines += [f"\t\t\t<DELIVERY_PRICE>{cost}</DELIVERY_PRICE>"]
            lines += [f"\t\t\t<DELIVERY_PRICE_COD>{cash}</DELIVERY_PRICE_COD>", "\t\t</DELIVERY>"]
        bid = f"{self.rng.uniform(1, 8):.2f}".replace(".", ",")  # crowns a click, with a decimal comma
        lines += [f"\t\t<HEUREKA_CPC>{bid}</HEUREKA_CPC>", "\t</SHOPITEM>"]
        self.items.append("\n".join(lines))
        self.truth[str(number)] = bike.truth(ean(number))
        return str(number)

    def products(self) -> None:
        for bike in CATALOG:
            self.item(bike)

    def odd_item(self) -> None:
        """An item with no name (a copy of the road bicycle's, its name left out): not a product, not
        judged."""
        road = next(bike for bike in CATALOG if bike.code == "HR-AERO")
        del self.truth[self.item(replace(road, name="", code="HR-AERO-2"))]

    def xml(self) -> str:
        items = "\n".join(self.items)
        return f'<?xml version="1.0" encoding="utf-8"?>\n<SHOP>\n{items}\n</SHOP>\n'


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write the feed, products.jsonl, queries.tsv, qrels.tsv, search-fields.json and synonyms.json under
    `out`; their counts."""
    feed = Feed(seed)
    feed.products()
    feed.odd_item()
    products, bad, judged = write_feed_shop(
        out, (FEED, feed.xml()), "CZK", (SEARCH_FIELDS, SYNONYMS), JUDGED, "cs", feed.truth
    )
    return {
        "items": len(feed.items),
        "products": products,
        "bad items": bad,
        "queries": len(JUDGED),
        "judgements": judged,
    }


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.bike_shop", __doc__ or "", write, SEED, argv, "var/shops/bike")


if __name__ == "__main__":
    raise SystemExit(main())
