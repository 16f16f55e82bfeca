"""Prints a few searches against a running gateway; the last step of `scripts/demo.sh`.

It goes through the public HTTP API only, so what it prints is what a shop's front end would get.

    python scripts/demo_client.py --api http://127.0.0.1:8080 --wait 120
"""

from __future__ import annotations

import argparse
import sys
import time

import httpx

DEMO_QUERIES = (
    "warm waterproof jacket for hiking",
    "chef knife for the kitchen",
    "wireless noise cancelling headphones",
)


def wait_until_ready(client: httpx.Client, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            response = client.get("/readyz")
            if response.status_code == 200:
                return
            last = response.text
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(1.0)
    raise SystemExit(f"demo: the gateway did not become ready in {timeout_s:.0f} s: {last}")


def show_search(client: httpx.Client, query: str) -> None:
    response = client.post("/v1/search", json={"query": query, "size": 5, "facets": ["brand"], "debug": True})
    response.raise_for_status()
    body = response.json()
    print(f'\nsearch "{query}"  ({body["total"]} matches, ranker v{body.get("ranker_version")})')
    for rank, hit in enumerate(body["hits"], start=1):
        price = f"{hit.get('price') or 0:8.2f} {hit.get('currency') or ''}"
        print(f"  {rank}. {hit['title'][:60]:<60} {price}  score {hit['score']:.3f}")
    brands = body.get("facets", {}).get("brand", [])[:5]
    if brands:
        print("  brands: " + ", ".join(f"{b['value']} ({b['count']})" for b in brands))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run a few searches against a running gateway and print the results.",
        epilog="example:\n  python scripts/demo_client.py --api http://127.0.0.1:8080 --wait 60",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--api", default="http://127.0.0.1:8080", help="gateway base URL")
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for /readyz first")
    args = parser.parse_args(argv)
    with httpx.Client(base_url=args.api, timeout=30) as client:
        if args.wait:
            wait_until_ready(client, args.wait)
        for query in DEMO_QUERIES:
            show_search(client, query)
    return 0


if __name__ == "__main__":
    sys.exit(main())
