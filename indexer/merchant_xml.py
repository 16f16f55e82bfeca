"""Product feeds in XML as shops already publish them for Google Shopping: RSS 2.0 `<item>`s or Atom
`<entry>`s whose fields are elements in Google's namespace (`g:price`) or plain (`<title>`); a file
whose root is `<yml_catalog>` is Yandex Market's YML feed, read by `indexer.yml_feed`, one whose root
is `<Root>` Ticimax's product feed, read by `indexer.ticimax_feed`, one whose root is `<offers>`
Ceneo's offer feed, read by `indexer.ceneo_feed`, and one whose root is `<SHOP>` Heureka's (and
Zboží.cz's) product feed, read by `indexer.heureka_feed`.

Most shop systems write this feed through a plugin or built in (WooCommerce, Shopify, Magento, Shopware,
PrestaShop), so a shop can point the indexer at the file it already has. Google's names are the schema's
where they mean the same thing: `image_link` is `image`, `product_type` ("Home > Kitchen") is `category`,
`item_group_id` is `group` (`indexer.families`); `price` and `sale_price` are written "15.00 USD" (the
code is the record's currency), `availability` "in stock" or "backorder", all of which the schema reads.
Every other field (`gtin`, `mpn`, `color`, `size`, `link`, `google_product_category`, custom labels, ...)
is kept as an attribute, as any unknown field is; `gtin` and `mpn` are identifiers by default, and
`color` and `size` are searched as what tells an item from its group's others (`Product.variant`). A field
given several times (`additional_image_link`) keeps its first value for a schema field and all of them,
joined by ", ", for an attribute; `product_type` given several times files the product under each path
(the first is its `category`, the rest `more_categories`). A field with sub-fields (`g:shipping`) is its
sub-fields' values joined by ":", as Google writes them in text feeds ("US:Standard:4.95 USD").

An XML file of another kind, whose root none of these readers knows and in which no item was found, is
refused naming its root and the feeds read: it was read as an empty catalog. Read with expat, streaming,
so a feed larger than memory works; each product is numbered by the line its
`<item>` starts on, and an item holding more text than a record may is `Malformed`. A file that is not
well-formed XML stops the read with `InvalidInput` naming the line: unlike a bad JSON line or CSV row,
nothing after the fault can be read, and a feed cut short by a failed download would otherwise drop every
product after it. Entities are not fetched from anywhere and expat limits entity expansion, so a hostile
feed cannot make the reader read files or blow up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from engine.errors import InvalidInput
from engine.product_schema import ALIASES, KNOWN_FIELDS
from indexer.ceneo_feed import OFFER as CENEO_OFFER
from indexer.ceneo_feed import ROOT as CENEO_ROOT
from indexer.ceneo_feed import CeneoOffers
from indexer.heureka_feed import ITEM as HEUREKA_ITEM
from indexer.heureka_feed import ROOT as HEUREKA_ROOT
from indexer.heureka_feed import HeurekaItems
from indexer.malformed import Malformed
from indexer.ticimax_feed import ROOT as TICIMAX_ROOT
from indexer.ticimax_feed import Products
from indexer.yml_feed import ROOT as YML_ROOT
from indexer.yml_feed import Offers

CHUNK_BYTES = 1 << 16
RECORD_ELEMENTS = ("item", "entry")
GOOGLE_ROOTS = frozenset({"rss", "feed"})
# Google's names for the schema's fields (the others are the schema's own: id, title, description,
# brand, price, sale_price, availability).
GOOGLE_NAMES = {"image_link": "image", "product_type": "category", "item_group_id": "group"}
GOOGLE_NAMES |= {"sale_price_effective_date": "sale_dates"}
_PRICE_CURRENCY = re.compile(r"[0-9]\s*([A-Z]{3})\s*$")
SCHEMA_FIELDS = frozenset(KNOWN_FIELDS + ALIASES)  # a field given twice keeps its first value
# Feeds whose root names no other kind of file: read with no item in them, they are refused, not empty.
EMPTY_REFUSED = {CENEO_ROOT: CENEO_OFFER, HEUREKA_ROOT: HEUREKA_ITEM}


class _Items:
    """expat handlers that gather each `<item>` into a record: {field: [values]}."""

    def __init__(self, parser: Any, max_item_chars: int) -> None:
        self.parser = parser
        self.max_item_chars = max_item_chars
        self.item_chars = 0  # text gathered for the current item; past the limit it is dropped
        self.ready: list[tuple[int, dict[str, Any] | Malformed]] = []
        self.depth = 0
        self.item_depth = 0  # 0: not inside an item
        self.item_line = 0
        self.fields: dict[str, list[str]] = {}
        self.field = ""
        self.text: list[str] = []
        self.parts: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        local = name.rsplit("}", 1)[-1]
        if not self.item_depth:
            if local in RECORD_ELEMENTS:
                self.item_depth, self.item_line, self.fields = self.depth, self.parser.CurrentLineNumber, {}
                self.item_chars = 0
            return
        if self.depth == self.item_depth + 1:
            self.field, self.text, self.parts = local, [], []
            if attrs.get("href"):  # Atom's <link href="..."/>
                self.text.append(attrs["href"])
        elif self.depth > self.item_depth + 1 and "".join(self.text).strip():
            self.parts.append("".join(self.text).strip())
            self.text = []

    def data(self, text: str) -> None:
        if self.item_depth and self.depth > self.item_depth:
            self.item_chars += len(text)
            if self.item_chars <= self.max_item_chars:
                self.text.append(text)

    def end(self, name: str) -> None:
        if self.item_depth and self.depth == self.item_depth:
            too_long = self.item_chars > self.max_item_chars
            big = Malformed(f"item is longer than {self.max_item_chars} characters")
            self.ready.append((self.item_line, big if too_long else _record(self.fields)))
            self.item_depth = 0
        elif self.item_depth and self.depth > self.item_depth + 1:
            piece = "".join(self.text).strip()
            if piece:
                self.parts.append(piece)
            self.text = []
        elif self.item_depth and self.depth == self.item_depth + 1:
            value = ":".join(self.parts) if self.parts else "".join(self.text).strip()
            if value:
                self.fields.setdefault(self.field, []).append(value)
        self.depth -= 1


def _record(fields: dict[str, list[str]]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name, values in fields.items():
        target = GOOGLE_NAMES.get(name, name)
        if target in record:  # one field under both names (image_link and image): the first written wins
            continue
        record[target] = values[0] if target in SCHEMA_FIELDS else ", ".join(dict.fromkeys(values))
        if target == "category" and len(values) > 1:  # a product_type each for several categories
            record["more_categories"] = values[1:]
    written = _PRICE_CURRENCY.search(str(record.get("price", "")))
    if written and "currency" not in record:  # Google's price names its currency: "15.00 USD"
        record["currency"] = written.group(1)
    return record


def read_merchant_xml(
    handle: IO[bytes], path: Path, max_item_chars: int
) -> Iterator[tuple[int, dict[str, Any] | Malformed]]:
    """Yield `(line_number, record)` for every item of the feed in `handle`; an item holding more than
    `max_item_chars` of text is `Malformed` (its text is not kept, so one broken item cannot fill memory)."""
    parser = expat.ParserCreate(namespace_separator="}")
    chosen: list[_Items | Offers | Products | CeneoOffers | HeurekaItems] = []
    roots: list[str] = []
    read = 0

    def first(name: str, attrs: dict[str, str]) -> None:
        """The root names the feed: Yandex Market's YML, Ticimax's, Ceneo's, Heureka's, or else Google's
        RSS or Atom."""
        root = name.rsplit("}", 1)[-1]
        roots.append(root)
        kinds: dict[str, Callable[[Any, int], _Items | Offers | Products | CeneoOffers | HeurekaItems]] = {
            YML_ROOT: Offers,
            TICIMAX_ROOT: Products,
            CENEO_ROOT: CeneoOffers,
            HEUREKA_ROOT: HeurekaItems,
        }
        handlers = kinds.get(root, _Items)(parser, max_item_chars)
        chosen.append(handlers)
        parser.StartElementHandler = handlers.start
        parser.EndElementHandler = handlers.end
        parser.CharacterDataHandler = handlers.data
        handlers.start(name, attrs)

    parser.StartElementHandler = first
    parser.buffer_text = True
    final = False
    while not final:
        chunk = handle.read(CHUNK_BYTES)
        final = not chunk
        try:
            parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            problem = expat.ErrorString(exc.code)
            raise InvalidInput(
                f"{path}:{exc.lineno}: not well-formed XML ({problem}, column {exc.offset + 1}); nothing "
                "after it can be read, so the feed is refused whole"
            ) from None
        for handlers in chosen:
            read += len(handlers.ready)
            yield from handlers.ready
            handlers.ready = []
    if not read and roots and roots[0] in EMPTY_REFUSED:
        root, item = roots[0], EMPTY_REFUSED[roots[0]]
        raise InvalidInput(f"{path}: no <{item}> in this feed (root <{root}>): it was read as empty")
    if not read and roots and roots[0] not in GOOGLE_ROOTS | {YML_ROOT, TICIMAX_ROOT}:
        raise InvalidInput(
            f"{path}: no product in this XML: its root is <{roots[0]}>, and the XML feeds read are "
            "Google Shopping's (RSS <rss> or Atom <feed>), Yandex Market's YML (<yml_catalog>), "
            "Ticimax's (<Root>), Ceneo's (<offers>) and Heureka's (<SHOP>); export the catalog as one of "
            "those, or as CSV or JSON Lines"
        )
