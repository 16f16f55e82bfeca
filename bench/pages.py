"""Page 1 and `total` of many queries through the real HTTP API, recorded so that two versions of the
code can be compared query by query (a change that must not alter results: same ids in the same order,
same totals).

Record: starts the gateway on the index of `--products` (as `bench.relevance` does) or uses `--api`,
sends `--limit` queries from `--offset` once per method and writes {"pages": {method: {query_id: {"ids",
"total"}}}}. Compare: `--compare A.json B.json` prints how many queries differ per method and exits 1
if any does. Walk: `--walk N` also pages through the whole answer of every query whose `total` is at
most N (pages of `--size`) and counts the queries whose pages do not hold `total` distinct products
(a product on two pages, another on none); it exits 1 if any.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.common import backend_env, bench_settings, build_index, gateway_process, read_queries, write_json
from engine.pipeline.types import METHODS

EPILOG = """examples:
  python -m bench.pages --products ../shared/datasets/homedepot/products.jsonl \\
      --queries ../shared/datasets/homedepot/queries.dev.tsv --offset 2000 --limit 1000 \\
      --methods full,dense --out bench/results/pages-homedepot-after.json
  python -m bench.pages --compare bench/results/pages-homedepot-before.json \\
      bench/results/pages-homedepot-after.json
  python -m bench.pages --products ... --queries ... --offset 5000 --limit 60 --size 25 --walk 1200 \\
      --out bench/results/pages-walk.json        every page of every answer up to 1,200 products
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pages",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"), help="compare two records")
    parser.add_argument("--products", type=Path, help="products JSONL (the index to serve)")
    parser.add_argument("--queries", type=Path, help="query TSV (query_id, query)")
    parser.add_argument("--offset", type=int, default=0, help="skip the first N queries")
    parser.add_argument("--limit", type=int, default=1000, help="queries to send (default 1000)")
    parser.add_argument("--size", type=int, default=10, help="page size (default 10)")
    parser.add_argument("--methods", default="full", help=f"comma list of {', '.join(METHODS)}")
    parser.add_argument("--data-root", type=Path, default=Path("var/bench"), help="index root")
    parser.add_argument("--api", help="an already running gateway serving that index")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight (default 4)")
    parser.add_argument("--walk", type=int, default=0, help="page through answers up to this total (0: no)")
    parser.add_argument("--out", type=Path, help="write the record here")
    args = parser.parse_args(argv)
    if args.compare:
        return args
    if args.walk < 0:
        parser.error("--walk must be >= 0 (0: no walk)")
    if args.products is None or args.queries is None:
        parser.error("--products and --queries are required to record")
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = sorted(set(args.methods) - set(METHODS))
    if unknown:
        parser.error(f"unknown method(s) {', '.join(unknown)}; expected {', '.join(METHODS)}")
    for path in (args.products, args.queries):
        if not path.is_file():
            parser.error(f"no such file: {path}")
    return args


def search_page(client: httpx.Client, query: str, method: str, size: int, page: int = 1) -> dict[str, Any]:
    """{"ids", "total"} of one page of `query` through the API; a non-200 answer stops the run."""
    body = {"query": query, "size": size, "page": page, "pipeline": method}
    response = client.post("/v1/search", json=body)
    if response.status_code != 200:
        raise RuntimeError(f"{method} {query!r}: HTTP {response.status_code}: {response.text[:300]}")
    answer = response.json()
    return {"ids": [hit["id"] for hit in answer["hits"]], "total": answer["total"]}


def record(url: str, methods: list[str], queries: list[tuple[str, str]], size: int, concurrency: int) -> Any:
    pages: dict[str, dict[str, dict[str, Any]]] = {}
    with httpx.Client(base_url=url, timeout=180.0) as client:
        for method in methods:

            def one(item: tuple[str, str], method: str = method) -> tuple[str, dict[str, Any]]:
                qid, query = item
                return qid, search_page(client, query, method, size)

            with ThreadPoolExecutor(concurrency) as pool:
                pages[method] = dict(pool.map(one, queries))
    return pages


def walk(
    url: str, methods: list[str], pages: Any, queries: list[tuple[str, str]], size: int, most: int
) -> Any:
    """Every page of each answer whose total is at most `most`: per method, how many were walked and the
    queries whose pages did not hold `total` distinct products."""
    text = dict(queries)
    walks: dict[str, dict[str, Any]] = {}
    with httpx.Client(base_url=url, timeout=180.0) as client:
        for method in methods:
            walked, broken = 0, []
            for qid, first in pages[method].items():
                total = first["total"]
                if not 0 < total <= most:
                    continue
                seen: list[str] = []
                for page in range(1, -(-total // size) + 1):
                    seen += search_page(client, text[qid], method, size, page)["ids"]
                walked += 1
                if len(seen) != total or len(set(seen)) != total:
                    broken.append(
                        {"query": text[qid], "total": total, "shown": len(seen), "distinct": len(set(seen))}
                    )
            walks[method] = {"walked": walked, "broken": broken}
            print(
                f"{method}: {walked} answers paged through, {len(broken)} with a product repeated or missing"
            )
    return walks


def compare(a: Path, b: Path) -> int:
    left, right = (json.loads(path.read_text())["pages"] for path in (a, b))
    differing = 0
    for method in sorted(set(left) & set(right)):
        common = sorted(set(left[method]) & set(right[method]))
        ids = sum(left[method][q]["ids"] != right[method][q]["ids"] for q in common)
        totals = sum(left[method][q]["total"] != right[method][q]["total"] for q in common)
        print(f"{method}: {len(common)} queries compared, page 1 differs in {ids}, total in {totals}")
        differing += ids + totals
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    queries = read_queries(args.queries)[args.offset : args.offset + args.limit]
    if args.api:
        url = args.api.rstrip("/")
        pages = record(url, args.methods, queries, args.size, args.concurrency)
        walks = walk(url, args.methods, pages, queries, args.size, args.walk) if args.walk else {}
    else:
        from engine.inference.factory import create_inference

        settings, env = bench_settings(args.products, args.data_root, backend_env(None, None, None))
        inference = create_inference(settings)
        try:
            build_index(settings, args.products, inference)
            with gateway_process(env) as url:
                pages = record(url, args.methods, queries, args.size, args.concurrency)
                walks = walk(url, args.methods, pages, queries, args.size, args.walk) if args.walk else {}
        finally:
            inference.close()
    if args.out:
        write_json(
            args.out, {"queries": str(args.queries), "offset": args.offset, "pages": pages, "walks": walks}
        )
    print(f"recorded {len(queries)} queries x {len(args.methods)} methods")
    return 1 if any(w["broken"] for w in walks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
