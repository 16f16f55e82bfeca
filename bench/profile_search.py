"""CPU per search inside the gateway process, by thread and by pipeline stage.

Builds the app with `api.main.create_app(services=...)` over the real backends of the bench index of
`--products` (the Triton it starts or finds, the embedded lexical index, FAISS) and sends
`POST /v1/search` straight to the ASGI app from an asyncio loop in this process: no HTTP server and no
HTTP client, so what is measured is the gateway's own work (routing, middleware, body parsing, the
pipeline, response encoding, the impression log). `--warmup` searches first (the product cache, the
range search's int8 copy and the embedding paths are built there), then `--limit` timed searches, one
at a time, with fresh queries (`--offset` into the file), so no timed query hits the embedding cache.

Reported per timed search: process CPU (`time.process_time`, every thread of this process), the CPU of
each thread group (from /proc/self/task: the event loop, the search worker threads, the retrieval pool,
the impression writer, the rest: FAISS/ONNX Runtime/gRPC threads), Triton's CPU (its process tree, from
/proc), wall ms per search and per pipeline stage (the gateway's own `aisle_stage_seconds` histogram),
and the cycle collector's runs per generation (count, wall ms per search, longest pause).
Page 1 (ids) and `total` of every timed query are written too, in `bench.pages`'s layout, so two runs
(two versions of the code) can be compared with `python -m bench.pages --compare A.json B.json`.

`--py-spy FILE` also records a py-spy profile (raw, all threads, 250 samples/s) of the timed searches
when py-spy is on PATH (or `--py-spy-bin`).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import (
    add_served_index_args,
    bench_settings,
    build_index,
    cpu_seconds,
    print_table,
    read_queries,
    write_json,
)
from engine.pipeline.types import METHODS

EPILOG = """examples:
  python -m bench.profile_search --products ../shared/datasets/homedepot/products.jsonl \\
      --queries ../shared/datasets/homedepot/queries.dev.tsv --warmup 300 --offset 4000 --limit 300 \\
      --out bench/results/profile-search-homedepot.json
  python -m bench.profile_search ...same... --data-root /path/to/var/bench    an index built elsewhere
  python -m bench.profile_search ...same... --py-spy spy.txt      py-spy samples of the timed part
  python -m bench.profile_search ...same... --no-log      X-Aisle-Log: off (no impressions logged)
  python -m bench.pages --compare run-a.json run-b.json    same page-1 ids and totals in two runs?
"""

_SAMPLE_RATE = 250


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile_search",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_served_index_args(parser)
    parser.add_argument("--warmup", type=int, default=300, help="untimed searches first (default 300)")
    parser.add_argument("--offset", type=int, default=4000, help="timed queries start here (default 4000)")
    parser.add_argument("--limit", type=int, default=300, help="timed searches (default 300)")
    parser.add_argument("--size", type=int, default=10, help="page size (default 10)")
    parser.add_argument("--pipeline", default="full", choices=METHODS, help="method (default full)")
    parser.add_argument(
        "--sort",
        default="relevance",
        choices=("relevance", "price_asc", "price_desc"),
        help="(default relevance)",
    )
    parser.add_argument("--no-log", action="store_true", help="send X-Aisle-Log: off (no impressions)")
    parser.add_argument("--py-spy", type=Path, help="also write a raw py-spy profile of the timed part")
    parser.add_argument("--py-spy-bin", default="py-spy", help="py-spy executable (default: from PATH)")
    parser.add_argument("--out", type=Path, help="results JSON")
    args = parser.parse_args(argv)
    for path in (args.products, args.queries):
        if not path.is_file():
            parser.error(f"no such file: {path}")
    if args.warmup < 0 or args.limit < 1 or args.offset < 0 or args.size < 1:
        parser.error("--warmup and --offset must be >= 0, --limit and --size >= 1")
    if args.py_spy is not None and shutil.which(args.py_spy_bin) is None:
        parser.error(f"--py-spy: {args.py_spy_bin!r} not found (pip install py-spy, or give --py-spy-bin)")
    return args


# --- the ASGI call -------------------------------------------------------------------------------------
async def post(app: Any, path: str, body: bytes, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    """One HTTP request straight through the ASGI app: (status, response body)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"profile"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
        "client": ("127.0.0.1", 1),
        "server": ("profile", 80),
        "app": app,
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # no disconnect while the answer is being made
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


# --- CPU by thread -------------------------------------------------------------------------------------
def _group(name: str) -> str:
    if name == "MainThread":
        return "event_loop"
    if name.startswith("AnyIO worker"):
        return "search_threads"
    if name.startswith("retrieve"):
        return "retrieve_pool"
    if name == "impression-writer":
        return "impression_writer"
    return "other_python"


def thread_cpu() -> dict[str, float]:
    """CPU seconds so far of this process's threads, grouped (threads Python did not start, such as
    FAISS's OpenMP, ONNX Runtime's and gRPC's, are `native`)."""
    names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
    tick = os.sysconf("SC_CLK_TCK")
    groups: dict[str, float] = {}
    for entry in Path("/proc/self/task").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tid = int(entry.name)
        group = _group(names[tid]) if tid in names else "native"
        groups[group] = groups.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return groups


def stage_sums(services: Any) -> dict[str, tuple[float, float]]:
    """(seconds, count) per pipeline stage from the gateway's own stage histogram."""
    sums: dict[str, tuple[float, float]] = {}
    for metric in services.metrics.stages.collect():
        for sample in metric.samples:
            stage = sample.labels.get("stage")
            if stage is None:
                continue
            seconds, count = sums.get(stage, (0.0, 0.0))
            if sample.name.endswith("_sum"):
                seconds = sample.value
            elif sample.name.endswith("_count"):
                count = sample.value
            sums[stage] = (seconds, count)
    return sums


# --- the run -------------------------------------------------------------------------------------------
def wait_warm(services: Any, timeout_s: float = 300.0) -> int:
    """Wait for the background product-cache warm (it would otherwise run inside the timed part)."""
    want = int(services.lexical.count())
    deadline = time.monotonic() + timeout_s
    while len(services.pipeline.products) < want and time.monotonic() < deadline:
        time.sleep(0.5)
    return len(services.pipeline.products)


def start_py_spy(binary: str, out: Path) -> subprocess.Popen[bytes]:
    command = [binary, "record", "-r", str(_SAMPLE_RATE), "-f", "raw", "-o", str(out), "--nonblocking"]
    return subprocess.Popen(
        [*command, "--threads", "--pid", str(os.getpid())],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_py_spy(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class GcPauses:
    """The cycle collector's runs while it is installed (`gc.callbacks`): count, total and longest wall
    ms per generation. A run holds the interpreter lock, so its pause lands on the searches in flight."""

    def __init__(self) -> None:
        self.runs: dict[int, list[float]] = {}
        self._started: dict[int, float] = {}

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started[threading.get_ident()] = time.perf_counter()
            return
        began = self._started.pop(threading.get_ident(), None)
        if began is not None:
            self.runs.setdefault(info["generation"], []).append(1000.0 * (time.perf_counter() - began))

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)

    def report(self, searches: int) -> dict[str, dict[str, float]]:
        return {
            f"gen{generation}": {
                "runs": len(runs),
                "ms_per_search": round(sum(runs) / searches, 3),
                "max_ms": round(max(runs), 1),
            }
            for generation, runs in sorted(self.runs.items())
        }


async def drive(app: Any, services: Any, args: argparse.Namespace, triton: Any) -> dict[str, Any]:
    queries = read_queries(args.queries)
    warm = [q for _, q in queries[: args.warmup]]
    timed = queries[args.offset : args.offset + args.limit]
    if len(timed) < args.limit:
        raise SystemExit(f"--offset {args.offset} --limit {args.limit}: the file has {len(queries)} queries")
    headers = [(b"x-aisle-log", b"off")] if args.no_log else []

    def body(query: str) -> bytes:
        return json.dumps(
            {"query": query, "size": args.size, "pipeline": args.pipeline, "sort": args.sort}
        ).encode()

    for query in warm:
        status, answer = await post(app, "/v1/search", body(query), headers)
        if status != 200:
            raise SystemExit(f"warm-up {query!r}: HTTP {status}: {answer[:300]!r}")
    await asyncio.to_thread(services.impressions.flush)
    spy = start_py_spy(args.py_spy_bin, args.py_spy) if args.py_spy is not None else None
    load_before = os.getloadavg()
    stages_before, threads_before = stage_sums(services), thread_cpu()
    triton_before = cpu_seconds(triton())
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    pages: dict[str, dict[str, Any]] = {}
    walls: list[float] = []
    with GcPauses() as pauses:
        for qid, query in timed:
            start = time.perf_counter()
            status, answer = await post(app, "/v1/search", body(query), headers)
            walls.append((time.perf_counter() - start) * 1000.0)
            if status != 200:
                raise SystemExit(f"{query!r}: HTTP {status}: {answer[:300]!r}")
            parsed = json.loads(answer)
            pages[qid] = {"ids": [hit["id"] for hit in parsed["hits"]], "total": parsed["total"]}
        await asyncio.to_thread(services.impressions.flush)  # the writer's share of these searches
    cpu = time.process_time() - cpu_before
    wall = time.perf_counter() - wall_before
    triton_cpu = cpu_seconds(triton()) - triton_before
    threads_after, stages_after = thread_cpu(), stage_sums(services)
    load_after = os.getloadavg()
    if spy is not None:
        stop_py_spy(spy)
    n = len(timed)
    by_thread = {
        name: round(1000.0 * (threads_after.get(name, 0.0) - threads_before.get(name, 0.0)) / n, 2)
        for name in sorted(threads_after.keys() | threads_before.keys())
    }
    stages = {
        name: round(1000.0 * (seconds - stages_before.get(name, (0.0, 0.0))[0]) / n, 3)
        for name, (seconds, count) in sorted(stages_after.items())
        if count > stages_before.get(name, (0.0, 0.0))[1]
    }
    return {
        "searches": n,
        "gateway_cpu_ms": round(1000.0 * cpu / n, 2),
        "triton_cpu_ms": round(1000.0 * triton_cpu / n, 2),
        "wall_ms": round(1000.0 * wall / n, 2),
        "wall_p50_ms": round(statistics.median(walls), 2),
        "thread_cpu_ms": by_thread,
        "stage_wall_ms": stages,
        "gc": pauses.report(n),
        "load_average_start": [round(x, 2) for x in load_before],
        "load_average_end": [round(x, 2) for x in load_after],
        "sort": args.sort,
        "pages": {args.pipeline: pages},
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from api.deps import build_services
    from api.main import create_app
    from bench.load import triton_pids
    from engine.inference.factory import create_inference

    settings, _ = bench_settings(args.products, args.data_root)
    inference = create_inference(settings)  # starts Triton for this data directory (or finds it)
    try:
        build_index(settings, args.products, inference)
        services = build_services(settings)
        try:
            print(f"product cache: {wait_warm(services)} products", file=sys.stderr)
            app = create_app(services=services)
            report = asyncio.run(drive(app, services, args, triton_pids(settings)))
        finally:
            services.close()
    finally:
        inference.close()
    report.update(
        pipeline=args.pipeline,
        warmup=args.warmup,
        offset=args.offset,
        logged=not args.no_log,
        cpus=os.cpu_count(),
    )
    return report


def print_report(report: dict[str, Any]) -> None:
    print(
        f"{report['searches']} searches ({report['pipeline']}): gateway CPU {report['gateway_cpu_ms']} ms, "
        f"Triton CPU {report['triton_cpu_ms']} ms, wall {report['wall_ms']} ms (p50 {report['wall_p50_ms']}) "
        f"per search; load average {report['load_average_start'][0]} -> {report['load_average_end'][0]}"
    )
    print_table(["thread group", "CPU ms/search"], sorted(report["thread_cpu_ms"].items()))
    print()
    print_table(["stage", "wall ms/search"], sorted(report["stage_wall_ms"].items()))
    print()
    gc_rows = [[name, v["runs"], v["ms_per_search"], v["max_ms"]] for name, v in report["gc"].items()]
    print_table(["collector", "runs", "wall ms/search", "longest ms"], gc_rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run(args)
    print_report(report)
    if args.out:
        write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
