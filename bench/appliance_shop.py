"""A Moscow appliance shop, made up whole, that publishes its catalog as a Yandex Market YML feed.

The shop sells household appliances and electronics in roubles, in Russian (`bench.appliance_catalog`).
Its feed (`yml.xml`) lists the categories with their parents, then an `<offer>` per product: id,
availability and family as attributes (`available="true"`, `group_id` for a phone's memory sizes and
colours), `<price>` and, for a sale, the struck-through `<oldprice>`, `<currencyId>RUR</currencyId>`,
`<categoryId>`, `<picture>`, `<vendor>`, `<vendorCode>`, `<barcode>`, an HTML description in CDATA and
a `<param>` per property (`<param name="Общий объём" unit="л">366</param>`); most offers give a `<name>`,
some are `type="vendor.model"` offers named by `<typePrefix>`, `<vendor>` and `<model>`. A product is
out of stock, one offer has neither name nor model, one a price "по запросу" (on request). This writes
the feed, the catalog as `indexer build` reads it (products.jsonl), the shop's search fields and
synonym sets (slang and Cyrillic spellings of its brands: "стиралка", "айфон", "бош"), and queries
judged by what the shop says each product is.

    python -m bench.appliance_shop --out var/shops/appliance
    AISLE_CURRENCY=RUB AISLE_CATALOG_LANGUAGE=russian \\
    AISLE_SEARCH_FIELDS="$(cat var/shops/appliance/search-fields.json)" \\
    python -m bench.relevance --products var/shops/appliance/products.jsonl \\
        --queries var/shops/appliance/queries.tsv --qrels var/shops/appliance/qrels.tsv \\
        --synonyms var/shops/appliance/synonyms.json --methods bm25,dense,full
"""

from __future__ import annotations

import random
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from bench.appliance_catalog import CATALOG, JUDGED, Appliance, Params
from bench.shop_judging import shop_main, write_feed_shop

SEED = 59
FEED = "yml.xml"
SEARCH_FIELDS = {"title": 3.0, "description": 1.0, "brand": 2.0, "category": 1.0, "attr.variant": 2.0}
SEARCH_FIELDS |= {"attr.Цвет": 1.0, "attr.Тип": 1.0, "attr.Тип загрузки": 1.0, "attr.Установка": 1.0}
SEARCH_FIELDS |= {"attr.Диагональ": 1.0, "attr.Загрузка": 1.0, "attr.Ширина": 1.0, "attr.Память": 1.0}
# yes/no params, found by their name where yes ("беспроводные наушники"), as `indexer check` names them
SEARCH_FIELDS |= {"attr.No Frost": 1.0, "attr.Smart TV": 1.0, "attr.Беспроводные": 1.0}
SEARCH_FIELDS |= {"attr.Беспроводной": 1.0, "attr.Шумоподавление": 1.0, "attr.Разрешение": 1.0}
SYNONYMS = [["стиральная машина", "стиралка"], ["айфон", "iphone"], ["бош", "bosch"]]
SYNONYMS += [["самсунг", "samsung"], ["делонги", "delonghi"], ["дайсон", "dyson"], ["макбук", "macbook"]]
SYNONYMS += [["аирподс", "airpods"], ["галакси", "galaxy"], ["микроволновка", "микроволновая печь"]]
SYNONYMS += [["посудомойка", "посудомоечная машина"]]
VENDOR_MODEL = ("Телевизор", "Ноутбук")  # kinds whose offers the feed writes as vendor.model


class Feed:
    """The YML feed as it is written: categories, then offers; and what each offer is (for judging)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.categories: dict[str, tuple[int, int]] = {}  # path -> (id, parent id)
        self.offers: list[str] = []
        self.truth: dict[str, str] = {}

    def category(self, path: str) -> int:
        parent = 0
        for depth in range(1, path.count("/") + 2):
            prefix = "/".join(path.split("/")[:depth])
            if prefix not in self.categories:
                self.categories[prefix] = (len(self.categories) + 1, parent)
            parent = self.categories[prefix][0]
        return parent

    def offer(self, item: Appliance, params: Params, price: int, group: str = "", name: str = "") -> str:
        oid = str(100_000 + len(self.offers) * 7)
        available = self.rng.random() > 0.12
        kind = ' type="vendor.model"' if item.kind in VENDOR_MODEL else ""
        head = f'<offer id="{oid}" available="{str(available).lower()}"{kind}'
        lines = [head + (f' group_id="{group}">' if group else ">")]
        if kind:
            lines += [
                f"<typePrefix>{escape(item.kind)}</typePrefix>",
                f"<vendor>{escape(item.maker)}</vendor>",
            ]
            lines += [f"<model>{escape(item.model)}</model>"]
        else:
            lines += [f"<name>{escape(name or item.name)}</name>", f"<vendor>{escape(item.maker)}</vendor>"]
        lines += [f"<url>https://tehnodom.example/p/{oid}</url>", f"<price>{price}</price>"]
        if item.old and not group:
            lines.append(f"<oldprice>{item.old}</oldprice>")
        lines += ["<currencyId>RUR</currencyId>", f"<categoryId>{self.category(item.category)}</categoryId>"]
        lines += [f"<picture>https://tehnodom.example/img/{oid}.jpg</picture>"]
        lines += [f"<description><![CDATA[{item.text}]]></description>"]
        lines += [f"<vendorCode>{escape(item.model.split()[-1])}</vendorCode>"]
        lines += [f"<barcode>{self.rng.randint(10**12, 10**13 - 1)}</barcode>"]
        for pname, value, unit in [*item.params, *params]:
            unit_attr = f" unit={quoteattr(unit)}" if unit else ""
            lines.append(f"<param name={quoteattr(pname)}{unit_attr}>{escape(value)}</param>")
        lines.append("<country_of_origin>Китай</country_of_origin>")
        self.offers.append("\n".join(lines) + "\n</offer>")
        self.truth[oid] = item.truth(params)
        return oid

    def products(self) -> None:
        for item in CATALOG:
            if not item.variants:
                self.offer(item, [], item.price)
                continue
            group = str(500 + len(self.offers))
            for params, price in item.variants:
                memory = next(v for n, v, _ in params if n == "Память")
                colour = next(v for n, v, _ in params if n == "Цвет")
                self.offer(item, params, price, group, f"{item.name} {memory} ГБ {colour}")

    def bad_offers(self) -> None:
        """An offer with neither name nor model, and one whose price is "по запросу" (on request)."""
        self.offers.append('<offer id="199001" available="true"><price>4990</price><currencyId>RUR'
                           "</currencyId><categoryId>1</categoryId></offer>")  # fmt: skip
        oid = self.offer(CATALOG[0], [], 0, name="Холодильник Bosch KGN49XL30U")
        self.offers[-1] = self.offers[-1].replace("<price>0</price>", "<price>по запросу</price>")
        del self.truth[oid]

    def xml(self) -> str:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<yml_catalog date="2026-12-07T10:00+03:00">']
        lines += ["<shop>", "<name>ТехноДом</name>", "<company>ООО ТехноДом</company>"]
        lines += [
            "<url>https://tehnodom.example</url>",
            '<currencies><currency id="RUR" rate="1"/></currencies>',
        ]
        lines.append("<categories>")
        for path, (cid, parent) in self.categories.items():
            parent_attr = f' parentId="{parent}"' if parent else ""
            lines.append(f'<category id="{cid}"{parent_attr}>{escape(path.split("/")[-1])}</category>')
        lines += ["</categories>", "<offers>", *self.offers, "</offers>", "</shop>", "</yml_catalog>"]
        return "\n".join(lines) + "\n"


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write the feed, products.jsonl, queries.tsv, qrels.tsv, search-fields.json and synonyms.json under
    `out`; their counts."""
    feed = Feed(seed)
    feed.products()
    feed.bad_offers()
    products, bad, judged = write_feed_shop(
        out, (FEED, feed.xml()), "RUB", (SEARCH_FIELDS, SYNONYMS), JUDGED, "td", feed.truth
    )
    return {
        "offers": len(feed.offers),
        "products": products,
        "bad offers": bad,
        "queries": len(JUDGED),
        "judgements": judged,
    }


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.appliance_shop", __doc__ or "", write, SEED, argv, "var/shops/appliance")


if __name__ == "__main__":
    raise SystemExit(main())
