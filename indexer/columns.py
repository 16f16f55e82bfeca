"""A shop's own column names read as the schema's (`AISLE_CATALOG_COLUMNS`, `FeedFormat.columns`).

An export names its columns in its own words ("Name", "Regular price"), and each record comes out under
the schema's names, so nothing after the reader knows the export's. A column mapped to null is left
out of every record: shop systems export dozens of columns of their own bookkeeping (WooCommerce's
"Tax status", "Backorders allowed?", "Position"), which would otherwise be attributes listed on every
product page and in every API answer. Two columns may say whether a product is on the shop
(`published`: WooCommerce's `Published` and `Visibility in catalog`): a product either hides is not
shown (`engine.feed_values.least_shown`). Any other field given under two names is refused, naming both.
A field the shop names in `AISLE_LIST_ATTRIBUTES` (`lists`, lower-cased) whose cell is text is read as
the values it lists ("Vegan, Lactosevrij"; `engine.schema_attributes.cell_values`), in every command
that reads a catalog file: build, upsert, a partial update, check. A column the shop names in
`AISLE_PAIR_COLUMNS` (`pairs`, lower-cased: Magento's `additional_attributes`) gives the fields its
`name=value` pairs write (`indexer.pairs`), each renamed like a column; one a row also gives in a
column of its own is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.feed_values import least_shown
from engine.schema_attributes import cell_values
from indexer.pairs import read_pairs

PUBLISHED = "published"
Rename = Mapping[str, "str | None"]  # the export's name -> the schema's, None: left out


class Header:
    """A CSV header read through `rename`: each column's name in the schema (None: left out)."""

    def __init__(
        self,
        row: list[str],
        rename: Rename,
        lists: frozenset[str] = frozenset(),
        pairs: frozenset[str] = frozenset(),
    ) -> None:
        written = [h.strip() for h in row]
        self.names: list[str | None] = [rename.get(h, h) for h in written]
        self.paired = [(n, h) for n, h in enumerate(written) if h.lower() in pairs]
        for n, _ in self.paired:
            self.names[n] = None  # its pairs are the fields
        self.rename, self.lists = rename, lists
        self.listed = [name for name in self.names if name is not None and name.lower() in lists]
        self.shown = [n for n, name in enumerate(self.names) if name == PUBLISHED]
        kept = [name for name in self.names if name is not None]
        self.twice: str | None = None  # the field two columns give, as `given_twice` says it
        repeated = next((name for name in kept if kept.count(name) > 1 and name != PUBLISHED), None)
        if repeated is not None and rename:
            first, second = [h for h, to in zip(written, self.names, strict=True) if to == repeated][:2]
            self.twice = given_twice(first, second, repeated)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def record(self, row: list[str]) -> dict[str, Any] | str:
        """The row's cells under the schema's names, without the columns left out; the message saying
        what is wrong with a cell of pairs instead."""
        record: dict[str, Any] = {
            name: cell for name, cell in zip(self.names, row, strict=True) if name is not None
        }
        if len(self.shown) > 1:
            record[PUBLISHED] = least_shown([row[n] for n in self.shown])
        listed = self.listed
        for n, column in self.paired:
            added = _add_pairs(record, column, row[n], self.rename)
            if isinstance(added, str):
                return added
            listed = listed + [name for name in added if name.lower() in self.lists]
        return _split_lists(record, listed)


def renamed(
    raw: dict[str, Any],
    rename: Rename,
    lists: frozenset[str] = frozenset(),
    pairs: frozenset[str] = frozenset(),
) -> dict[str, Any] | str:
    """A JSON, XML or Parquet record under the schema's names, without the fields left out, its list
    attributes' text read as their values, its fields of pairs as the fields they give; the message
    naming a field it gives under two names instead."""
    out: dict[str, Any] = {}
    origin: dict[str, str] = {}
    shown: list[Any] = []
    paired = [(name, value) for name, value in raw.items() if name.lower() in pairs]
    for name, value in raw.items():
        target = None if name.lower() in pairs else rename.get(name, name)
        if target is None:  # left out, or a column of pairs, read below
            continue
        if target == PUBLISHED:
            if value is None:  # JSON null: not given
                continue
            shown.append(value)
        elif target in out:
            return given_twice(origin[target], name, target)
        out[target], origin[target] = value, name
    if len(shown) > 1:
        out[PUBLISHED] = least_shown([str(value) for value in shown])
    for name, value in paired:
        if isinstance(value, str):
            added = _add_pairs(out, name, value, rename)
            if isinstance(added, str):
                return added
        elif value is not None:
            return f"{name}: expected name=value pairs as text, got {type(value).__name__}"
    return _split_lists(out, [name for name in out if name.lower() in lists])


def _add_pairs(record: dict[str, Any], column: str, cell: str, rename: Rename) -> list[str] | str:
    """Add the fields `cell` (of the column `column`) writes as pairs to `record`, renamed; the names
    added, or the message saying what is wrong (a field the record gives already)."""
    pairs = read_pairs(cell)
    if isinstance(pairs, str):
        return f"{column}: {pairs}"
    added = []
    for name, value in pairs:
        target = rename.get(name, name)
        if target is None:
            continue
        given = record.get(target)
        if given is not None and given != "":
            return f"{target!r} is given twice, as a column and in {column!r} ({name}={value})"
        record[target] = value
        added.append(target)
    return added


def _split_lists(record: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """`record` with the text of each of its list attributes `names` read as the values it lists."""
    for name in names:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            record[name] = cell_values(value)
    return record


def given_twice(first: str, second: str, target: str) -> str:
    renamed = "AISLE_CATALOG_COLUMNS renames one to the other"
    return f"{target!r} is given twice, as {first!r} and as {second!r} ({renamed})"
