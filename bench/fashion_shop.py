"""A clothing shop, made up whole, that publishes its catalog as a Google Shopping feed.

Most shop systems write such a feed for Google (RSS 2.0, fields in the `g:` namespace), and a clothing
shop's variants are items sharing an `item_group_id`, the family's title and price, told apart only by
their `color` and `size`. Shoppers type "black t-shirt m", "jeans 32", "red sneakers size 10". This
writes such a feed (17 families in colours and sizes, some sizes out of stock, some on sale; single
accessories; two bad items), the catalog as `indexer build` reads it (JSON Lines), and 44 queries
judged by what a shopper asking them wants (`bench.fashion_catalog`, `bench.shop_judging`).

    python -m bench.fashion_shop --out var/shops/fashion
    AISLE_CURRENCY=USD python -m bench.relevance --products var/shops/fashion/products.jsonl \\
        --queries var/shops/fashion/queries.tsv --qrels var/shops/fashion/qrels.tsv --methods bm25,full
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from bench.fashion_catalog import FAMILIES, JUDGED, SINGLES
from bench.shop_judging import ExportRows, shop_main, write_catalog
from engine.records import Product
from engine.schema_checks import Limits
from indexer.loading import load_catalog

SEED = 13
PLAIN = ("title", "description", "link")  # the feed's elements outside the g: namespace


class Feed(ExportRows):
    """The feed's items, one dictionary of fields each."""

    def item(self, **fields: str) -> None:
        self.rows.append(fields)

    def families(self) -> None:
        for group, title, brand, kind, price, colours, sizes, text in FAMILIES:
            on_sale = self.rng.random() < 0.3
            for colour in colours:
                for size in sizes:
                    pid = f"{group}-{colour.upper().replace(' ', '')}-{size}"
                    sold_out = self.rng.random() < 0.12
                    self.item(
                        id=pid, title=title, description=text, brand=brand, product_type=kind,
                        price=f"{price:.2f} USD", item_group_id=group, color=colour, size=size,
                        availability="out of stock" if sold_out else "in stock", gtin=self.ean(),
                        link=f"https://shop.example/p/{pid}", image_link=f"https://shop.example/i/{pid}.jpg",
                    )  # fmt: skip
                    if on_sale:
                        self.rows[-1]["sale_price"] = f"{price * 0.8:.2f} USD"

    def singles(self) -> None:
        for pid, title, brand, kind, price, attributes in SINGLES:
            fields = {"id": pid, "title": title, "description": f"{title}.", "brand": brand}
            fields |= {"product_type": kind, "price": f"{price:.2f} USD", "availability": "in stock"}
            self.item(**fields, gtin=self.ean(), **attributes)

    def bad_items(self) -> None:
        """An item without a title and one with a price that is no number (bad records, by line)."""
        self.item(id="BAD-1", title="", price="10.00 USD", availability="in stock")
        self.item(id="BAD-2", title="Broken Price Tee", price="ten dollars", availability="in stock")

    def xml(self) -> str:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>']
        lines += ['<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">', "<channel>"]
        lines.append("<title>Northwind Outfitters</title>")
        for fields in self.rows:
            lines.append("<item>")
            for name, value in fields.items():
                tag = name if name in PLAIN else f"g:{name}"
                lines.append(f"  <{tag}>{escape(value)}</{tag}>")
            lines.append("</item>")
        return "\n".join([*lines, "</channel>", "</rss>", ""])


def judged_text(product: dict) -> str:
    """What the queries' patterns read: "title | colour / size"."""
    return f"{product['title']} | {Product.from_dict(product).variant or ''}"


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write feed.xml, products.jsonl, queries.tsv and qrels.tsv under `out`; their counts."""
    feed = Feed(seed)
    feed.families()
    feed.singles()
    feed.bad_items()
    out.mkdir(parents=True, exist_ok=True)
    path = out / "feed.xml"
    path.write_text(feed.xml(), encoding="utf-8")
    loaded = load_catalog(path, Limits.for_shop("USD"))
    products = [p.to_dict() for p in loaded.products]
    judged = write_catalog(out, products, JUDGED, "fsh", judged_text)
    return {
        "feed items": len(feed.rows),
        "products": len(products),
        "bad items": len(loaded.problems),
        "queries": len(JUDGED),
        "judgements": judged,
    }


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.fashion_shop", __doc__ or "", write, SEED, argv, "var/shops/fashion")


if __name__ == "__main__":
    raise SystemExit(main())
