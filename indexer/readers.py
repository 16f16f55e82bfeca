"""Catalog file readers: each yields `(line_number, raw_record)` in file order.

A reader never stops at a bad line (only XML that is not well-formed stops, `indexer.merchant_xml`):
a line it cannot parse comes out as a `Malformed` value in place of the record, so the caller reports
it with its line number and goes on. Line numbers are 1-based physical lines for JSON Lines, CSV (the
header is line 1, so the first product is line 2; a quoted field spanning lines is reported at the line
where the record starts) and XML (where an item starts), and 1-based row numbers for Parquet.

Formats are picked by extension: `.jsonl`/`.ndjson`, `.csv`, `.xml` (a Google Shopping feed,
`indexer.merchant_xml`), `.parquet` (`.gz` is accepted after the first three). Streaming
throughout, so a catalog larger than memory can still be validated.

A shop's export is described by a `FeedFormat`: its own column names ("titel", "prijs";
`AISLE_CATALOG_COLUMNS`), under which each record comes out with the schema's names, so nothing
downstream knows the export's, and its text encoding (`AISLE_CATALOG_ENCODING`: a spreadsheet saved on
Windows writes cp1252, where "€" is not UTF-8).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from engine.errors import InvalidInput
from engine.lexical.matching import DEFAULT_IDENTIFIERS
from indexer.columns import Header, Rename, renamed
from indexer.malformed import Malformed
from indexer.merchant_xml import read_merchant_xml
from indexer.parquet_reader import read_parquet

MAX_LINE_BYTES = 1 << 20
CSV_DELIMITERS = (",", ";", "\t", "|")
UNCLOSED = "a quote opened on this line is never closed"
PARQUET_BATCH_ROWS = 4_096


RawRecord = tuple[int, "dict[str, Any] | Malformed"]


@dataclass(frozen=True)
class FeedFormat:
    """How a shop's export writes its files: `columns` maps its names to the schema's, `encoding` is a
    Python codec name, `identifiers` the attributes naming one product each (`AISLE_IDENTIFIER_FIELDS`:
    a variant never takes its family's, `indexer.families`), `lists` those whose cells list values
    (`AISLE_LIST_ATTRIBUTES`), `pairs` the columns whose cells hold name=value pairs
    (`AISLE_PAIR_COLUMNS`), `store_view` the store view whose rows give the products' fields
    (`AISLE_STORE_VIEW`, `indexer.store_views`), `names` the files naming the ids it writes
    (`AISLE_CATALOG_NAMES`), `channel` the sales channel whose products it reads (`AISLE_SALES_CHANNEL`)."""

    columns: Rename = field(default_factory=dict)  # None: a column left out (`indexer.columns`)
    encoding: str = "utf-8"
    identifiers: tuple[str, ...] = DEFAULT_IDENTIFIERS
    lists: frozenset[str] = frozenset()  # lower-cased attributes whose cells list values
    pairs: frozenset[str] = frozenset()  # lower-cased columns whose cells hold name=value pairs
    store_view: str = ""  # "": the products' own rows
    names: tuple[Path, ...] = ()  # files naming the ids the export writes (`indexer.named_ids`)
    channel: str = ""  # the sales channel whose products are the shop's (`indexer.channels`)


DEFAULT_FEED = FeedFormat()


def raw_id(raw: object) -> str | None:
    """A raw record's product id as text, None where it gives none (or not as a string or integer)."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), (str, int)) and not isinstance(raw["id"], bool):
        return str(raw["id"]).strip() or None
    return None


def catalog_format(path: Path) -> str:
    """'jsonl', 'csv', 'xml' or 'parquet' from the file name; `InvalidInput` for anything else."""
    name = path.name.lower().removesuffix(".gz")
    suffixes = (
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".csv", "csv"),
        (".xml", "xml"),
        (".parquet", "parquet"),
    )
    for suffix, fmt in suffixes:
        if name.endswith(suffix):
            if fmt == "parquet" and path.name.lower().endswith(".gz"):
                break
            return fmt
    raise InvalidInput(f"{path}: unknown catalog format (expected .jsonl, .ndjson, .csv, .xml or .parquet)")


def read_records(
    path: Path,
    max_line_bytes: int = MAX_LINE_BYTES,
    columns: tuple[str, ...] = ("id", "title"),
    feed: FeedFormat = DEFAULT_FEED,
) -> Iterator[RawRecord]:
    """Yield `(line_number, record_or_Malformed)` for every record in the file, read in `feed`'s
    encoding with its fields renamed by `feed`'s columns; a CSV header must name `columns` once renamed
    (partial updates need only the id)."""
    fmt = catalog_format(path)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    if fmt == "parquet":
        yield from _renaming(read_parquet(path, PARQUET_BATCH_ROWS), feed)
        return
    decode = _Decoder(feed.encoding)
    with _open_binary(path) as handle:
        if fmt == "jsonl":
            yield from _renaming(_read_jsonl(handle, max_line_bytes, decode), feed)
        elif fmt == "xml":  # the file declares its own encoding
            yield from _renaming(read_merchant_xml(handle, path, max_line_bytes), feed)
        else:
            yield from _read_csv(_LineCounter(handle, max_line_bytes, decode), path, columns, feed)


def _renaming(records: Iterator[RawRecord], feed: FeedFormat) -> Iterator[RawRecord]:
    """`records` with their fields under the schema's names (`indexer.columns.renamed`); a record that
    gives one field under two names is Malformed."""
    for line, raw in records:
        if not (feed.columns or feed.lists or feed.pairs) or isinstance(raw, Malformed):
            yield line, raw
            continue
        out = renamed(raw, feed.columns, feed.lists, feed.pairs)
        yield line, Malformed(out) if isinstance(out, str) else out


def _open_binary(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


class _Decoder:
    """Bytes of one line -> text in the feed's encoding (a UTF-8 byte order mark on the first line is
    dropped); the error message names the setting, since a whole export in another encoding fails
    line by line."""

    def __init__(self, encoding: str) -> None:
        self.encoding = codecs.lookup(encoding).name
        utf8 = self.encoding == "utf-8"
        self.first = "utf-8-sig" if utf8 else self.encoding
        shown = "UTF-8" if utf8 else self.encoding
        hint = "; AISLE_CATALOG_ENCODING names another, e.g. cp1252 for a Windows export" if utf8 else ""
        self.problem = f"not valid {shown} (byte {{}}{hint})"

    def __call__(self, raw: bytes, number: int) -> str:
        return raw.decode(self.first if number == 1 else self.encoding)


def _read_jsonl(handle: IO[bytes], max_line_bytes: int, decode: _Decoder) -> Iterator[RawRecord]:
    for number, line in enumerate(handle, start=1):
        if len(line) > max_line_bytes:
            yield number, Malformed(f"line is longer than {max_line_bytes} bytes")
            continue
        try:
            text = decode(line, number)
        except UnicodeDecodeError as exc:
            yield number, Malformed(decode.problem.format(exc.start))
            continue
        if not text.strip():
            continue
        try:  # without the line break, so that a record cut short reports its own column, not the next line's
            value = json.loads(text.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            yield number, Malformed(f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(value, dict):
            yield number, Malformed(f"expected a JSON object, got {type(value).__name__}")
            continue
        yield number, value


class _LineCounter:
    """Feeds the csv module line by line while tracking the physical line number, and keeps the lines of
    the record being read (`taken`) so that they can be read again (`again`)."""

    def __init__(self, handle: IO[bytes], max_line_bytes: int, decode: _Decoder) -> None:
        self._handle = handle
        self._max = max_line_bytes
        self._decode = decode
        self.line = 0
        self.bad: dict[int, str] = {}
        self.taken: list[tuple[int, str]] = []
        self._again: list[tuple[int, str]] = []

    def __iter__(self) -> _LineCounter:
        return self

    def coming(self) -> int:
        """The number of the next line `__next__` gives."""
        return self._again[0][0] if self._again else self.line + 1

    def again(self, lines: list[tuple[int, str]]) -> None:
        """Read `lines` (numbered) again before the rest of the file."""
        self._again = lines + self._again

    def __next__(self) -> str:
        if self._again:
            self.line, text = self._again.pop(0)
        else:
            text = self._read()
        self.taken.append((self.line, text))
        return text

    def _read(self) -> str:
        raw = self._handle.readline()
        if not raw:
            raise StopIteration
        self.line += 1
        if len(raw) > self._max:
            self.bad[self.line] = f"line is longer than {self._max} bytes"
            return "\n"
        try:
            return self._decode(raw, self.line)
        except UnicodeDecodeError as exc:
            self.bad[self.line] = self._decode.problem.format(exc.start)
            return raw.decode(self._decode.encoding, errors="replace")


def _delimiter(header: str, columns: tuple[str, ...], rename: Rename) -> str:
    """The separator the header line uses: the first of `CSV_DELIMITERS` under which it names every one
    of `columns` (a spreadsheet saved as CSV in a locale with a decimal comma separates by semicolons),
    else a comma (whose header then fails the check, naming what it read)."""
    for delimiter in CSV_DELIMITERS:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        names = [rename.get(name.strip(), name.strip()) for name in cells]
        if all(name in names for name in columns):
            return delimiter
    return ","


def _read_csv(
    lines: _LineCounter, path: Path, columns: tuple[str, ...], feed: FeedFormat
) -> Iterator[RawRecord]:
    rename = feed.columns
    first = next(lines, "")
    rows = itertools.chain([first] if first else [], lines)
    delimiter = _delimiter(first, columns, rename)
    reader = csv.reader(rows, delimiter=delimiter, strict=True)
    header: Header | None = None
    while True:
        start, lines.taken, error = lines.coming(), [], ""
        try:
            row: list[str] | None = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # at the end of the file inside quotes: "unexpected end of data"
            row, error = None, UNCLOSED if "end of data" in str(exc) else f"invalid CSV: {exc}"
        if header is not None and len(lines.taken) > 1 and (row is None or len(row) != len(header)):
            # A quote opened on the record's first line and never closed took the lines after it into
            # one field: only that line is bad, the records after it are read again on their own.
            yield start, Malformed(_unclosed(row, len(header), lines.line))
            lines.again(lines.taken[1:])
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            continue
        if row is None:
            yield start, Malformed(error)
            continue
        if header is None:
            header = Header(row, rename, feed.lists, feed.pairs)
            if any(name not in header for name in columns):
                named = " and ".join(repr(name) for name in columns)
                mapped = " (after AISLE_CATALOG_COLUMNS)" if rename else ""
                raise InvalidInput(
                    f"{path}:1: the CSV header must name at least {named}{mapped} (separated by commas, "
                    f"semicolons, tabs or vertical bars; AISLE_CATALOG_COLUMNS maps the export's own "
                    f"names), got {row}"
                )
            if header.twice is not None:
                raise InvalidInput(f"{path}:1: {header.twice}")
            continue
        bad = [lines.bad.pop(n) for n in range(start, lines.line + 1) if n in lines.bad]
        if bad:
            yield start, Malformed(bad[0])
        elif not any(cell.strip() for cell in row):
            continue
        elif len(row) != len(header):
            yield start, Malformed(f"expected {len(header)} columns as in the header, got {len(row)}")
        else:
            record = header.record(row)
            yield start, Malformed(record) if isinstance(record, str) else record


def _unclosed(row: list[str] | None, columns: int, last: int) -> str:
    if row is None:
        return UNCLOSED
    return (
        f"a quoted field from this line runs to line {last} without giving the header's {columns} columns "
        f"(got {len(row)}; an unclosed quote?): the lines after this one are read on their own"
    )
