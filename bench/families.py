"""Product families shown once (`distinct`) against every product listed, side by side in one run.

A catalog whose products name their family (`group`: a shop's sizes and colours) is served, and each
query is searched twice through the real HTTP API, with `distinct` on and off (in alternating order,
so neither side always runs warm). Reported per side: mean `total`, the share of page-1 slots taken
by a family already shown higher on the page (what a shopper sees as the same product again), and the
gateway's own time per search (`timings_ms.total` of `debug`) and the client's wall time, as mean,
p50 and p99 (and of the `facets` stage, with `--facets`). `--walk N` pages through every distinct
answer of at most N families and counts those whose pages repeat a family or do not show `total` of
them; `--clicks N` clicks every facet value of the first N answers and counts those whose count is
not the `total` the click leaves (`bench.facet_clicks`).

`--make-variants SOURCE` writes the catalog first, from any products JSONL: each product becomes a
family of 1 to 6 variants (seeded: colours and sizes, the family's title as Shopify exports write
it, a price each), for a benchmark on a catalog of a realistic shape where no shop's own is at hand.

Examples:
  python -m bench.families --make-variants ../shared/datasets/crowdflower/products.jsonl \\
      --products var/families/crowdflower-variants.jsonl \\
      --queries ../shared/datasets/crowdflower/queries.dev.tsv --walk 300 \\
      --facets brand,category,price,attr.size,attr.colour --clicks 40 \\
      --out bench/results/families-crowdflower.json
  python -m bench.families --products shop.jsonl --queries shop-queries.tsv --api http://127.0.0.1:8080
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench.common import (
    add_served_index_args,
    backend_env,
    bench_settings,
    build_index,
    doc_parser,
    gateway_process,
    print_table,
    read_queries,
    write_json,
)
from bench.facet_clicks import check

COLOURS = ("black", "navy", "grey", "red", "green", "white")
SIZES = ("S", "M", "L", "XL")


def make_variants(source: Path, target: Path, seed: int = 7) -> int:
    """Write `source`'s products as families of 1-6 variants into `target`; returns the products
    written. Variant ids are `<id>-v<n>`, each names its family by the source id."""
    rng = random.Random(seed)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with source.open(encoding="utf-8") as read, target.open("w", encoding="utf-8") as out:
        for line in read:
            if not line.strip():
                continue
            product = json.loads(line)
            base = product.get("price") or round(rng.uniform(5, 200), 2)
            count = rng.choice((1, 1, 2, 3, 4, 6))
            for n in range(count):
                colour, size = COLOURS[n % len(COLOURS)], SIZES[(n // 2) % len(SIZES)]
                attributes = {**product.get("attributes", {}), "group": product["id"], "colour": colour}
                attributes["size"] = size
                variant = {
                    **product,
                    "id": f"{product['id']}-v{n}",
                    "price": round(float(base) * (1 + 0.05 * n), 2),
                    "attributes": attributes,
                }
                out.write(json.dumps(variant, ensure_ascii=False) + "\n")
                written += 1
    return written


def families_of(products: Path) -> dict[str, str]:
    """Product id -> its family (the product itself when it names none)."""
    found = {}
    with products.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                group = (record.get("attributes") or {}).get("group") or record.get("group")
                found[str(record["id"])] = str(group) if group else str(record["id"])
    return found


def search(
    client: httpx.Client, query: str, distinct: bool, size: int, page: int = 1, **extra: Any
) -> dict[str, Any]:
    body = {"query": query, "size": size, "page": page, "distinct": distinct, "debug": True, **extra}
    start = time.perf_counter()
    response = client.post("/v1/search", json=body)
    wall = (time.perf_counter() - start) * 1000.0
    if response.status_code != 200:
        raise RuntimeError(f"{query!r}: HTTP {response.status_code}: {response.text[:300]}")
    answer = response.json()
    answer["wall_ms"] = wall
    return answer


def repeats(ids: list[str], family: dict[str, str]) -> int:
    """Slots of a page whose family a slot above already showed."""
    seen: set[str] = set()
    count = 0
    for pid in ids:
        key = family.get(pid, pid)
        count += key in seen
        seen.add(key)
    return count


def measure(
    url: str,
    queries: list[tuple[str, str]],
    family: dict[str, str],
    size: int,
    warmup: int,
    facets: list[str],
) -> dict[str, Any]:
    sides: dict[str, dict[str, list[float]]] = {
        side: {"total": [], "repeats": [], "slots": [], "server_ms": [], "wall_ms": [], "facets_ms": []}
        for side in ("on", "off")
    }
    stages: dict[bool, dict[str, list[float]]] = {True: {}, False: {}}
    with httpx.Client(base_url=url, timeout=180.0) as client:
        for _, query in queries[:warmup]:
            search(client, query, True, size, facets=facets)
            search(client, query, False, size, facets=facets)
        for i, (_, query) in enumerate(queries):
            order = (True, False) if i % 2 == 0 else (False, True)
            for distinct in order:
                answer = search(client, query, distinct, size, facets=facets)
                side = sides["on" if distinct else "off"]
                ids = [hit["id"] for hit in answer["hits"]]
                side["total"].append(answer["total"])
                side["repeats"].append(repeats(ids, family))
                side["slots"].append(len(ids))
                side["server_ms"].append(answer["timings_ms"]["total"])
                side["wall_ms"].append(answer["wall_ms"])
                side["facets_ms"].append(answer["timings_ms"].get("facets", 0.0))
                for stage, ms in answer["timings_ms"].items():
                    stages[distinct].setdefault(stage, []).append(ms)
    found: dict[str, dict[str, Any]] = {side: summary(values) for side, values in sides.items()}
    for distinct, name in ((True, "on"), (False, "off")):  # each stage's mean over the searches
        found[name]["stages_ms"] = {k: sum(v) / len(queries) for k, v in sorted(stages[distinct].items())}
    return found


def summary(values: dict[str, list[float]]) -> dict[str, float]:
    slots = sum(values["slots"])
    out = {
        "queries": len(values["total"]),
        "mean_total": float(np.mean(values["total"])),
        "repeat_share": sum(values["repeats"]) / slots if slots else 0.0,
        "queries_with_repeats": sum(1 for r in values["repeats"] if r),
    }
    for name in ("server_ms", "wall_ms", "facets_ms"):
        data = np.asarray(values[name])
        out[f"{name}_mean"] = float(data.mean())
        out[f"{name}_p50"] = float(np.percentile(data, 50))
        out[f"{name}_p99"] = float(np.percentile(data, 99))
    return out


def walk(
    url: str, queries: list[tuple[str, str]], family: dict[str, str], size: int, most: int
) -> dict[str, Any]:
    """Every page of each distinct answer of at most `most` families."""
    walked, broken = 0, []
    with httpx.Client(base_url=url, timeout=180.0) as client:
        for _, query in queries:
            total = search(client, query, True, size)["total"]
            if not 0 < total <= most:
                continue
            shown: list[str] = []
            for page in range(1, -(-total // size) + 1):
                shown += [hit["id"] for hit in search(client, query, True, size, page)["hits"]]
            walked += 1
            keys = [family.get(pid, pid) for pid in shown]
            distinct = len(set(keys))
            if len(keys) != total or distinct != total:
                broken.append(
                    {"query": query, "total": total, "shown": len(keys), "families": len(set(keys))}
                )
    print(f"walk: {walked} answers paged through, {len(broken)} with a family repeated or missing")
    return {"walked": walked, "broken": broken}


def report(sides: dict[str, Any]) -> None:
    rows = [
        [
            side,
            f"{s['mean_total']:.1f}",
            f"{100 * s['repeat_share']:.1f}%",
            s["queries_with_repeats"],
            f"{s['server_ms_mean']:.1f} / {s['server_ms_p50']:.1f} / {s['server_ms_p99']:.1f}",
            f"{s['wall_ms_mean']:.1f} / {s['wall_ms_p50']:.1f} / {s['wall_ms_p99']:.1f}",
            f"{s['facets_ms_mean']:.1f} / {s['facets_ms_p50']:.1f} / {s['facets_ms_p99']:.1f}",
        ]
        for side, s in sides.items()
    ]
    headers = ["distinct", "mean total", "page-1 repeats", "queries with one", "server ms mean/p50/p99"]
    print_table([*headers, "wall ms mean/p50/p99", "facets ms mean/p50/p99"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = doc_parser("python -m bench.families", __doc__)
    add_served_index_args(parser)
    parser.add_argument("--make-variants", type=Path, help="write --products from this products JSONL first")
    parser.add_argument("--offset", type=int, default=0, help="skip the first N queries")
    parser.add_argument("--limit", type=int, default=1000, help="queries to send (default 1000)")
    parser.add_argument("--size", type=int, default=10, help="page size (default 10)")
    parser.add_argument("--warmup", type=int, default=20, help="queries searched first, untimed (20)")
    parser.add_argument("--walk", type=int, default=0, help="page through answers up to this total (0: no)")
    parser.add_argument("--facets", default="", help="facets every search asks for, e.g. brand,attr.size")
    parser.add_argument("--clicks", type=int, default=0, help="click every facet value of N queries (0: no)")
    parser.add_argument("--api", help="an already running gateway serving --products")
    parser.add_argument("--out", type=Path, help="write the results here (JSON)")
    args = parser.parse_args(argv)
    if args.make_variants is not None:
        if not args.make_variants.is_file():
            parser.error(f"no such file: {args.make_variants}")
        print(f"wrote {make_variants(args.make_variants, args.products)} products to {args.products}")
    for path in (args.products, args.queries):
        if not path.is_file():
            parser.error(f"no such file: {path}")
    if args.size < 1 or args.walk < 0 or args.limit < 1:
        parser.error("--size and --limit must be >= 1, --walk >= 0")
    queries = read_queries(args.queries)[args.offset : args.offset + args.limit]
    facets = [name.strip() for name in args.facets.split(",") if name.strip()]
    if args.clicks and not facets:
        parser.error("--clicks needs --facets")
    family = families_of(args.products)
    with served(args.products, args.data_root, args.api) as url:
        sides = measure(url, queries, family, args.size, args.warmup, facets)
        walks = walk(url, queries, family, args.size, args.walk) if args.walk else {}
        clicks = click_facets(url, [q for _, q in queries[: args.clicks]], facets, args.size)
    report(sides)
    if args.out:
        catalog = {
            "products": str(args.products),
            "count": len(family),
            "families": len(set(family.values())),
        }
        found = {"sides": sides, "walk": walks, "clicks": clicks}
        write_json(args.out, {**catalog, "queries": str(args.queries), "facets": facets, **found})
    wrong = any(side["wrong"] for side in clicks.values())
    return 1 if (walks and walks["broken"]) or wrong else 0


def click_facets(url: str, queries: list[str], facets: list[str], size: int) -> dict[str, Any]:
    """`bench.facet_clicks.check` of `queries`, with families once and with every product."""
    if not queries:
        return {}
    found = {}
    with httpx.Client(base_url=url, timeout=180.0) as client:
        for distinct in (True, False):
            side = check(partial(search, client, size=size), queries, facets, distinct)
            found["on" if distinct else "off"] = side
            print(
                f"facet clicks, distinct {'on' if distinct else 'off'}: {side['clicked']} values clicked "
                f"over {len(queries)} queries, {len(side['wrong'])} whose count is not the total they leave"
            )
    return found


@contextmanager
def served(products: Path, data_root: Path, api: str | None) -> Iterator[str]:
    """The gateway's URL: `api`, or a gateway started on the bench index of `products`."""
    if api:
        yield api.rstrip("/")
        return
    from engine.inference.factory import create_inference

    settings, env = bench_settings(products, data_root, backend_env(None, None, None))
    inference = create_inference(settings)
    try:
        build_index(settings, products, inference)
    finally:
        inference.close()
    with gateway_process(env) as url:
        yield url


if __name__ == "__main__":
    sys.exit(main())
