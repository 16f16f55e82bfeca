"""Ticimax's XML product feed (`<Root><Urunler>`), the file Turkish shops on Ticimax publish for price
comparison sites and marketplaces, read as the schema's records.

A product is an `<Urun>`: its card id (`UrunKartiID`), name (`UrunAdi`), lead text and HTML description
(`OnYazi`, `Aciklama`), brand (`Marka`), category path written "Banyo/Havlu/Banyo Havlusu"
(`KategoriTree`), page (`UrunUrl`), pictures (`Resimler/Resim`), technical details
(`TeknikDetaylar/TeknikDetay`: `OzellikTanim` "Malzeme", `DegerTanim` "%100 Pamuk"), and under
`UrunSecenek` a `<Secenek>` per variant holding what is the variant's own: id (`VaryasyonID`), stock code
and barcode (`StokKodu`, `Barkod`), stock (`StokAdedi`), price and discounted price with a decimal comma
(`SatisFiyati` "1.299,90", `IndirimliFiyat` "0,00" for none), whether those include VAT (`KDVDahil`,
`KdvOrani` 20), currency (`ParaBirimiKodu` TRY, `ParaBirimi` "TL") and options (`EkSecenekOzellik/Ozellik
Tanim="Renk" Deger="Beyaz"`). Read as Google's feed is, an `<Urun>` had no id, no price and one
attribute holding every variant's fields run together.

Here each `<Secenek>` is a record, numbered by the line it starts on: its `VaryasyonID` the id, the
card id its family (`group`), the card's fields inherited, its options attributes and, joined " / ", its
`variant`. The price a shopper pays is the one shown: a price written before VAT (`KDVDahil` false) is
read with the VAT rate added. The purchase price (`AlisFiyati`), the supplier (`Tedarikci`) and the
shipping volume and tax fields are the shop's own business and are never kept: any other field is an
attribute, as in every format.
"""

from __future__ import annotations

from typing import Any

from engine.feed_values import amount_or_zero
from indexer.feed_item import ItemReader, Read

ROOT = "Root"
PRODUCT, VARIANT = "Urun", "Secenek"
_PRODUCT_FIELDS = {"UrunAdi": "title", "Marka": "brand", "UrunUrl": "url"}
_VARIANT_FIELDS = {"VaryasyonID": "id", "StokKodu": "sku", "Barkod": "barcode", "StokAdedi": "stock"}
# Fields read into others (prices, VAT, currency, category, ids) or that no shopper may see.
_PRIVATE = frozenset({"AlisFiyati", "Tedarikci", "Desi", "KdvOrani", "KDVDahil", "SatisBirimi", "KategoriID"})
_READ = frozenset({"SatisFiyati", "IndirimliFiyat", "ParaBirimi", "ParaBirimiKodu", "UrunKartiID"})
_READ |= {"OnYazi", "Aciklama", "Kategori", "KategoriTree"}
# Fields of a card or a variant that become no attribute of their own.
_NOT_ATTRIBUTES = _PRIVATE | _READ | _PRODUCT_FIELDS.keys() | _VARIANT_FIELDS.keys()
_FALSE = frozenset({"false", "0", "hayir", "hayır"})


class Products(ItemReader):
    """expat handlers that gather each `<Urun>` and turn its `<Secenek>`s into records."""

    def __init__(self, parser: Any, max_item_chars: int) -> None:
        super().__init__(parser, max_item_chars)
        self.card: dict[str, str] = {}
        self.images: list[str] = []
        self.details: list[tuple[str, str]] = []
        self.detail: dict[str, str] = {}
        self.variants: list[tuple[int, dict[str, str], list[tuple[str, str]]]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit("}", 1)[-1]
        if not self.inside:
            if local == PRODUCT:
                self.begin()
                self.card, self.images, self.details, self.variants = {}, [], [], []
            return
        self.enter(local)
        if self.path == ["UrunSecenek", VARIANT]:
            self.variants.append((self.parser.CurrentLineNumber, {}, []))
        elif local == "Ozellik" and self.path[:2] == ["UrunSecenek", VARIANT] and self.variants:
            option = (attrs.get("Tanim", "").strip(), attrs.get("Deger", "").strip())
            self.variants[-1][2].append(option)

    def end(self, name: str) -> None:
        if not self.inside:
            return
        if not self.path:  # </Urun>
            self.finish(PRODUCT, self._records)
            return
        value, path = self.value(), self.path
        if len(path) == 1 and value:
            self.card[path[0]] = value
        elif path == ["Resimler", "Resim"] and value:
            self.images.append(value)
        elif path[:2] == ["TeknikDetaylar", "TeknikDetay"]:
            self._detail(path, value)
        elif len(path) == 3 and path[:2] == ["UrunSecenek", VARIANT] and value and self.variants:
            self.variants[-1][1][path[2]] = value
        elif path[-1] == "Ozellik" and path[:2] == ["UrunSecenek", VARIANT] and self.variants:
            options = self.variants[-1][2]
            if options and not options[-1][1]:  # <Ozellik Tanim="Renk">Beyaz</Ozellik>: the value as text
                options[-1] = (options[-1][0], value)
        self.leave()

    def _detail(self, path: list[str], value: str) -> None:
        """A technical detail's name and value (`OzellikTanim`/`DegerTanim`, or `Ozellik`/`Deger`)."""
        if len(path) == 3 and value:
            self.detail[path[2]] = value
        elif len(path) == 2:
            detail, self.detail = self.detail, {}
            name = detail.get("OzellikTanim") or detail.get("Ozellik")
            given = detail.get("DegerTanim") or detail.get("Deger")
            if name and given:
                self.details.append((name, given))

    def _records(self) -> list[Read]:
        card = self._card()
        if not self.variants:  # no <Secenek>: no id or price of its own; the schema names what is missing
            return [(self.line, card)]
        records: list[Read] = []
        for line, fields, options in self.variants:
            record = dict(card)
            for name, target in _VARIANT_FIELDS.items():
                if fields.get(name):
                    record[target] = fields[name]
            record.update(_prices(fields))
            for name, value in fields.items():
                if name not in _NOT_ATTRIBUTES:
                    record.setdefault(name, value)
            named = [(n, v) for n, v in options if n and v]
            for option, value in named:
                record[option] = value
            if named:
                record["variant"] = " / ".join(v for _, v in named)
            records.append((line, record))
        return records

    def _card(self) -> dict[str, Any]:
        """What every variant of the card shares."""
        card = self.card
        record: dict[str, Any] = {"group": card["UrunKartiID"]} if card.get("UrunKartiID") else {}
        for name, target in _PRODUCT_FIELDS.items():
            if card.get(name):
                record[target] = card[name]
        text = "\n".join(card[name] for name in ("OnYazi", "Aciklama") if card.get(name))
        if text:
            record["description"] = text
        levels = [level.strip() for level in card.get("KategoriTree", "").split("/") if level.strip()]
        if levels or card.get("Kategori"):
            record["category"] = levels or [card["Kategori"]]
        if self.images:
            record["image"] = self.images[0]
        details: dict[str, list[str]] = {}
        for name, value in self.details:
            details.setdefault(name, []).append(value)
        for name, values in details.items():
            record.setdefault(name, values[0] if len(values) == 1 else values)
        for name, value in card.items():
            if name not in _NOT_ATTRIBUTES:
                record.setdefault(name, value)
        return record


def _prices(fields: dict[str, str]) -> dict[str, Any]:
    """The variant's price and discounted price as shown to a shopper (with VAT), and its currency."""
    out: dict[str, Any] = {}
    code = fields.get("ParaBirimiKodu") or fields.get("ParaBirimi", "")
    if code:
        out["currency"] = code.strip()  # "TL" is TRY, as the schema reads it (`currency_code`)
    price, discounted = fields.get("SatisFiyati", ""), fields.get("IndirimliFiyat", "")
    if not price:
        return out
    gross = 1.0
    if fields.get("KDVDahil", "").strip().lower() in _FALSE:
        gross += amount_or_zero(fields.get("KdvOrani", "")) / 100
    amount = amount_or_zero(price)
    if amount <= 0:
        out["price"] = price  # not a number the schema can read: it names the problem
        return out
    out["price"] = round(amount * gross, 2)
    sale = amount_or_zero(discounted)
    if 0 < sale < amount:
        out["sale_price"] = round(sale * gross, 2)
    return out
