"""A Poznań furniture shop, made up whole, that publishes its catalog as a Ceneo XML feed.

The shop, Meble Warta, sells chairs, tables, wardrobes, beds, mattresses, sofas, shelves, desks, lamps,
rugs and garden furniture in złoty, in Polish (`bench.furniture_catalog`). Its feed (`ceneo.xml`) is
the one every Polish shop system writes for Ceneo, the country's price comparison site: an `<offers>`
of `<o>` offers in a `<group name="other">`, each with its id, page, price, availability code, stock
and weight as attributes (`<o id="2001" url="..." price="349.00" avail="1" stock="5" weight="7.5">`),
then its category path, name, pictures and HTML description in CDATA, indented as the exports write
them, and its parameters as `<a name="Producent">` (the maker), `Kod_producenta` (the maker's code),
`EAN`, `Kolor`, `Materiał`, `Wymiary`. Each colour of a chair is an offer of its own. Some offers are
sold out (stock 0), a few made to order (avail 90) or shipped in days; one offer's price is written as
a Polish spreadsheet writes it ("1 899,00 zł"), one has no name (it cannot be listed, and is reported
by its line). This writes the feed, the catalog as `indexer build` reads it (products.jsonl), the
shop's search fields and synonym sets ("sofa" and "kanapa", "hoker" and "krzesło barowe"), and
queries judged by what the shop says each offer is.

    python -m bench.furniture_shop --out var/shops/furniture
    AISLE_CURRENCY=PLN AISLE_CATALOG_LANGUAGE=polish \\
    AISLE_SEARCH_FIELDS="$(cat var/shops/furniture/search-fields.json)" \\
    python -m bench.relevance --products var/shops/furniture/products.jsonl \\
        --queries var/shops/furniture/queries.tsv --qrels var/shops/furniture/qrels.tsv \\
        --synonyms var/shops/furniture/synonyms.json --methods bm25,dense,full
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import quoteattr

from bench.furniture_catalog import CATALOG, JUDGED, Furniture
from bench.shop_judging import ean13, fold, shop_main, write_feed_shop

SEED = 67
FEED = "ceneo.xml"
SHOP = "https://meblewarta.example"
FIRST_OFFER = 2001
GS1_PREFIX = "590762110"  # the shop's barcodes: Poland's 590, its company number, then the offer's number
SEARCH_FIELDS = {"title": 3.0, "description": 1.0, "brand": 2.0, "category": 1.0, "attr.Kolor": 1.0}
SEARCH_FIELDS |= {"attr.Materiał": 1.0, "attr.Wymiary": 1.0}
SYNONYMS = [["sofa", "kanapa"], ["hoker", "krzesło barowe"], ["szafka nocna", "stolik nocny"]]
SYNONYMS += [["fotel biurowy", "krzesło biurowe"]]
WRITTEN_PRICE = "DX-SZ-2D"  # the wardrobe whose price the shop typed as a spreadsheet writes it


def ean(offer: int) -> str:
    """The EAN-13 printed on an offer's label, its check digit right."""
    return ean13(f"{GS1_PREFIX}{offer % 1000:03d}")


def slug(name: str) -> str:
    """An offer's page name: Polish letters plain, words hyphened."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name).replace("ł", "l")).strip("-")


def cdata(element: str, value: str, indent: str = "\t\t") -> str:
    """`<element>` holding `value` in CDATA on a line of its own, as Polish shop systems write the feed."""
    return f"\t<{element}>\n{indent}<![CDATA[{value}]]>\n\t</{element}>"


class Feed:
    """The Ceneo feed as it is written, offer by offer; and what each offer is (for judging), by id."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.offers: list[str] = []
        self.truth: dict[str, str] = {}

    def offer(self, item: Furniture) -> str:
        """Write `item` as an `<o>`; its id."""
        number = FIRST_OFFER + len(self.offers)
        price = f"{item.price:.2f}"
        if item.code == WRITTEN_PRICE:
            price = f"{item.price:,.2f} zł".replace(",", " ").replace(".", ",")
        weight = f"{item.price / 60 + self.rng.uniform(1, 3):.1f}"  # kg, as the shop weighs a parcel
        page = f"{SHOP}/{slug(item.name or item.kind)}-{number}.html"
        head = f'<o id="{number}" url={quoteattr(page)} price={quoteattr(price)} avail="{item.avail}" set="0"'
        lines = [f'{head} weight="{weight}" basket="1" stock="{item.stock}">', cdata("cat", item.category)]
        lines += [cdata("name", item.name), "\t<imgs>"]
        pictures = [f"{SHOP}/img/{number}-{n}.jpg" for n in (1, 2)]
        lines += [f'\t\t<main url="{pictures[0]}"/>', f'\t\t<i url="{pictures[1]}"/>', "\t</imgs>"]
        lines += [cdata("desc", item.text), "\t<attrs>"]
        named = [("Producent", item.brand), ("Kod_producenta", item.code), ("EAN", ean(number))]
        lines += [f"\t\t<a name={quoteattr(name)}><![CDATA[{value}]]></a>"
                  for name, value in [*named, *item.parameters]]  # fmt: skip
        self.offers.append("\n".join([*lines, "\t</attrs>", "</o>"]))
        self.truth[str(number)] = item.truth(ean(number))
        return str(number)

    def products(self) -> None:
        for item in CATALOG:
            self.offer(item)

    def odd_offer(self) -> None:
        """An offer with no name (a copy of the oak chair's, its name left out): not a product, not judged."""
        del self.truth[self.offer(replace(CATALOG[3], name=""))]

    def xml(self) -> str:
        offers = "\n".join(self.offers)
        head = '<offers xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1">'
        body = f'{head}\n<group name="other">\n{offers}\n</group>\n</offers>\n'
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write the feed, products.jsonl, queries.tsv, qrels.tsv, search-fields.json and synonyms.json under
    `out`; their counts."""
    feed = Feed(seed)
    feed.products()
    feed.odd_offer()
    products, bad, judged = write_feed_shop(
        out, (FEED, feed.xml()), "PLN", (SEARCH_FIELDS, SYNONYMS), JUDGED, "mw", feed.truth
    )
    return {
        "offers": len(feed.offers),
        "products": products,
        "bad offers": bad,
        "queries": len(JUDGED),
        "judgements": judged,
    }


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.furniture_shop", __doc__ or "", write, SEED, argv, "var/shops/furniture")


if __name__ == "__main__":
    raise SystemExit(main())
