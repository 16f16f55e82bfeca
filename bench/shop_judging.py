"""What the made-up shops `bench/` writes share (`bench.hardware_shop`, `bench.pet_shop`, ...): judging
their queries by what each asks for, writing queries and judgements, the export's rows, a spreadsheet
export written and read back as `indexer build` reads it (`write_csv_shop`), the command line.

Each query maps to two patterns over a product's text (lowercased, without accents): the first finds
the asked product (grade 3: the size, the model, the colour asked), the second the right kind of product
in another size or variant (grade 2), None where there is no such kind. The other products of an asked
product's department get grade 1 (judged, not wanted: the grade the metrics and the simulated shoppers
count as no gain); every other product is unjudged.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from engine.lexical.isbn import ean_check_digit
from engine.schema_checks import Limits
from indexer.loading import load_catalog
from indexer.readers import FeedFormat

Record = dict[str, Any]
Judged = Mapping[str, tuple[str, str | None]]  # query -> (asked pattern, kind pattern)


def fold(text: str) -> str:
    """Lowercased, accents removed: what the patterns are written against."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def ean13(first12: str) -> str:
    """`first12` (twelve digits) with the EAN-13 check digit a label prints after them."""
    return first12 + ean_check_digit(first12)


def written_pairs(text: str) -> list[tuple[str, str]]:
    """A made-up catalog's further details as it writes them, "Gramaj=500 gr/m²; Yaş=4-6 yaş", as
    (name, value) pairs in order."""
    return [(name, value) for name, _, value in (part.partition("=") for part in text.split("; ") if part)]


def department(product: Record) -> str:
    """The top level of the product's category ("Perros > Juguetes" -> "Perros")."""
    category = product.get("category", "")
    if isinstance(category, list):
        return str(category[0]) if category else ""
    return str(category).split(" > ")[0]


def folded(written: Mapping[str, tuple[str, str | None]]) -> Judged:
    """Queries' patterns as a catalog writes them (with accents) in the form `judge` matches them
    against (`fold`)."""
    return {query: (fold(asked), fold(kind) if kind else None) for query, (asked, kind) in written.items()}


def fields_text(product: Record, skipped: Collection[str], labels: str | None = None) -> str:
    """What a query's patterns are matched against in a shop whose attributes say what a product is:
    "title | brand | categories | name=value, ..." (every attribute but `skipped`, a list value once
    per value), then the values of the `labels` attribute when the shop has one."""
    attributes = product.get("attributes", {})
    paths = [product.get("category") or [], *(product.get("more_categories") or [])]
    categories = ", ".join(" > ".join(p) if isinstance(p, list) else str(p) for p in paths if p)
    fields = ", ".join(
        f"{name}={v}"
        for name, value in attributes.items()
        if name not in skipped
        for v in (value if isinstance(value, list) else [value])
    )
    parts = [product["title"], str(product.get("brand", "")), categories, fields]
    return " | ".join(parts + ([", ".join(attributes.get(labels, []))] if labels else []))


def judge(
    products: list[Record], queries: Judged, prefix: str, text: Callable[[Record], str]
) -> list[tuple[str, str, int]]:
    """(query id, product id, grade) for every judged pair; query ids are `prefix` and the query's
    number in `queries` from 1, as the shop's queries.tsv writes them."""
    judged = []
    for number, (asked, kind) in enumerate(queries.values(), 1):
        grades = {}
        for product in products:
            written = fold(text(product))
            if re.search(asked, written):
                grades[product["id"]] = 3
            elif kind and re.search(kind, written):
                grades[product["id"]] = 2
        departments = {department(p) for p in products if grades.get(p["id"]) == 3}
        for product in products:
            grade = grades.get(product["id"]) or (1 if department(product) in departments else 0)
            if grade:
                judged.append((f"{prefix}{number}", product["id"], grade))
    return judged


def write_catalog(
    out: Path, products: list[Record], queries: Judged, prefix: str, text: Callable[[Record], str]
) -> int:
    """products.jsonl (the catalog as `indexer build` reads the shop's export), then `queries` judged
    against it (`judge`, `write_judged`); how many judgements."""
    with (out / "products.jsonl").open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in products)
    judged = judge(products, queries, prefix, text)
    write_judged(out, queries, prefix, judged)
    return len(judged)


def write_feed_shop(
    out: Path,
    feed: tuple[str, str],
    currency: str,
    settings: tuple[Mapping[str, float], list[list[str]]],
    queries: Judged,
    prefix: str,
    truth: Mapping[str, str],
) -> tuple[int, int, int]:
    """Write a feed shop's files under `out`: the feed (`feed`: its file name and text), its search
    fields and synonym sets (`settings`: search-fields.json, synonyms.json), the catalog as `indexer
    build` reads the feed in `currency` and `queries` judged by what the shop says each product is
    (`truth`, by id). (products read, problems reported, judgements)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / feed[0]
    path.write_text(feed[1], encoding="utf-8")
    fields, synonyms = settings
    (out / "search-fields.json").write_text(json.dumps(fields, ensure_ascii=False), encoding="utf-8")
    sets = json.dumps({"synonyms": synonyms}, ensure_ascii=False)
    (out / "synonyms.json").write_text(sets, encoding="utf-8")
    loaded = load_catalog(path, Limits.for_shop(currency))
    products = [p.to_dict() for p in loaded.products]
    judged = write_catalog(out, products, queries, prefix, lambda p: truth.get(str(p["id"]), ""))
    return len(products), len(loaded.problems), judged


def write_judged(out: Path, queries: Judged, prefix: str, judged: list[tuple[str, str, int]]) -> None:
    """queries.tsv and qrels.tsv under `out`, as `bench.relevance` and `bench.sim_seeds` read them."""
    with (out / "queries.tsv").open("w", encoding="utf-8") as f:
        f.write("query_id\tquery\n" + "".join(f"{prefix}{i}\t{q}\n" for i, q in enumerate(queries, 1)))
    with (out / "qrels.tsv").open("w", encoding="utf-8") as f:
        f.write("query_id\tproduct_id\tgrade\n" + "".join(f"{q}\t{p}\t{g}\n" for q, p, g in judged))


def shop_main(
    module: str,
    doc: str,
    write: Callable[[Path, int], dict[str, int]],
    seed: int,
    argv: list[str] | None,
    example: str,
) -> int:
    """The command line of a made-up shop's writer (`module`, whose docstring is `doc`): `--out` (its
    files; `example`, the folder its help shows) and `--seed`; prints the counts `write` returns."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {module}",
        description=doc.split("\n\n")[0],
        epilog=f"example: python -m {module} --out {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, required=True, help="directory for the shop's files")
    parser.add_argument("--seed", type=int, default=seed, help="stock counts, sales, brands, EAN codes")
    args = parser.parse_args(argv)
    counts = write(args.out, args.seed)
    print(", ".join(f"{what} {n}" for what, n in counts.items()) + f" -> {args.out}")
    return 0


class ExportRows:
    """A made-up shop's export as it is written, row by row, with the randomness its stock counts,
    sales and barcodes draw from (`seed`)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.rows: list[dict[str, str]] = []

    def ean(self) -> str:
        """A random EAN-13 with its check digit right (an identifier a shopper could type)."""
        return ean13("".join(str(self.rng.randint(0, 9)) for _ in range(12)))

    def csv(self, columns: list[str], delimiter: str = ",") -> str:
        """The rows as a spreadsheet saves them: a header of `columns`, lines ended by CRLF."""
        out = io.StringIO()
        writer = csv.DictWriter(out, columns, delimiter=delimiter, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()


def write_csv_shop(
    out: Path,
    export: ExportRows,
    name: str,
    feed: FeedFormat,
    currency: str,
    queries: Judged,
    prefix: str,
    delimiter: str = ",",
    *,
    header: Sequence[str] | None = None,
    text: Callable[[Record], str] = lambda product: str(product["title"]),
    limits: Limits | None = None,
) -> dict[str, int]:
    """Write `export` as the file `name` under `out` (its columns `header`, else those `feed` maps; its
    encoding `feed`'s), the catalog as `indexer build` reads it with `feed` in `currency`, and
    `queries` judged against each product's `text` (its title); the counts a shop's writer prints.
    `limits` are the shop's (how its export writes categories), else the defaults in `currency`."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    columns = list(header) if header is not None else list(feed.columns)
    path.write_bytes(export.csv(columns, delimiter).encode(feed.encoding))
    loaded = load_catalog(path, limits or Limits.for_shop(currency), feed)
    products = [p.to_dict() for p in loaded.products]
    judged = write_catalog(out, products, queries, prefix, text)
    return {
        "rows": len(export.rows),
        "products": len(products),
        "bad rows": len(loaded.problems),
        "queries": len(queries),
        "judgements": judged,
    }
