"""An id for a family's row that gives none: its family's key and its options, as the shop system itself
tells its variants apart.

Shopify's `products_export.csv` and Nuvemshop's spreadsheet name a product by its page name (Shopify's
`Handle`, Nuvemshop's `Identificador URL`) and a variant by its option values; the SKU is the shop's
to fill in, and a small shop leaves it empty for the lines it makes itself (its own flip-flops, its basic
T-shirt). With the SKU mapped to `id`, every such row was refused ("id: required"), and past
`--max-bad` the whole build. So a row of a family (`group` given) without an id gets one: the family's
key, then its options' values as its variant lists them ("chinelo-de-dedo-brisa/azul-35-36"), or the
family's key alone for a product without options. The systems' own imports match rows the same way,
so the id stays the same from one export to the next while the page name and the option values do; a
renamed colour makes another id (its clicks stay with the old one), and a shop wanting ids that outlive
renames fills in its SKUs. A made id another row gives as its own is a duplicate, reported as any.
"""

from __future__ import annotations

import re
from typing import Any

from engine.records import VARIANT_ATTRIBUTE
from engine.schema_checks import missing

_APART = re.compile(r"[^\w]+")  # what an id's part of option values keeps: letters and digits


def with_family_id(raw: dict[str, Any], family: str | None) -> dict[str, Any] | None:
    """`raw` with an id made from `family` and its variant (read from its options, `indexer.options`)
    where it gives none and names a family; None where it gives one or names no family."""
    if family is None or not missing(raw.get("id")):
        return None
    variant = raw.get(VARIANT_ATTRIBUTE)
    words = _APART.sub("-", str(variant).lower()).strip("-") if not missing(variant) else ""
    return {**raw, "id": f"{family}/{words}" if words else family}


def family_ids_note(made: list[str]) -> list[str]:
    """What `indexer check` says of the ids made for rows without one."""
    if not made:
        return []
    return [
        f"ids:          {len(made)} rows without an id are named by their family and options ({made[0]!r});",
        f"{' ' * 14}a renamed option names another product: SKUs in the file keep ids across renames",
    ]
