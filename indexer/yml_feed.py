"""Yandex Market's YML feed (`<yml_catalog>`), the XML file shops in Russia and its neighbours publish
for Yandex and most price aggregators, read as the schema's records.

A YML file lists the shop's categories first, each with its id and its parent's
(`<category id="2" parentId="1">Холодильники</category>`), then its offers, each an `<offer>` whose
id, availability and family are XML attributes (`id`, `available`, `group_id`) and whose fields are
elements: `<name>` (or, in a `vendor.model` offer, `<typePrefix>`, `<vendor>` and `<model>`, which
together are its name), `<vendor>`, `<price>` and the price before a sale `<oldprice>`, `<currencyId>`
(the ruble written "RUR" as often as "RUB"), `<categoryId>`, `<picture>` (several), `<description>`
(HTML), `<barcode>`, `<vendorCode>` (the maker's article number), `<count>` (stock) and `<param
name="Цвет">чёрный</param>` (with `unit="л"`: "366 л") for each property. Read as Google's feed is, an
offer had no id, no category name, no availability and one attribute "param".

Here an offer is a record: its `categoryId` the category's path from the top of the tree ("Бытовая
техника > Холодильники"), its `oldprice` the price and `price` the sale price where it is lower, each
`param` an attribute named by its `name` (a name given twice a list), `vendorCode` the `mpn` and
`barcode` the `barcode` (both identifiers), `count` the stock, `available="false"` out of stock.
Streaming as the Google reader is (`indexer.merchant_xml`), numbered by the line each offer starts on.
"""

from __future__ import annotations

from typing import Any

from engine.feed_values import amount_or_zero
from indexer.malformed import Malformed

ROOT = "yml_catalog"
_FIELDS = {"name": "title", "vendor": "brand", "picture": "image", "description": "description"}
_FIELDS |= {"vendorCode": "mpn", "barcode": "barcode", "count": "stock", "currencyId": "currency"}
_OFFER_ATTRIBUTES = {"id": "id", "available": "available", "group_id": "group"}
_SEPARATE = "param"


class Offers:
    """expat handlers that gather the categories and each `<offer>` into a record."""

    def __init__(self, parser: Any, max_item_chars: int) -> None:
        self.parser = parser
        self.max_item_chars = max_item_chars
        self.ready: list[tuple[int, dict[str, Any] | Malformed]] = []
        self.categories: dict[str, tuple[str, str]] = {}  # id -> (name, parent id)
        self.element: tuple[str, dict[str, str]] | None = None  # the element whose text is gathered
        self.text: list[str] = []
        self.offer: dict[str, Any] | None = None
        self.params: dict[str, list[str]] = {}
        self.fields: dict[str, list[str]] = {}
        self.line = 0
        self.chars = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit("}", 1)[-1]
        if local == "offer":
            self.offer, self.params, self.fields = {}, {}, {}
            self.line, self.chars = self.parser.CurrentLineNumber, 0
            for attribute, target in _OFFER_ATTRIBUTES.items():
                if attrs.get(attribute, "").strip():
                    self.offer[target] = attrs[attribute].strip()
            return
        if local == "category" or self.offer is not None:
            self.element, self.text = (local, attrs), []

    def data(self, text: str) -> None:
        if self.element is not None:
            self.chars += len(text) if self.offer is not None else 0
            if self.chars <= self.max_item_chars:
                self.text.append(text)

    def end(self, name: str) -> None:
        local = name.rsplit("}", 1)[-1]
        if local == "offer" and self.offer is not None:
            too_long = Malformed(f"offer is longer than {self.max_item_chars} characters")
            self.ready.append((self.line, too_long if self.chars > self.max_item_chars else self._record()))
            self.offer = None
        elif self.element is not None and self.element[0] == local:
            value, attrs = "".join(self.text).strip(), self.element[1]
            if local == "category" and self.offer is None and attrs.get("id"):
                self.categories[attrs["id"].strip()] = (value, attrs.get("parentId", "").strip())
            elif local == _SEPARATE and attrs.get("name") and value:
                unit = attrs.get("unit", "").strip()
                self.params.setdefault(attrs["name"].strip(), []).append(f"{value} {unit}" if unit else value)
            elif value:
                self.fields.setdefault(local, []).append(value)
            self.element = None

    def path(self, category: str) -> list[str]:
        """The names from the top of the category tree down to `category` (its id where unnamed)."""
        names: list[str] = []
        seen: set[str] = set()
        while category in self.categories and category not in seen:
            seen.add(category)
            name, parent = self.categories[category]
            names.insert(0, name)
            category = parent
        return names or [category]

    def _record(self) -> dict[str, Any]:
        record = dict(self.offer or {})
        fields = self.fields
        for name, target in _FIELDS.items():
            if fields.get(name):
                record.setdefault(target, fields[name][0])
        if "title" not in record:  # a vendor.model offer: its type, maker and model are its name
            named = [fields[n][0] for n in ("typePrefix", "vendor", "model") if fields.get(n)]
            if fields.get("model"):
                record["title"] = " ".join(named)
        elif fields.get("model"):
            record["model"] = fields["model"][0]
        if fields.get("categoryId"):
            record["category"] = self.path(fields["categoryId"][0])
        price, old = (fields.get(n, [""])[0] for n in ("price", "oldprice"))
        if price and 0 < amount_or_zero(price) < amount_or_zero(old):  # struck through: a sale
            record.update(price=old, sale_price=price)
        elif price:
            record["price"] = price
        for name, values in self.params.items():
            record.setdefault(name, values[0] if len(values) == 1 else values)
        for name in ("country_of_origin", "url", "sales_notes", "manufacturer_warranty"):
            if fields.get(name):
                record.setdefault(name, fields[name][0])
        return record
