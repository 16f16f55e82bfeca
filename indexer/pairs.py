"""Cells holding several fields as `name=value` pairs (`AISLE_PAIR_COLUMNS`, `FeedFormat.pairs`).

Magento's product export writes every attribute outside its fixed columns into one cell,
`additional_attributes`: "manufacturer=CeraVe,skin_type=Dry|Very Dry,spf=50". Kept as it is, that cell
is one attribute holding the whole string: the brand is not the brand, no facet counts a skin type and
no filter finds SPF 50. Read as pairs, each is a column of its own (renamed like any column, so
`manufacturer` may be the brand) and a multiple-select value, written with `|` between its values, is a
list. A comma starts the next pair only where a name and `=` follow it, so a value may hold commas
("Soft, light"). So does a semicolon: BigCommerce's export writes a product's custom fields in one
cell that way, "Temperature Rating=20°F;Insulation=Synthetic".

PrestaShop writes a product's features in one cell too, as its import reads them ("Feature(Name:Value:
Position)"): "Regione:Piemonte:1,Vitigno:Nebbiolo:2,Abbinamento:Carne:3,Abbinamento:Formaggi:3", each
feature its name, its value and its position on the product page (and, after another colon, whether the
value is the product's own). A cell without `=` read that way gives each feature as a pair, the position
left out, and a feature named several times (a value each, as PrestaShop lists a multiple value) as a
list.
"""

from __future__ import annotations

import re

Value = str | list[str]
# A pair's name: at the start of the cell or after a comma or a semicolon, up to its "=".
_NAME = re.compile(r"(?:^|[,;])\s*([^,;=|]+?)\s*=")
_MULTIPLE = "|"
# PrestaShop's feature: "Name:Value:Position" or "Name:Value:Position:Customized", up to the next comma
# that starts another (a value may hold commas and colons: "Rosso, secco", "1:1").
_FEATURE = re.compile(r"\s*([^,:|=]+?)\s*:\s*(.*?)\s*:\s*\d+(?:\s*:\s*[01])?\s*(?:,|$)")


def read_pairs(cell: str) -> list[tuple[str, Value]] | str:
    """The (name, value) pairs `cell` writes, in its order, without those with an empty value (not
    given); the message saying what is wrong instead (text before the first pair, a name given twice)."""
    text = cell.strip()
    if not text:
        return []
    if "=" not in text and _FEATURE.match(text):
        return _features(text)
    names = list(_NAME.finditer(text))
    if not names or names[0].start() != 0:
        start = text[: names[0].start()] if names else text
        return f"expected name=value pairs separated by commas or semicolons, got {_short(start)!r}"
    pairs: list[tuple[str, Value]] = []
    for found, following in zip(names, [*names[1:], None], strict=True):
        name = found.group(1)
        if any(name == seen for seen, _ in pairs):
            return f"names {name!r} twice"
        written = text[found.end() : following.start() if following else len(text)].strip()
        values = [v.strip() for v in written.split(_MULTIPLE) if v.strip()]
        if values:
            pairs.append((name, values if len(values) > 1 else values[0]))
    return pairs


def _features(text: str) -> list[tuple[str, Value]] | str:
    """PrestaShop's "Name:Value:Position" features as pairs, a name given several times as a list."""
    found: dict[str, list[str]] = {}
    end = 0
    while end < len(text):
        feature = _FEATURE.match(text, end)
        if feature is None:
            return f"expected Name:Value:Position features separated by commas, got {_short(text[end:])!r}"
        if feature.group(2):
            found.setdefault(feature.group(1), []).append(feature.group(2))
        end = feature.end()
    return [(name, values if len(values) > 1 else values[0]) for name, values in found.items()]


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
