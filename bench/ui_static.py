"""Does the search page cost the API anything? Static-file latency, and search latency with and without
page loads running alongside.

The page is plain files (no server-side rendering): a first visit fetches the HTML, one stylesheet and a
few small modules; later visits revalidate them with `If-None-Match` and get 304s. This measures, on a
running gateway:

1. each page file: bytes, p50/p95 of a full GET and of a 304 revalidation;
2. `POST /v1/search` p50/p95 alone, then again while other clients load the page in a loop.

Run it against the demo gateway (`scripts/demo.sh`), e.g.

    python -m bench.ui_static --api http://127.0.0.1:8080 --out var/bench/ui_static.json
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import print_table, write_json

PAGE_FILES = (
    "/",
    "/static/style.css",
    "/static/js/search.js",
    "/static/js/api.js",
    "/static/js/render.js",
    "/static/js/suggest.js",
    "/static/js/tracker.js",
)
QUERIES = ("jacket", "running shoes", "chef knife", "headphones", "yoga mat", "moisturizer", "tent", "puzzle")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


def timed(call: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000.0, result


def static_files(client: httpx.Client, repeat: int) -> list[dict[str, Any]]:
    rows = []
    for path in PAGE_FILES:
        full, revalidate, size = [], [], 0
        for _ in range(repeat):
            ms, response = timed(lambda p=path: client.get(p))
            response.raise_for_status()
            full.append(ms)
            size = len(response.content)
            etag = response.headers.get("etag")
            if etag:
                ms, again = timed(lambda p=path, e=etag: client.get(p, headers={"If-None-Match": e}))
                if again.status_code == 304:
                    revalidate.append(ms)
        rows.append(
            {
                "path": path,
                "bytes": size,
                "p50_ms": percentile(full, 0.5),
                "p95_ms": percentile(full, 0.95),
                "p50_304_ms": percentile(revalidate, 0.5) if revalidate else None,
            }
        )
    return rows


def search_latency(url: str, requests: int, page_loaders: int) -> dict[str, Any]:
    stop = threading.Event()
    loads = [0]

    def load_pages() -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            while not stop.is_set():
                for path in PAGE_FILES:
                    client.get(path)
                loads[0] += 1

    threads = [threading.Thread(target=load_pages, daemon=True) for _ in range(page_loaders)]
    for thread in threads:
        thread.start()
    times = []
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            for i in range(requests):
                body = {"query": QUERIES[i % len(QUERIES)], "size": 12, "facets": ["brand", "category"]}
                ms, response = timed(lambda b=body: client.post("/v1/search", json=b))
                response.raise_for_status()
                times.append(ms)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    return {
        "page_loaders": page_loaders,
        "requests": requests,
        "page_loads": loads[0],
        "p50_ms": percentile(times, 0.5),
        "p95_ms": percentile(times, 0.95),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ui_static",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--api", default="http://127.0.0.1:8080", help="a running gateway")
    parser.add_argument("--repeat", type=int, default=50, help="GETs per page file (default 50)")
    parser.add_argument("--requests", type=int, default=200, help="searches per run (default 200)")
    parser.add_argument("--loaders", type=int, default=4, help="clients loading the page meanwhile")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    url = args.api.rstrip("/")

    with httpx.Client(base_url=url, timeout=30) as client:
        client.post("/v1/search", json={"query": "warm up"}).raise_for_status()
        files = static_files(client, args.repeat)
    print_table(
        ["file", "bytes", "p50 ms", "p95 ms", "p50 304 ms"],
        [(r["path"], r["bytes"], r["p50_ms"], r["p95_ms"], r["p50_304_ms"] or "-") for r in files],
    )
    print()
    runs = [search_latency(url, args.requests, 0), search_latency(url, args.requests, args.loaders)]
    print_table(
        ["page loaders", "searches", "page loads", "search p50 ms", "search p95 ms"],
        [(r["page_loaders"], r["requests"], r["page_loads"], r["p50_ms"], r["p95_ms"]) for r in runs],
    )
    total = sum(r["bytes"] for r in files)
    print(f"\nfirst visit: {len(files)} files, {total} bytes; repeat visits revalidate with 304s")
    if args.out:
        write_json(args.out, {"files": files, "search": runs, "page_bytes": total})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
