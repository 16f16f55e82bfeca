"""Load benchmark: /v1/search latency and throughput next to the Triton query encoder alone.

Runs from this process against a gateway in another process on loopback (started here on the index of
--products, or --api URL), with a fixed query mix read from a queries file, at each concurrency level
(default 1, 8, 32) for a fixed number of requests. For each level it measures the full search and then
the Triton query encoder called directly with the same queries and concurrency, so the ratio says how
much the rest of the pipeline costs. A last pass with `debug: true` breaks latency down by stage.
Prints a table, writes JSON and a PNG of latency percentiles against concurrency.

When this run starts the gateway (and Triton), it also reads the CPU time the gateway's processes and
Triton's processes spent during each level from /proc and reports it per request: on a small host the
question is less "how fast" than "how many core-milliseconds each search costs and where".

Each level takes the next slice of the query mix, so with enough distinct queries (`--requests` times
the number of levels, plus `--warmup`, at most the mix) no request hits the gateway's query-embedding
cache and the comparison with the bare encoder is fair; with fewer, repeats hit the cache, as head
queries do in production, and the search side looks faster than it is for a cold query.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    SERVERS,
    add_backend_args,
    backend_env,
    bench_settings,
    build_index,
    cpu_seconds,
    gateway_child,
    process_tree,
    read_queries,
    wait_warm,
    write_json,
)
from bench.load_report import plot, print_report
from bench.openloop import (
    DEFAULT_FRACTIONS,
    OpenLoopPlan,
    percentile,
    plot_open,
    run_rates,
)
from engine.pipeline.types import METHODS

EPILOG = """examples:
  python -m bench.load --products ../shared/datasets/crowdflower/products.jsonl \\
      --queries ../shared/datasets/homedepot/queries.dev.tsv --out bench/results/load.json
  python -m bench.load --api http://127.0.0.1:8080 --queries queries.tsv --concurrency 1,8 --requests 500
  python -m bench.load --products ... --queries ... --workers 2        two gateway worker processes
  python -m bench.load --products ... --queries ... --concurrency 8 --pipeline bm25    BM25 only
  python -m bench.load --products ... --queries ... --workers 2 --server granian    the gateway on
      granian instead of uvicorn (pip install granian first)
  python -m bench.load --products ... --queries ... --open-loop      then Poisson arrivals at 25, 50, 75,
      100 and 125% of the closed-loop capacity (--rate-fractions), or at given rates (--rates 20,40)
  python -m bench.load --products ... --queries ... --concurrency 8 \\
      --vectors opensearch-knn --opensearch-url http://127.0.0.1:9200      vectors in OpenSearch k-NN
"""


def drive(
    call: Callable[[str], object], queries: list[str], concurrency: int, requests: int
) -> dict[str, Any]:
    """`requests` calls over `concurrency` threads, each thread taking the next query of the mix."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        nonlocal errors
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            start = time.perf_counter()
            try:
                call(queries[i % len(queries)])
            except Exception:
                with lock:
                    errors += 1
                continue
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(worker)
    wall = time.perf_counter() - start
    ms = [x * 1000.0 for x in latencies]
    return {
        "concurrency": concurrency,
        "requests": len(ms),
        "errors": errors,
        "rps": round(len(ms) / wall, 1) if wall > 0 else 0.0,
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
    }


def stage_breakdown(
    client: httpx.Client, queries: list[str], concurrency: int, pipeline: str = "full"
) -> dict[str, float]:
    timings: list[dict[str, float]] = []
    lock = threading.Lock()

    def call(query: str) -> None:
        body = client.post("/v1/search", json={"query": query, "debug": True, "pipeline": pipeline}).json()
        with lock:
            timings.append(body.get("timings_ms") or {})

    drive(call, queries, concurrency, len(queries))
    stages = sorted({k for t in timings for k in t})
    return {s: round(statistics.fmean(t.get(s, 0.0) for t in timings), 3) for s in stages}


class CpuMeter:
    """CPU milliseconds per request spent by named process groups.

    Each group's pids are read at `start` and again at the end: a process started meanwhile (a gateway
    worker that was restarted) counts from zero, and one that exited meanwhile is left out, with its
    CPU since `start` (unknowable from /proc once it is gone), rather than subtracted; `<name>_exited`
    says how many did."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups
        self._start: dict[str, dict[int, float]] = {}

    def start(self) -> None:
        self._start = {
            name: {pid: cpu_seconds([pid]) for pid in pids()} for name, pids in self.groups.items()
        }

    def per_request(self, requests: int) -> dict[str, float]:
        result: dict[str, float] = {}
        for name, pids in self.groups.items():
            before = self._start.get(name, {})
            now = {pid: cpu_seconds([pid]) for pid in pids()}
            spent = sum(cpu - before.get(pid, 0.0) for pid, cpu in now.items())
            result[f"{name}_cpu_ms"] = round(1000.0 * spent / max(requests, 1), 2)
            exited = len(before.keys() - now.keys())
            if exited:
                result[f"{name}_exited"] = exited
        return result


def measured(
    meter: CpuMeter | None, call: Callable[[str], None], queries: list[str], concurrency: int, requests: int
) -> dict[str, Any]:
    """`drive`, plus the CPU each process group spent per request when a meter is given."""
    if meter is None:
        return drive(call, queries, concurrency, requests)
    meter.start()
    result = drive(call, queries, concurrency, requests)
    return {**result, **meter.per_request(result["requests"] + result["errors"])}


def run(args: argparse.Namespace, url: str, encoder: Any, meter: CpuMeter | None = None) -> dict[str, Any]:
    queries = [q for _, q in read_queries(args.queries)][: args.mix]
    levels = []
    limits = httpx.Limits(max_connections=max(args.concurrency, default=1) * 2)
    with httpx.Client(base_url=url, timeout=60.0, limits=limits) as client:

        def search(query: str) -> None:
            response = client.post("/v1/search", json={"query": query, "size": 10, "pipeline": args.pipeline})
            response.raise_for_status()

        # Connections, caches, each worker's one-off copies (the range search's int8 copy is built on a
        # worker's first searches): sent at the highest level's concurrency, so with several workers
        # every one of them is warmed, not only the one a single keep-alive connection reaches.
        if args.warmup:
            warm = drive(search, queries[: args.warmup], max(args.concurrency, default=1), args.warmup)
            if warm["errors"]:  # as the one-by-one warm-up did: a failing gateway stops the run here
                raise SystemExit(f"warm-up: {warm['errors']} of {args.warmup} searches failed at {url}")
        offset = args.warmup
        for concurrency in args.concurrency:
            mix = queries[offset:] + queries[:offset]
            offset = (offset + args.requests) % len(queries)
            levels.append(
                {
                    "target": "search",
                    **measured(meter, search, mix, concurrency, args.requests),
                }
            )

            def encode(query: str) -> None:
                encoder.encode([query])

            levels.append(
                {
                    "target": "encoder",
                    **measured(meter, encode, mix, concurrency, args.requests),
                }
            )
            print(f"concurrency {concurrency}: done", file=sys.stderr)
        head = queries[: min(200, len(queries))]
        stages = stage_breakdown(client, head, 8, args.pipeline) if args.stages else {}
    report: dict[str, Any] = {"pipeline": args.pipeline, "levels": levels, "stages_ms_at_8": stages}
    if args.concurrency:
        by = {(r["target"], r["concurrency"]): r for r in levels}
        top = max(args.concurrency)
        ratio = by[("search", top)]["rps"] / max(by[("encoder", top)]["rps"], 1e-9)
        report[f"search_vs_encoder_rps_at_{top}"] = round(ratio, 3)
    if args.open_loop:
        capacity = max((r["rps"] for r in levels if r["target"] == "search"), default=None)
        rates = args.rates or [round(f * (capacity or 0.0), 1) for f in args.rate_fractions]
        plan = OpenLoopPlan(rates, args.duration, args.seed, args.pipeline, capacity)
        report["open_loop"] = run_rates(plan, url, queries, offset, meter)
    return report


def triton_pids(settings: Any) -> Callable[[], list[int]]:
    """The local Triton server's process tree (server + python-backend stubs); none for a remote one."""
    from engine.triton.launcher import running_server

    def pids() -> list[int]:
        server = running_server(settings)
        return process_tree(server.pid) if server is not None else []

    return pids


def _numbers(text: str, kind: type[float] | type[int], flag: str) -> list[Any]:
    """A comma list of positive numbers; ValueError naming the flag otherwise."""
    try:
        values = [kind(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"{flag}: expected a comma list of numbers, got {text!r}") from None
    if any(v <= 0 for v in values):
        raise ValueError(f"{flag}: every value must be positive, got {text!r}")
    return values


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, dict[str, str]]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--queries", type=Path, required=True, help="TSV with query_id, query")
    parser.add_argument("--products", type=Path, help="products file to index and serve (without --api)")
    parser.add_argument("--api", help="an already running gateway")
    parser.add_argument(
        "--concurrency", default="1,8,32", help="comma list (default 1,8,32; empty with --rates: none)"
    )
    parser.add_argument("--requests", type=int, default=1000, help="requests per level and target")
    parser.add_argument("--workers", type=int, default=1, help="gateway worker processes (default 1)")
    parser.add_argument(
        "--server", default="uvicorn", choices=SERVERS, help="ASGI server of the gateway (default uvicorn)"
    )
    parser.add_argument(
        "--pipeline",
        default="full",
        choices=METHODS,
        help="search pipeline the load uses (default full, the production one); the others show what "
        "each stage adds",
    )
    parser.add_argument("--mix", type=int, default=5000, help="distinct queries used (default 5000)")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument(
        "--no-stages", dest="stages", action="store_false", help="skip the per-stage pass at concurrency 8"
    )
    parser.add_argument("--open-loop", action="store_true", help="then Poisson arrivals at fixed rates")
    parser.add_argument("--rates", help="open-loop searches/s, comma list (implies --open-loop)")
    parser.add_argument(
        "--rate-fractions",
        default=",".join(str(f) for f in DEFAULT_FRACTIONS),
        help="open-loop rates as fractions of the best closed-loop search rate (default 0.25,...,1.25)",
    )
    parser.add_argument("--duration", type=float, default=20.0, help="open-loop seconds per rate (20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the arrival schedule (0)")
    parser.add_argument("--data-root", type=Path, default=Path("var/bench"))
    parser.add_argument("--out", type=Path, help="results JSON (PNGs are written next to it)")
    add_backend_args(parser)
    args = parser.parse_args(argv)
    try:
        backends = backend_env(args.vectors, args.lexical, args.opensearch_url)
        args.concurrency = _numbers(args.concurrency, int, "--concurrency")
        args.rates = _numbers(args.rates, float, "--rates") if args.rates else []
        args.rate_fractions = _numbers(args.rate_fractions, float, "--rate-fractions")
    except ValueError as exc:
        parser.error(str(exc))
    args.open_loop = args.open_loop or bool(args.rates)
    if not args.concurrency and not args.rates:
        parser.error("--concurrency is empty: give closed-loop levels, or open-loop --rates")
    if args.duration <= 0 or args.requests <= 0:
        parser.error("--duration and --requests must be positive")
    if not args.api and not args.products:
        parser.error("give --products (to build and serve an index) or --api URL")
    if args.server != "uvicorn" and importlib.util.find_spec(args.server) is None:
        parser.error(f"--server {args.server}: it is not installed here (pip install {args.server})")
    return args, backends


def main(argv: list[str] | None = None) -> int:
    args, backends = parse_args(argv)
    from engine.config import load_settings
    from engine.inference.factory import create_inference

    if args.api:
        settings, env = load_settings(), dict[str, str]()
    else:
        settings, env = bench_settings(args.products, args.data_root, backends)
    inference = create_inference(settings)
    try:
        encoder = inference.text_encoder()
        if args.api:
            report = run(args, args.api.rstrip("/"), encoder)
        else:
            build_index(settings, args.products, inference)
            with gateway_child(env, workers=args.workers, server=args.server) as gateway:
                warmed = wait_warm(gateway.url)
                note = f"after {warmed:.1f}s" if warmed is not None else "not confirmed: measuring anyway"
                print(f"product caches warm: {note}", file=sys.stderr)
                meter = CpuMeter(
                    {
                        "gateway": lambda: process_tree(gateway.pid),
                        "triton": triton_pids(settings),
                        "client": lambda: [os.getpid()],
                    }
                )
                report = run(args, gateway.url, encoder, meter)
                report["gateway_workers"] = args.workers
                report["server"] = args.server
    finally:
        inference.close()
    if not args.api:
        report["backends"] = {
            "vectors": settings.vector_backend,
            "lexical": "embedded" if settings.embedded_lexical else "opensearch",
        }
    report["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print_report(report)
    if args.out:
        write_json(args.out, report)
        if report["levels"]:
            plot(report, args.out.with_suffix(".png"))
        if "open_loop" in report:
            title = f"open loop, {args.pipeline} pipeline, {args.workers} gateway worker(s)"
            plot_open(report["open_loop"]["rates"], args.out.with_name(args.out.stem + "-open.png"), title)
    return 0


if __name__ == "__main__":
    sys.exit(main())
