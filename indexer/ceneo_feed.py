"""Ceneo's XML offer feed (`<offers>`), the file Polish shops publish for Ceneo, the country's price
comparison site, and that every Polish shop system (Shoper, IdoSell, Sky-Shop, WooCommerce and
PrestaShop plugins) writes, read as the schema's records.

An offer is an `<o>` (inside a `<group name="other">`, or another group name from the format's older
versions) whose id, page, price, availability, stock and weight are XML attributes (`<o id="2001"
url="..." price="349.00" avail="1" stock="5" weight="7.5" set="0" basket="1">`), and whose fields are
elements, their text usually in CDATA on lines of their own: `<cat>` (the shop's category path,
"Meble/Krzesła/Krzesło"), `<name>`, `<desc>` (HTML), `<imgs>` (`<main url="...">` and further `<i
url="...">`) and `<attrs>` of `<a name="Producent">` parameters. Read as Google's feed is, it had no
item at all, and was refused.

Here each `<o>` is a record, numbered by the line it starts on: `cat` the category (split at "/"),
`Producent` the brand, `Kod_producenta` the maker's code (`mpn`) and `EAN` the `ean` (both
identifiers), every other parameter an attribute named as written ("Kolor", "Materiał"), the main
picture the image, `stock` the stock, every price in złoty (PLN, Ceneo's only currency, which the feed
does not name: a shop that left `AISLE_CURRENCY` unset is not shown dollars). The `avail` code says
when an offer ships: 1, 3, 7 or 14 days (kept as the `delivery_days` attribute; whether it is in stock
is the stock's to say), 90 made to order (`backorder`), 110 a preorder, 99 no information. `basket`
(Ceneo's own checkout) is no product property and is not kept; `set="1"` (a bundle of products) is the
attribute `bundle`.
"""

from __future__ import annotations

from typing import Any

from indexer.feed_item import ItemReader

ROOT = "offers"
CURRENCY = "PLN"  # Ceneo lists prices in złoty only; the feed has no currency field
OFFER = "o"
_OFFER_ATTRIBUTES = {"id": "id", "url": "url", "price": "price", "stock": "stock", "weight": "weight"}
_FIELDS = {"name": "title", "desc": "description"}
# Parameters read into the schema's fields, by their names lowercased (shops write "Producent" and
# "producent", "EAN" and "ean"); every other parameter keeps its name as written.
_PARAMETERS = {"producent": "brand", "kod_producenta": "mpn", "ean": "ean"}
_AVAILABILITY = {"90": "backorder", "110": "preorder"}
DELIVERY_DAYS = frozenset({"1", "3", "7", "14"})


class CeneoOffers(ItemReader):
    """expat handlers that gather each `<o>` into a record."""

    def __init__(self, parser: Any, max_item_chars: int) -> None:
        super().__init__(parser, max_item_chars)
        self.offer: dict[str, Any] = {}
        self.parameter = ""  # the name of the <a> whose text is gathered

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit("}", 1)[-1]
        if not self.inside:
            if local == OFFER:
                self.begin()
                self.offer = _offer(attrs)
            return
        self.enter(local)
        if self.path == ["imgs", "main"] and attrs.get("url", "").strip():
            self.offer.setdefault("image", attrs["url"].strip())
        elif self.path == ["attrs", "a"]:
            self.parameter = attrs.get("name", "").strip()

    def end(self, name: str) -> None:
        if not self.inside:
            return
        if not self.path:  # </o>
            self.finish(OFFER, lambda: [(self.line, self.offer)])
            return
        value, path = self.value(), self.path
        if path == ["cat"] and value:
            self.offer["category"] = [level.strip() for level in value.split("/") if level.strip()]
        elif len(path) == 1 and path[0] in _FIELDS and value:
            self.offer[_FIELDS[path[0]]] = value
        elif path == ["attrs", "a"] and self.parameter and value:
            name = _PARAMETERS.get(self.parameter.lower(), self.parameter)
            self.offer.setdefault(name, value)
        self.leave()


def _offer(attrs: dict[str, str]) -> dict[str, Any]:
    """What an `<o>`'s XML attributes say: its id, page, price, stock, weight, availability and bundle."""
    given = {name: value.strip() for name, value in attrs.items() if value.strip()}
    offer: dict[str, Any] = {"currency": CURRENCY}
    offer |= {target: given[name] for name, target in _OFFER_ATTRIBUTES.items() if name in given}
    avail = given.get("avail", "")
    if avail in _AVAILABILITY:
        offer["availability"] = _AVAILABILITY[avail]
    elif avail in DELIVERY_DAYS:
        offer["delivery_days"] = int(avail)
    if given.get("set") == "1":
        offer["bundle"] = True
    return offer
