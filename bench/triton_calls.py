"""Triton's CPU per request of each model a search calls, split by process: the server and each model's
python-backend stubs.

Lone requests spaced `--gap-ms` apart, the way one search's calls reach Triton (one encoder request and
one ranker request every ten-odd milliseconds), on the Triton serving the benchmark index of
`--products`. The split shows what the total hides: a stub's CPU that is not its own requests' work.
Idle gaps are measured too (`idle` rows: no request at all), so a process that burns CPU between
requests shows up there. Rounds alternate the targets (`--rounds`) so a change in the machine's speed
does not favour one of them.

The launcher starts Triton with `OPENBLAS_NUM_THREADS=1` unless the environment already says otherwise,
so the setting before that change is measured by running this with `OPENBLAS_NUM_THREADS` set to the
number of cores (Triton must not be running already: a running one keeps its environment).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import (
    add_served_index_args,
    bench_settings,
    build_index,
    cpu_seconds,
    print_table,
    read_queries,
    write_json,
)
from bench.load import triton_pids
from engine.ranking.features import N_FEATURES

EPILOG = """examples:
  python -m bench.triton_calls --products ../shared/datasets/homedepot/products.jsonl \\
      --queries ../shared/datasets/homedepot/queries.dev.tsv --out bench/results/triton-calls.json
  OPENBLAS_NUM_THREADS=2 python -m bench.triton_calls ...same...    OpenBLAS's default pool in the stubs
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.triton_calls",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_served_index_args(parser)
    parser.add_argument("--calls", type=int, default=300, help="requests per target and round (default 300)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (default 2)")
    parser.add_argument("--gap-ms", type=float, default=8.0, help="pause after each request (default 8)")
    parser.add_argument(
        "--rows", type=int, default=100, help="ranker rows per request (default 100, the re-ranking depth)"
    )
    parser.add_argument("--out", type=Path, help="results JSON")
    args = parser.parse_args(argv)
    for name in ("calls", "rounds", "rows"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.gap_ms < 0:
        parser.error("--gap-ms must not be negative")
    if not args.products.is_file():
        parser.error(f"--products {args.products}: no such file")
    if not args.queries.is_file():
        parser.error(f"--queries {args.queries}: no such file")
    return args


def process_role(pid: int) -> str:
    """'server', or the model a python-backend stub serves ("gone" for a process that has exited)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    return role_of([part.decode(errors="replace") for part in argv])


def role_of(argv: list[str]) -> str:
    """A stub's command line names its model's directory in the model repository; the server's does
    not name any model directory."""
    for part in argv:
        if "/model_repository/" in part:
            return "stub " + part.split("/model_repository/", 1)[1].split("/", 1)[0]
    return "server"


def measure(call: Callable[[int], Any], calls: int, gap_s: float, pids: list[int]) -> dict[str, float]:
    """CPU ms per call of each process role, and of the calling (client) process."""
    before = {pid: cpu_seconds([pid]) for pid in pids}
    client = time.process_time()
    for i in range(calls):
        call(i)
        if gap_s:
            time.sleep(gap_s)
    client = time.process_time() - client
    per_role: dict[str, float] = {"client": 1000.0 * client / calls}
    for pid in pids:
        role = process_role(pid)
        spent = 1000.0 * (cpu_seconds([pid]) - before[pid]) / calls
        per_role[role] = per_role.get(role, 0.0) + spent
    return per_role


def measure_targets(
    serving: Any, args: argparse.Namespace, texts: list[str], pids: list[int]
) -> dict[str, list[dict[str, float]]]:
    """Per target (lone encoder requests, ranker requests of `--rows` rows, idle gaps), one `measure`
    per round, the targets alternating within each round."""
    encoder, ranker = serving.text_encoder(), serving.ranker()
    rows = np.random.default_rng(0).random((args.rows, N_FEATURES), dtype=np.float32)
    offset = 0

    def encode(i: int) -> None:
        encoder.encode([texts[(offset + i) % len(texts)]])

    targets: dict[str, Callable[[int], Any]] = {
        "query_encoder": encode,
        "ranker": lambda i: ranker.score(rows),
        "idle": lambda i: None,
    }
    for i in range(50):  # warm both models' paths
        encode(i)
        ranker.score(rows)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
    for _ in range(args.rounds):
        for name, call in targets.items():
            offset += args.calls  # fresh queries for every encoder run
            results[name].append(measure(call, args.calls, args.gap_ms / 1000.0, pids))
    return results


def run(args: argparse.Namespace) -> dict[str, Any]:
    from engine.inference.factory import create_inference

    settings, _ = bench_settings(args.products, args.data_root)
    inference = create_inference(settings)
    texts = [text for _, text in read_queries(args.queries)]
    try:
        build_index(settings, args.products, inference)
        serving = create_inference(settings, serving=True)
        try:
            results = measure_targets(serving, args, texts, triton_pids(settings)())
        finally:
            serving.close()
    finally:
        inference.close()
    return {
        "per_call_ms": results,
        "calls": args.calls,
        "rounds": args.rounds,
        "gap_ms": args.gap_ms,
        "ranker_rows": args.rows,
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS", "(launcher default)"),
        "cpus": os.cpu_count(),
    }


def print_report(report: dict[str, Any]) -> None:
    roles = sorted({role for runs in report["per_call_ms"].values() for run in runs for role in run})
    rows = [
        [name, i + 1, *(round(run.get(role, 0.0), 3) for role in roles)]
        for name, runs in report["per_call_ms"].items()
        for i, run in enumerate(runs)
    ]
    blas = report["openblas_num_threads"]
    print(f"CPU ms per request (gap {report['gap_ms']} ms; OPENBLAS_NUM_THREADS {blas})")
    print_table(["target", "round", *roles], rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run(args)
    print_report(report)
    if args.out:
        write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
