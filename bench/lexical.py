"""Embedded lexical index: build, open and write times, and the share of queries with no lexical hit.

Uses only what every version of `engine.lexical.embedded.EmbeddedLexical` offers (construct on a
directory, rebuild, upsert, delete, search, count), so the same script measures the index on this
branch and an older one put first on PYTHONPATH. Timed steps:

- build: `rebuild` of the whole products file;
- open: constructing the index on the built directory and answering a first search;
- upsert 1 / upsert 1000: time until a search for a word only the changed products now contain
  returns them (time to visible);
- delete 1: time until the deleted product stops being found.

Zero-hit share: the queries for which `search(query, 1)` returns nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import print_table, read_queries, write_json
from engine.lexical.embedded import EmbeddedLexical
from engine.records import Product

# Words no catalog holds, far apart (more than two edits), so typo tolerance cannot confuse them.
ONE, BATCH = "zqxsolitaire", "vvkbatchword"


def load_products(path: Path, limit: int | None) -> list[Product]:
    """The products file as `indexer build` reads it: bad records (crowdflower has a description with a
    control character) are skipped the same way, so the benchmark indexes what the indexer would."""
    from indexer.loading import load_catalog

    products = load_catalog(path).products
    return products[:limit] if limit else products


def visible_after(index: Any, changed: list[Product], word: str) -> float:
    start = time.perf_counter()
    index.upsert(changed)
    while {h.product_id for h in index.search(word, len(changed) + 10)} != {p.id for p in changed}:
        time.sleep(0.001)
    return time.perf_counter() - start


def measure(products: list[Product], queries: list[str], directory: Path, out: Path | None) -> dict[str, Any]:
    """Each figure is written to `out` as soon as it is measured, so a slow run still leaves results."""
    result: dict[str, Any] = {"products": len(products)}

    def record(name: str, value: float | int | None) -> None:
        result[name] = round(value, 3) if isinstance(value, float) else value
        print(f"{name}: {result[name]}", file=sys.stderr, flush=True)
        if out is not None:
            write_json(out, result)

    start = time.perf_counter()
    EmbeddedLexical(directory).rebuild(products)
    record("build_s", time.perf_counter() - start)
    start = time.perf_counter()
    index = EmbeddedLexical(directory)
    index.search(queries[0] if queries else "a", 10)
    record("open_s", time.perf_counter() - start)
    first = products[0]
    one = visible_after(index, [replace(first, title=f"{first.title} {ONE}")], ONE)
    record("upsert_1_visible_s", one)
    batch = [replace(p, title=f"{p.title} {BATCH}") for p in products[1:1001]]
    record("upsert_1000_visible_s", visible_after(index, batch, BATCH))
    start = time.perf_counter()
    index.delete([first.id])
    while first.id in {h.product_id for h in index.search(ONE, 5)}:
        time.sleep(0.001)
    record("delete_1_visible_s", time.perf_counter() - start)
    if queries:
        start = time.perf_counter()
        empty = sum(1 for q in queries if not index.search(q, 1))
        record("search_ms_mean", 1000 * (time.perf_counter() - start) / len(queries))
        record("queries", len(queries))
        record("zero_lexical_hit_queries", empty)
        record("zero_lexical_hit_share", round(empty / len(queries), 4))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.lexical",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--products", type=Path, required=True, help="products JSONL")
    parser.add_argument("--queries", type=Path, help="queries TSV (query_id, query) for the zero-hit share")
    parser.add_argument("--limit", type=int, help="only the first N products")
    parser.add_argument("--label", default="current", help="name of the measured version in the output")
    parser.add_argument("--out", type=Path, help="write the results JSON here")
    args = parser.parse_args(argv)
    if not args.products.is_file():
        parser.error(f"no such file: {args.products}")
    if args.queries and not args.queries.is_file():
        parser.error(f"no such file: {args.queries}")
    products = load_products(args.products, args.limit)
    if len(products) < 1001:
        parser.error("the write timings need at least 1,001 products")
    queries = [q for _, q in read_queries(args.queries)] if args.queries else []
    with tempfile.TemporaryDirectory(prefix="aisle-bench-lexical-") as tmp:
        result = {"label": args.label, **measure(products, queries, Path(tmp), args.out)}
    print_table(tuple(result), [tuple(result.values())])
    if args.out:
        write_json(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
