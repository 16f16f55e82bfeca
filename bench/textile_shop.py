"""An İzmir home-textile shop, made up whole, that publishes its catalog as a Ticimax XML feed.

The shop, Ege Çeyiz, sells towels, bathrobes, bed linen, duvets, pillows, blankets, bedspreads,
carpets, curtains, table, kitchen and baby textiles in lira, in Turkish (`bench.textile_catalog`). Its
feed (`urunler.xml`) is a `<Root><Urunler>` of `<Urun>` product cards: the card's id, name, lead text
and HTML description in CDATA, brand, category as a "/" path (`<KategoriTree>`), page and pictures,
then an `<UrunSecenek>` of `<Secenek>` variants, each with its own id, stock code, barcode, stock
count, purchase price, price and discounted price written with a decimal comma ("1.299,90", "0,00"
where there is no sale), whether the prices include VAT and at what rate, and its options
(`<Ozellik Tanim="Renk" Deger="Beyaz">`), and last the card's `<TeknikDetaylar>` (material, size,
washing, origin). A towel's colours and sizes are one card's variants; a card without variants has
one `<Secenek>` with no options. Some variants are sold out, a few on sale, one card's prices are
written before VAT; a curtain sewn to measure has no price (priced on request: listed without one),
and one card has no name (it cannot be listed, and is reported by its line). This writes the feed, the
catalog as `indexer build` reads it (products.jsonl), the shop's search fields and synonym sets ("pike"
and "yatak örtüsü", "bornoz" and "sabahlık"), and queries judged by what the shop says each product is.

    python -m bench.textile_shop --out var/shops/textile
    AISLE_CURRENCY=TRY AISLE_CATALOG_LANGUAGE=turkish \\
    AISLE_SEARCH_FIELDS="$(cat var/shops/textile/search-fields.json)" \\
    python -m bench.relevance --products var/shops/textile/products.jsonl \\
        --queries var/shops/textile/queries.tsv --qrels var/shops/textile/qrels.tsv \\
        --synonyms var/shops/textile/synonyms.json --methods bm25,dense,full
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from bench.shop_judging import ean13, fold, shop_main, write_feed_shop
from bench.textile_catalog import CATALOG, JUDGED, SHEER, Options, Textile

SEED = 61
FEED = "urunler.xml"
SHOP = "https://egeceyiz.example"
PICTURES = "https://static.ticimax.cloud/4471/uploads/urunresimleri/buyuk"
SEARCH_FIELDS = {"title": 3.0, "description": 1.0, "brand": 2.0, "category": 1.0, "attr.variant": 2.0}
SEARCH_FIELDS |= {"attr.Renk": 1.0, "attr.Beden": 1.0, "attr.Malzeme": 1.0, "attr.Ölçü": 1.0}
SYNONYMS = [["pike", "yatak örtüsü"], ["bornoz", "sabahlık"], ["el havlusu", "yüz havlusu"]]
SYNONYMS += [["nevresim takımı", "nevresim seti"]]
BRANDS = {"Ege Çeyiz": "EGC", "Denizli Dokuma": "DND", "Özgür Tekstil": "OZG", "Lina Home": "LNH"}
BRANDS |= {"Bebekevi": "BBK"}
COLOURS = {"Beyaz": "BYZ", "Krem": "KRM", "Gri": "GRI", "Lacivert": "LCV", "Bej": "BEJ", "Antrasit": "ANT"}
GS1_PREFIX = "8682983"  # the shop's barcodes: Turkey's 868, its company number, then the variant's id
# A curtain sewn to measure: the shop prices it on request, so its variant's price is empty
TO_MEASURE = Textile("OZP", "Özel Ölçü Tül Perde", "Ege Çeyiz", SHEER, 0.0, "%100 Polyester", "",
                     "<p>Ölçünüze göre dikilir; fiyat için bizi arayın.</p>")  # fmt: skip


def lira(amount: float) -> str:
    """A price as Turkish feeds write it: a decimal comma, thousands with a dot ("1.299,90")."""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def ean(variant: int) -> str:
    """The EAN-13 printed on a variant's label, its check digit right."""
    return ean13(f"{GS1_PREFIX}{variant:05d}")


def short(value: str) -> str:
    """An option as a stock code writes it: "BYZ" for Beyaz, "5090" for 50x90, "CK195215" for "Çift
    Kişilik 195x215", "XL" as it is."""
    if value in COLOURS:
        return COLOURS[value]
    return "".join(w if w.isupper() else w.replace("x", "") if w[0].isdigit() else fold(w)[0].upper()
                   for w in value.split())  # fmt: skip


def slug(name: str) -> str:
    """A card's page name as Ticimax makes it from the card's name: Turkish letters plain, words hyphened."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name).replace("ı", "i")).strip("-")


def tags(fields: dict[str, object]) -> list[str]:
    """Each field as an element, written empty (`<SatisBirimi/>`) where it has no value."""
    return [f"<{name}>{value}</{name}>" if value != "" else f"<{name}/>" for name, value in fields.items()]


class Feed:
    """The Ticimax feed as it is written: product cards, each with its variants; and what each variant
    is (for judging), by variant id."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.categories: dict[str, int] = {}  # path -> KategoriID
        self.cards: list[str] = []
        self.variants = 0
        self.truth: dict[str, str] = {}

    def card(self, item: Textile) -> list[str]:
        """Write `item`'s card; its variants' ids."""
        card, page = len(self.cards) + 1, slug(item.name or item.kind)
        cid = self.categories.setdefault(item.category, 11 + 2 * len(self.categories))
        fields = {"UrunKartiID": card, "UrunAdi": escape(item.name), "OnYazi": f"<![CDATA[{item.lead}]]>"}
        fields |= {"Aciklama": f"<![CDATA[{item.text}]]>", "Marka": escape(item.brand), "SatisBirimi": ""}
        fields |= {"KategoriID": cid, "Kategori": escape(item.kind), "KategoriTree": escape(item.category)}
        lines = ["<Urun>", *tags(fields), f"<UrunUrl>{SHOP}/{page}-{card}</UrunUrl>"]
        pictures = "".join(f"<Resim>{PICTURES}/{page}-{card}-{n}.jpg</Resim>" for n in (1, 2))
        lines += [f"<Resimler>{pictures}</Resimler>", "<UrunSecenek>"]
        ids = []
        for options, price in item.variants or [([], item.price)]:
            ids.append(str(self.variants + 1))
            lines.append(self.variant(item, options, price))
        lines += ["</UrunSecenek>", "<TeknikDetaylar>"]
        lines += [f"<TeknikDetay><OzellikTanim>{escape(name)}</OzellikTanim><DegerTanim>{escape(value)}"
                  "</DegerTanim></TeknikDetay>" for name, value in item.details]  # fmt: skip
        self.cards.append("\n".join([*lines, "</TeknikDetaylar>", "</Urun>"]))
        return ids

    def variant(self, item: Textile, options: Options, price: float) -> str:
        """A `<Secenek>`: prices before VAT where the card is written so, the sale as a discounted price."""
        self.variants += 1
        number, label = self.variants, " / ".join(value for _, value in options)
        sku = "-".join([BRANDS[item.brand], item.code, *(short(value) for _, value in reversed(options))])
        vat = 1.2 if item.net else 1.0
        sale = round(price * (100 - item.off) / 100, 2) if item.off else 0.0
        fields = {"VaryasyonID": number, "StokKodu": sku, "Barkod": ean(number)}
        fields |= {"StokAdedi": 0 if label in item.sold_out else self.rng.randint(1, 40)}
        fields |= {"AlisFiyati": lira(price * 0.45 / vat), "SatisFiyati": lira(price / vat)}
        fields |= {"IndirimliFiyat": lira(sale / vat), "KDVDahil": str(not item.net).lower(), "KdvOrani": 20}
        fields |= {"ParaBirimi": "TL", "ParaBirimiKodu": "TRY", "Desi": 3 if price > 1000 else 1}
        lines = ["<Secenek>", *tags(fields)]
        written = "".join(f"<Ozellik Tanim={quoteattr(name)} Deger={quoteattr(value)}>{escape(value)}"
                          "</Ozellik>" for name, value in options)  # fmt: skip
        lines += [f"<EkSecenekOzellik>{written}</EkSecenekOzellik>" if options else "<EkSecenekOzellik/>"]
        self.truth[str(number)] = item.truth(options, f"StokKodu={sku}, Barkod={ean(number)}")
        return "\n".join([*lines, "</Secenek>"])

    def products(self) -> None:
        for item in CATALOG:
            self.card(item)

    def odd_cards(self) -> None:
        """A card whose variant has no price (sewn to measure) and a card with no name (a copy of the
        hair towel's, left unnamed): not a product, not judged."""
        self.card(TO_MEASURE)
        self.cards[-1] = re.sub(r"<SatisFiyati>[^<]*<", "<SatisFiyati><", self.cards[-1])
        for number in self.card(replace(CATALOG[3], name="")):
            del self.truth[number]

    def xml(self) -> str:
        cards = "\n".join(self.cards)
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<Root>\n<Urunler>\n{cards}\n</Urunler>\n</Root>\n'


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write the feed, products.jsonl, queries.tsv, qrels.tsv, search-fields.json and synonyms.json under
    `out`; their counts."""
    feed = Feed(seed)
    feed.products()
    feed.odd_cards()
    products, bad, judged = write_feed_shop(
        out, (FEED, feed.xml()), "TRY", (SEARCH_FIELDS, SYNONYMS), JUDGED, "ege", feed.truth
    )
    return {
        "cards": len(feed.cards),
        "variants": feed.variants,
        "products": products,
        "bad variants": bad,
        "queries": len(JUDGED),
        "judgements": judged,
    }


def main(argv: list[str] | None = None) -> int:
    return shop_main("bench.textile_shop", __doc__ or "", write, SEED, argv, "var/shops/textile")


if __name__ == "__main__":
    raise SystemExit(main())
