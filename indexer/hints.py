"""What `indexer check` reads in an export's values to name a setting the shop has not made.

Each answers from the products as the settings read them now, so a hint disappears once its setting is
made: cells that write `name=value` pairs (Magento's `additional_attributes`, `AISLE_PAIR_COLUMNS`;
PrestaShop's features, "Regione:Piemonte:1,Vitigno:Nebbiolo:2") or list a family's variants (its
`configurable_variations`, mapped to `variants`), rows repeating an id (a row per store view: its
`store_view_code`, mapped to `store_view`), how stock is tracked (BigCommerce's `Track Inventory`,
mapped to `inventory_tracking`), rows without an id under products whose `Item Type` says
"Product" (BigCommerce's SKU and rule rows, mapped to `row_type`), a first category level every path
shares (Magento's
"Default Category", `AISLE_CATEGORY_ROOT`), and yes/no attributes a shopper types by name ("vegan
shampoo": `AISLE_SEARCH_FIELDS` attr.vegan).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from engine.feed_values import said_yes
from engine.records import Product
from indexer.loading import DUPLICATE_ID
from indexer.pairs import read_pairs

_PAIR = re.compile(r"[^,=|]+=")  # "spf=50"
_PAIRS = re.compile(r"[^,=|]+=[^=]*,[^,=|]+=")  # "manufacturer=CeraVe,spf=50": fields in one cell
_TECHNICAL = ("true", "false")  # a shop system's bookkeeping flags (Shopify's "Published", "Gift Card")
_TRACKING = frozenset({"none", "by product", "by option"})  # BigCommerce's Track Inventory


def writes_pairs(values: Sequence[str]) -> bool:
    """Whether every value of an attribute is a name=value pair, or PrestaShop's Name:Value:Position
    features, and some hold several (not a list of variants, `lists_variants`)."""
    given = [v for v in values if v]
    if not given or lists_variants(given):
        return False
    pairs = all(_PAIR.match(v) for v in given) and any(_PAIRS.match(v) for v in given)
    return pairs or _writes_features(given)


def _writes_features(values: Sequence[str]) -> bool:
    read = [read_pairs(v) if "=" not in v else "" for v in values]
    features = [r for r in read if isinstance(r, list) and r]
    return len(features) == len(values) and any(len(r) > 1 for r in features)


def lists_variants(values: Sequence[str]) -> bool:
    """Whether an attribute's values list a family's variants by sku, as Magento's
    `configurable_variations` does ("sku=AU-1001,volume=50 ml|sku=AU-1002,volume=340 g")."""
    given = [v for v in values if v]
    return bool(given) and all(v.lower().startswith("sku=") for v in given)


def repeated_ids(messages: Sequence[str], products: int) -> int:
    """How many bad records repeat an id read before, where they look like an export writing a row per
    store view (a tenth of the `products` or more); 0 for a few, each a mistake reported by its line."""
    repeated = sum(1 for message in messages if message.startswith(f"{DUPLICATE_ID} "))
    return repeated if repeated * 10 >= products else 0


def reads_like_paths(path: tuple[str, ...]) -> bool:
    """A path one of whose inner levels holds ", " ("Hund > Reisen, Katze > Reisen" read as one path
    has the level "Reisen, Katze"): likely several paths in one cell, as WooCommerce writes them."""
    return any(", " in level for level in path[1:-1])


def shared_root(products: Sequence[Product]) -> str | None:
    """The first level of every category path, where there is one and paths go deeper than it."""
    firsts = {path[0] for p in products for path in p.category_paths if path}
    deep = any(len(path) > 1 for p in products for path in p.category_paths)
    return next(iter(firsts)) if len(firsts) == 1 and deep and len(products) > 1 else None


def says_yes_or_no(values: Sequence[str], products: int) -> bool:
    """Whether an attribute's values are yes/no words, yes in some of the `products` and not in all:
    a label such as `vegan`, which a shopper types by its name."""
    said = [said_yes(v) if v.lower() not in _TECHNICAL else None for v in values if v]
    return None not in said and 0 < said.count(True) < products


def row_type_column(
    constant: Sequence[str], values: Mapping[str, list[str]], messages: Sequence[str]
) -> str | None:
    """The attribute saying "Product" in every product of an export where rows without an id were
    refused: BigCommerce's `Item Type`, whose SKU and rule rows have none (`indexer.sku_rows`)."""
    if not any(message.startswith("id: required") for message in messages):
        return None
    return next((name for name in constant if values[name][0].strip().lower() == "product"), None)


def tracking_column(values: Mapping[str, list[str]]) -> str | None:
    """The attribute saying how each product's stock is tracked, as BigCommerce's `Track Inventory`
    does ("none", "by product", "by option"): read as it is, an untracked product's count of 0 makes
    it sold out."""
    return next(
        (name for name, given in values.items() if given and set(map(str.lower, given)) <= _TRACKING),
        None,
    )


def tracking_note(column: str | None) -> list[str]:
    """What `indexer check` says of `tracking_column`'s answer."""
    if column is None:
        return []
    return [
        f'{" " * 14}({column} says which stock count is the stock, "none" for products not counted, whose',
        f'{" " * 14}0 is no count: map it to "inventory_tracking" in AISLE_CATALOG_COLUMNS)',
    ]


def lists_values(values: Sequence[str]) -> bool:
    """Whether an attribute's cells list several values, as shop systems write tags: a cell holding
    ", " whose parts another product has as its whole value ("Vegan, Lactosevrij" and "Lactosevrij")."""
    whole = set(values)
    return any(", " in value and whole.intersection(value.split(", ")) for value in whole)


def row_type_note(column: str | None) -> list[str]:
    """What `indexer check` says of `row_type_column`'s answer."""
    if column is None:
        return []
    return [
        f'{" " * 14}({column} says what each row is: map it to "row_type" in AISLE_CATALOG_COLUMNS, and its',
        f"{' ' * 14}SKU rows are read as their product's sizes and colours, its rules as their prices)",
    ]


def export_notes(
    paired: Sequence[str], variants: Sequence[str], repeated: int, root: str | None, views: Mapping[str, int]
) -> list[str]:
    """The lines `indexer check` prints about how the export is written: cells of pairs, lists of
    variants, rows repeating an id, the category root, the store views' rows not read."""
    pad, lines = " " * 14, []
    if paired:
        named = json.dumps(list(paired), ensure_ascii=False)
        lines.append(f"{pad}(cells writing fields as name=value pairs or Name:Value:Position features:")
        lines.append(f"{pad} {', '.join(paired)}; to read each as a field")
        lines.append(f"{pad}of its own: AISLE_PAIR_COLUMNS='{named}', with the export's name for the column)")
    for name in variants:
        lines.append(
            f'{pad}({name} lists each family\'s sizes by sku: map it to "variants" in AISLE_CATALOG_COLUMNS)'
        )
    if repeated:
        lines.append(
            f"ids:          {repeated} rows repeat an id read before; an export writing a row per store"
        )
        lines.append(
            f'{pad}view (Magento\'s store_view_code) maps it to "store_view" in AISLE_CATALOG_COLUMNS'
        )
    if root is not None:
        lines.append(f"categories:   every path starts with {root!r}; AISLE_CATEGORY_ROOT={root!r}")
        lines.append(f"{pad}leaves it out, so the category facet starts at the shop's departments")
    for view, rows in views.items():
        lines.append(
            f"store views:  {view} {rows} rows not read (AISLE_STORE_VIEW={view} reads the products so)"
        )
    return lines
