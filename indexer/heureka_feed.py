"""Heureka's XML product feed (`<SHOP>` of `<SHOPITEM>`s), the file Czech and Slovak shops publish for
Heureka, the countries' price comparison site, and that Zboží.cz reads alike (its feed names the same
elements in a namespace of its own), read as the schema's records. Every Czech shop system (Shoptet,
Upgates, Eshop-rychle, WooCommerce and PrestaShop plugins) writes it.

An item's fields are upper-case elements: `ITEM_ID`, `PRODUCTNAME` (the name; `PRODUCT` the name with
a sales phrase, read as the name only where `PRODUCTNAME` is missing), `DESCRIPTION` (often HTML in
CDATA), `URL`, `IMGURL` (and `IMGURL_ALTERNATIVE`s), `PRICE_VAT` (the price with VAT, in the shop's
currency, which the feed does not name: crowns on Heureka.cz and Zboží.cz, euros on Heureka.sk),
`MANUFACTURER`, `CATEGORYTEXT` ("Sport | Cyklistika | Jízdní kola", sometimes after the site's own name
"Heureka.cz | "), `EAN`, `ISBN`, `PRODUCTNO` (the maker's code), `ITEMGROUP_ID` (an item's sizes and
colours), `PARAM`s each a `PARAM_NAME` and a `VAL`, `DELIVERY_DATE` (days until it ships, 0 in stock,
or the date it will be), `ITEM_TYPE` (`new`, or `bazar` for second-hand goods). Read as Google's feed
is, it had no item at all, and was refused.

Here each `<SHOPITEM>` is a record, numbered by the line it starts on: `CATEGORYTEXT` the category
(split at "|", the site's name dropped), `MANUFACTURER` the brand, `PRODUCTNO` the `mpn`, `EAN` and
`ISBN` the `ean` and `isbn` (identifiers), `ITEMGROUP_ID` the family (`group`, `indexer.families`),
each `PARAM` an attribute named as written ("Barva", "Velikost kol"; a name given twice keeps each value,
joined by ", "), and the sizes and colours (`Velikost`, `Barva`; Slovak `Veľkosť`, `Farba`) its
`variant`, so a query naming a size finds that size, in a family or not (as Google's feed's `color` and
`size` are read): "přilba L" finds the one helmet sold in L. `DELIVERY_DATE` of 1 day or more is the
attribute `delivery_days` (the item can be ordered), a date `available_from` and a `backorder`.
`ITEM_TYPE` bazar is the attribute `condition` "used", as Google's feed names it. The shop's bids
(`HEUREKA_CPC`, Zboží's `MAX_CPC`, `MAX_CPC_SEARCH`), its carriers' prices (`DELIVERY`) and the VAT
rate (the price includes it) are no product property and are not kept; any other element (`GIFT`,
`EXTENDED_WARRANTY`, `VIDEO_URL`, ...) is an attribute as named, as in every format.
"""

from __future__ import annotations

import re
from typing import Any

from indexer.feed_item import ItemReader

ROOT = "SHOP"
ITEM = "SHOPITEM"
_FIELDS = {"ITEM_ID": "id", "PRODUCTNAME": "title", "DESCRIPTION": "description", "URL": "url"}
_FIELDS |= {"IMGURL": "image", "PRICE_VAT": "price", "MANUFACTURER": "brand", "ITEMGROUP_ID": "group"}
_FIELDS |= {"PRODUCTNO": "mpn", "EAN": "ean", "ISBN": "isbn"}
# Read into other fields, or the shop's business with the site rather than a property of the product.
_NOT_ATTRIBUTES = frozenset({"PRODUCT", "CATEGORYTEXT", "DELIVERY_DATE", "ITEM_TYPE", "PARAM", "VAT"})
_NOT_ATTRIBUTES |= {"HEUREKA_CPC", "MAX_CPC", "MAX_CPC_SEARCH", "DELIVERY", "IMGURL_ALTERNATIVE"}
# Parameters naming an item's size or colour, its variant, by their names lowercased (Czech, Slovak).
VARIANT_PARAMETERS = ("velikost", "veľkosť", "barva", "farba")
SITES = frozenset({"heureka.cz", "heureka.sk", "zboží.cz", "zbozi.cz"})  # a category path's first level
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class HeurekaItems(ItemReader):
    """expat handlers that gather each `<SHOPITEM>` into a record."""

    def __init__(self, parser: Any, max_item_chars: int) -> None:
        super().__init__(parser, max_item_chars)
        self.fields: dict[str, str] = {}
        self.parameters: list[tuple[str, str]] = []
        self.parameter: dict[str, str] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit("}", 1)[-1]
        if not self.inside:
            if local == ITEM:
                self.begin()
                self.fields, self.parameters = {}, []
            return
        self.enter(local)
        if self.path == ["PARAM"]:
            self.parameter = {}

    def end(self, name: str) -> None:
        if not self.inside:
            return
        if not self.path:  # </SHOPITEM>
            self.finish(ITEM, lambda: [(self.line, _record(self.fields, self.parameters))])
            return
        value, path = self.value(), self.path
        if len(path) == 2 and path[0] == "PARAM" and value:
            self.parameter.setdefault(path[1], value)
        elif path == ["PARAM"]:
            named, given = self.parameter.get("PARAM_NAME", ""), self.parameter.get("VAL", "")
            if named and given:
                self.parameters.append((named, given))
        elif len(path) == 1 and value:
            self.fields.setdefault(path[0], value)
        self.leave()


def _record(fields: dict[str, str], parameters: list[tuple[str, str]]) -> dict[str, Any]:
    """An item's fields and parameters as the schema's record (see the module's docstring)."""
    record: dict[str, Any] = {target: fields[name] for name, target in _FIELDS.items() if name in fields}
    if "title" not in record and fields.get("PRODUCT"):
        record["title"] = fields["PRODUCT"]
    levels = [level.strip() for level in fields.get("CATEGORYTEXT", "").split("|") if level.strip()]
    if levels and levels[0].lower() in SITES:
        levels = levels[1:]
    if levels:
        record["category"] = levels
    given: dict[str, list[str]] = {}
    for name, value in parameters:
        given.setdefault(name, []).append(value)
    for name, values in given.items():
        record.setdefault(name, ", ".join(dict.fromkeys(values)))
    told = [value for name, value in parameters if name.lower() in VARIANT_PARAMETERS]
    if told:
        record.setdefault("variant", " / ".join(dict.fromkeys(told)))
    delivery = fields.get("DELIVERY_DATE", "")
    if delivery.isdigit() and int(delivery) > 0:
        record["delivery_days"] = int(delivery)
    elif _DATE.fullmatch(delivery):
        record |= {"available_from": delivery, "availability": "backorder"}
    if fields.get("ITEM_TYPE", "").lower() == "bazar":
        record["condition"] = "used"
    for name, value in fields.items():
        if name not in _FIELDS and name not in _NOT_ATTRIBUTES:
            record.setdefault(name, value)
    return record
