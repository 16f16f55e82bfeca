"""Cells holding several fields as `name=value` pairs (`AISLE_PAIR_COLUMNS`, `FeedFormat.pairs`).

Magento's product export writes every attribute outside its fixed columns into one cell,
`additional_attributes`: "manufacturer=CeraVe,skin_type=Dry|Very Dry,spf=50". Kept as it is, that cell
is one attribute holding the whole string: the brand is not the brand, no facet counts a skin type and
no filter finds SPF 50. Read as pairs, each is a column of its own (renamed like any column, so
`manufacturer` may be the brand) and a multiple-select value, written with `|` between its values, is a
list. A comma starts the next pair only where a name and `=` follow it, so a value may hold commas
("Soft, light").
"""

from __future__ import annotations

import re

Value = str | list[str]
# A pair's name: at the start of the cell or after a comma, up to its "=".
_NAME = re.compile(r"(?:^|,)\s*([^,=|]+?)\s*=")
_MULTIPLE = "|"


def read_pairs(cell: str) -> list[tuple[str, Value]] | str:
    """The (name, value) pairs `cell` writes, in its order, without those with an empty value (not
    given); the message saying what is wrong instead (text before the first pair, a name given twice)."""
    text = cell.strip()
    if not text:
        return []
    names = list(_NAME.finditer(text))
    if not names or names[0].start() != 0:
        start = text[: names[0].start()] if names else text
        return f"expected name=value pairs separated by commas, got {_short(start)!r}"
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


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
