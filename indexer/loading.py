"""Read and validate a whole catalog file: good products in file order, plus every problem found.

This is the step that decides what is "bad input": lines that do not parse, records that fail the
schema, and a second record with an id already seen in the same file (the first one is kept, because a
file where the same id means two things is ambiguous and the shop should hear about it). A variant
row that leaves its family's fields empty is completed from its family first (`indexer.families`), and
its variant options become attributes named by the option (`indexer.options`). A
record the shop does not show (`published` false) is neither a product nor a problem: its id is listed
in `unpublished`, for a build to leave it out and an update to take it out. Rows of a store view are
merged into their product's row first (`indexer.store_views`), SKU rows written under their product's
row become its family's members (`indexer.sku_rows`), and variants a product lists after them are put
after it (`indexer.listed_variants`); a family's row without an id is named by its family and options
(`indexer.variant_ids`); before all that, cells of ids are read as the names the shop's
names files give them (`indexer.named_ids`), and products outside the shop's sales channel are not
shown (`indexer.channels`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import InvalidInput
from engine.product_schema import DEFAULT_LIMITS, Limits, RecordError, Unpublished, validate_record
from engine.records import VARIANT_ATTRIBUTE, Product
from indexer.channels import in_channel
from indexer.families import Families, family_of
from indexer.listed_variants import ListedVariants
from indexer.named_ids import IdNames
from indexer.options import VariantOptions
from indexer.problems import Problem
from indexer.readers import (
    DEFAULT_FEED,
    FeedFormat,
    Malformed,
    RawRecord,
    catalog_format,
    raw_id,
    read_records,
)
from indexer.sku_rows import SkuRows
from indexer.store_views import StoreViews
from indexer.variant_ids import with_family_id

DUPLICATE_ID = "duplicate id"  # how a record repeating an id read before is reported


@dataclass(frozen=True)
class Entry:
    """A validated product and the line it came from (for reporting problems found later)."""

    line: int
    product: Product


@dataclass
class LoadedCatalog:
    source: str
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)  # ids of products the shop does not show
    other_views: Counter[str] = field(default_factory=Counter)  # rows of store views not read, by view
    unnamed: Counter[str] = field(default_factory=Counter)  # ids no names file names, by field
    family_ids: list[str] = field(default_factory=list)  # ids made for rows without (`indexer.variant_ids`)

    @property
    def products(self) -> list[Product]:
        return [e.product for e in self.entries]


def load_catalog(
    path: Path, limits: Limits = DEFAULT_LIMITS, feed: FeedFormat = DEFAULT_FEED, *, whole: bool = True
) -> LoadedCatalog:
    """Validate every record of `path`, read as `feed` says (`AISLE_CATALOG_COLUMNS`,
    `AISLE_CATALOG_ENCODING`); raises `InvalidInput` only when the file itself is unusable. `whole`:
    the file is the whole catalog (a build), not the products an update changes."""
    source = str(path)
    loaded = LoadedCatalog(source)
    first_line: dict[str, int] = {}
    families = Families()
    options = VariantOptions()
    own = {name.lower() for name in feed.identifiers}  # attributes a variant keeps as they are
    views = StoreViews(feed.store_view)
    names = IdNames.read(feed.names, feed.encoding)
    for line, raw in catalog_records(path, limits, feed, views, names, whole):
        if isinstance(raw, Malformed):
            loaded.problems.append(Problem(source, line, raw.message))
            continue
        if families.extra_picture(raw):
            continue
        family = family_of(raw)
        raw = options.read(raw, family)
        named = with_family_id(raw, family)
        if families.hidden(raw):  # a row of a draft: hidden with its family
            row_id = raw_id(raw)
            if row_id is None and named is not None and VARIANT_ATTRIBUTE in raw:
                row_id = named["id"]  # a variant without a SKU, under the id it is shown by when shown
            if row_id is not None:  # an image-only row has none
                loaded.unpublished.append(row_id)
                first_line.setdefault(row_id, line)
            continue
        if named is not None:
            raw = named
            loaded.family_ids.append(named["id"])
        try:
            product = validate_record(families.complete(raw, own | options.names(family)), limits)
        except RecordError as exc:
            loaded.problems.append(Problem(source, line, exc.message, raw_id(raw)))
            continue
        except Unpublished as hidden:
            families.hide(raw)
            loaded.unpublished.append(hidden.product_id)
            first_line.setdefault(hidden.product_id, line)  # a later row with its id is no product either
            continue
        seen = first_line.get(product.id)
        if seen is not None:
            message = f"{DUPLICATE_ID} {product.id!r} (first seen on line {seen})"
            loaded.problems.append(Problem(source, line, message, product.id))
            continue
        first_line[product.id] = line
        families.add(product)
        loaded.entries.append(Entry(line, product))
    loaded.entries = [Entry(e.line, families.finished(e.product)) for e in loaded.entries]
    loaded.other_views = views.left_out
    loaded.unnamed = names.unnamed
    loaded.problems.sort(key=lambda problem: problem.line)  # a product's row waits for its views' rows
    return loaded


def catalog_records(
    path: Path, limits: Limits, feed: FeedFormat, views: StoreViews, names: IdNames, whole: bool = True
) -> Iterator[RawRecord]:
    """`path`'s records as `feed` reads them, as the shop means them (`shop_records`), each product's
    row with its store view's fields (`views`), the variants a product lists after it
    (`indexer.listed_variants`; `whole`: a build's catalog)."""
    records = shop_records(read_records(path, max_line_bytes=limits.record_bytes, feed=feed), feed, names)
    under_products = SkuRows(limits.currency).ordered(records)
    return ListedVariants(feed.columns, whole).ordered(views.merged(under_products))


def shop_records(records: Iterator[RawRecord], feed: FeedFormat, names: IdNames) -> Iterator[RawRecord]:
    """`records` with their cells of ids read as names (`names`, `indexer.named_ids`), then those
    outside the shop's sales channel unpublished (`indexer.channels`): what a build and a partial
    update both read before the export's own row kinds."""
    return in_channel(names.named(records), feed.channel)


def load_products_json(
    value: object, source: str = "--json", limits: Limits = DEFAULT_LIMITS
) -> LoadedCatalog:
    """Validate one product object or a list of them given inline (the CLI's `--json`)."""
    records = value if isinstance(value, list) else [value]
    loaded = LoadedCatalog(source)
    seen: set[str] = set()
    for number, raw in enumerate(records, start=1):
        try:
            product = validate_record(raw, limits)
        except RecordError as exc:
            loaded.problems.append(Problem(source, number, exc.message, raw_id(raw)))
            continue
        except Unpublished as hidden:
            loaded.unpublished.append(hidden.product_id)
            continue
        if product.id in seen:
            loaded.problems.append(Problem(source, number, f"{DUPLICATE_ID} {product.id!r}", product.id))
            continue
        seen.add(product.id)
        loaded.entries.append(Entry(number, product))
    return loaded


def read_ids(path: Path) -> list[str]:
    """Product ids to delete: a catalog file (its `id` fields) or plain text, one id per line."""
    try:
        catalog_format(path)
    except InvalidInput:
        return _plain_ids(path)
    ids = []
    for line, raw in read_records(path):
        if isinstance(raw, Malformed) or raw_id(raw) is None:
            raise InvalidInput(f"{path}:{line}: no product id on this line")
        ids.append(str(raw_id(raw)))
    return ids


def _plain_ids(path: Path) -> list[str]:
    try:
        lines: Iterable[str] = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read ids ({exc})") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
