"""Ids an export writes where a shop means names, read through the files that name them
(`AISLE_CATALOG_NAMES`, `FeedFormat.names`).

Shopware 6's product export writes a product's categories, its properties and a variant's options as
lists of ids, "5c083ea1603a8011c750998389b9065e|be10bc56e181038b42d0c44521e2abbe": read as they come,
the category facet listed hex strings, a filter on "Fahrzeug" was impossible, and the words "Golf" and
"312 mm" found nothing. The shop exports the names too, in files of their own: its categories (id,
parent id, name) and its property values (id, group id, name, group name). Given such files, a cell
whose every part is such an id (32 hex digits, or a UUID with hyphens) names what they name:

- in `category`, each id its category's path from the top of the tree, "Bremsanlage > Bremsscheiben"
  (a root the shop's tree starts with is left out as `AISLE_CATEGORY_ROOT` says);
- in any other field, each value with a group becomes an attribute named by its group ("Fahrzeug":
  "VW Golf VII", several values of one group a list), and the others stay in the field as names;
- in `variant` (a variant's options, Shopware's `optionIds` mapped to it), the options are attributes
  as above and their values together, "312 mm" or "Rot / XL", the variant's label, as a Shopify
  variant is titled.

An id that no file names beside ids it names is left out of its cell and counted (`unnamed`), so a
stale names file shows in `indexer check` instead of as hex in a facet; a cell none of whose ids is
named (a media id the export also writes) stays as it came, and check names its column.
A names file is CSV with a header (";", "," or tab between fields) naming at least `id` and `name`;
`parent_id` links a category to its parent, `group_name` or `group_id` (an id the files name) gives a
value's group.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import InvalidInput
from engine.records import FAMILY_ATTRIBUTE, VARIANT_ATTRIBUTE, Product
from indexer.malformed import Malformed
from indexer.readers import RawRecord

_ID = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)
_SEPARATORS = re.compile(r"[|,;\s]+")
# Fields that hold ids of their own or no ids: a product's and its family's, its sales channels.
_NOT_NAMED = frozenset(
    {"id", "group", "sales_channels", "title", "description", "image", "price", "sale_price"}
)
_PARENT = ("parent_id", "parentid", "parent")
_GROUP_NAME = ("group_name", "groupname", "group")
_GROUP_ID = ("group_id", "groupid")
_DEPTH = 32  # a category tree deeper than this has a loop


@dataclass(frozen=True)
class Named:
    """What one id names: its name, its parent's id (a category) and its group (a property value)."""

    name: str
    parent: str = ""
    group: str = ""
    group_id: str = ""


class IdNames:
    """The names files read into one table, and the records of a catalog read through it."""

    def __init__(self, entries: dict[str, Named]) -> None:
        self.entries = entries
        self.unnamed: Counter[str] = Counter()  # field -> ids no file names

    @classmethod
    def read(cls, paths: Sequence[Path], encoding: str = "utf-8") -> IdNames:
        """The table of `paths`; `InvalidInput` naming the file (and line) that cannot be read."""
        entries: dict[str, Named] = {}
        for path in paths:
            entries.update(_read_file(path, encoding))
        return cls(entries)

    def named(self, records: Iterator[RawRecord]) -> Iterator[RawRecord]:
        """`records` with their cells of ids read as names (the module's docstring)."""
        for line, raw in records:
            yield line, raw if isinstance(raw, Malformed) or not self.entries else self.record(raw)

    def record(self, raw: dict[str, Any]) -> dict[str, Any]:
        out = dict(raw)
        for key, value in raw.items():
            ids = _ids(value) if isinstance(key, str) and key.lower() not in _NOT_NAMED else None
            if not ids:
                continue
            known = [self.entries[i.lower()] for i in ids if i.lower() in self.entries]
            if not known:
                continue  # no names for this field: as it came, for `indexer check` to show
            if len(known) < len(ids):
                self.unnamed[key] += len(ids) - len(known)
            if key.lower() == "category":
                out[key] = [self.path(entry) for entry in known]
                continue
            del out[key]
            groups = [(self.group(e), e.name) for e in known]
            grouped = [(group, name) for group, name in groups if group]
            plain = [name for group, name in groups if not group]
            for group, name in grouped:
                _add(out, group, name)
            if plain:
                out[key] = plain if len(plain) > 1 else plain[0]
            if key.lower() == VARIANT_ATTRIBUTE and grouped:
                out[key] = " / ".join(name for _, name in grouped)
        return out

    def path(self, entry: Named) -> list[str]:
        """The names from the top of the tree down to `entry`."""
        path = [entry.name]
        parent = self.entries.get(entry.parent.lower())
        while parent is not None and len(path) < _DEPTH:
            path.insert(0, parent.name)
            parent = self.entries.get(parent.parent.lower())
        return path

    def group(self, entry: Named) -> str:
        if entry.group:
            return entry.group
        group = self.entries.get(entry.group_id.lower())
        return group.name if group is not None else ""


def cell_parts(value: Any) -> list[str]:
    """The parts a cell lists, as Shopware writes a list of ids ("a3f0...|9c1e..."; also separated by
    commas, semicolons or spaces), from a string or a list of strings (other values give none)."""
    texts = value if isinstance(value, list) else [value]
    return [p for t in texts if isinstance(t, str) for p in _SEPARATORS.split(t) if p]


def _ids(value: Any) -> list[str] | None:
    """The ids a cell lists (a string, or a list of strings, of ids), None when any part is no id."""
    texts = value if isinstance(value, list) else [value]
    if not texts or not all(isinstance(t, str) for t in texts):
        return None
    parts = cell_parts(value)
    return parts if parts and all(_ID.match(p) for p in parts) else None


def _add(out: dict[str, Any], name: str, value: str) -> None:
    """`value` as the attribute `name`, a list once the record has another value of it."""
    given = out.get(name)
    if given is None or given == "" or given == []:
        out[name] = value
    elif isinstance(given, list):
        out[name] = given if value in given else [*given, value]
    elif given != value:
        out[name] = [given, value]


def _read_file(path: Path, encoding: str) -> dict[str, Named]:
    try:
        text = path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such names file (AISLE_CATALOG_NAMES)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read the names file ({exc})") from None
    lines = text.splitlines()
    if not lines:
        raise InvalidInput(f"{path}:1: a names file needs a header naming id and name")
    delimiter = max(";,\t", key=lines[0].count)
    rows = csv.reader(lines, delimiter=delimiter)
    header = [h.strip().lstrip("\ufeff").lower() for h in next(rows)]
    if "id" not in header or "name" not in header:
        raise InvalidInput(f"{path}:1: a names file needs a header naming id and name, got {header[:6]}")
    column = {name: header.index(name) for name in header}

    def cell(row: list[str], names: tuple[str, ...]) -> str:
        index = next((column[n] for n in names if n in column), None)
        return row[index].strip() if index is not None and index < len(row) else ""

    entries: dict[str, Named] = {}
    for number, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        key, name = cell(row, ("id",)), cell(row, ("name",))
        if not key or not name:
            raise InvalidInput(f"{path}:{number}: a names file's row needs an id and a name")
        group = cell(row, _GROUP_NAME)
        entries[key.lower()] = Named(name, cell(row, _PARENT), group, cell(row, _GROUP_ID))
    return entries


def id_columns(products: Sequence[Product]) -> list[str]:
    """The fields whose every value is a list of ids, as Shopware writes a product's categories,
    properties and options: read without the names files that name them."""
    values: dict[str, list[Any]] = {}
    for product in products:
        if product.category:
            values.setdefault("category", []).append(list(product.category))
        for name, value in product.attributes.items():
            if name != FAMILY_ATTRIBUTE:  # the family's key: a product's id
                values.setdefault(name, []).append(value)
    return sorted(name for name, given in values.items() if given and all(_ids(v) for v in given))


def ids_note(columns: Sequence[str], unnamed: Mapping[str, int]) -> list[str]:
    """What `indexer check` says of the columns of ids and of the ids no names file names."""
    pad, lines = " " * 14, []
    if columns:
        lines.append(f"ids:          {', '.join(columns)} hold ids where a shopper needs names (Shopware's")
        lines.append(f"{pad}categories, properties and options): the shop's exports naming them, given in")
        lines.append(f"{pad}AISLE_CATALOG_NAMES, read them as paths and attributes")
    for name, count in unnamed.items():
        lines.append(f"ids:          {count} ids in {name} that no names file names (left out)")
    return lines
