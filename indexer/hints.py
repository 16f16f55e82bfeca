"""What `indexer check` reads in an export's values to name a setting the shop has not made.

Each answers from the products as the settings read them now, so a hint disappears once its setting is
made: cells that write `name=value` pairs (Magento's `additional_attributes`, `AISLE_PAIR_COLUMNS`), a
first category level every path shares (Magento's "Default Category", `AISLE_CATEGORY_ROOT`), and
yes/no attributes a shopper types by name ("vegan shampoo": `AISLE_SEARCH_FIELDS` attr.vegan).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from engine.feed_values import said_yes
from engine.records import Product

_PAIR = re.compile(r"[^,=|]+=")  # "spf=50"
_PAIRS = re.compile(r"[^,=|]+=[^=]*,[^,=|]+=")  # "manufacturer=CeraVe,spf=50": fields in one cell
_TECHNICAL = ("true", "false")  # a shop system's bookkeeping flags (Shopify's "Published", "Gift Card")


def writes_pairs(values: Sequence[str]) -> bool:
    """Whether every value of an attribute is a name=value pair and some hold several."""
    return all(_PAIR.match(v) for v in values if v) and any(_PAIRS.match(v) for v in values)


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
