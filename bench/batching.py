"""Triton's dynamic-batching queue delay, measured on the models a search calls: the query encoder and
the ranker, each alone, at one client and under concurrency.

For each delay (`--delays`, microseconds) this serves a copy of the model repository whose
`query_encoder` and `ranker` configs wait up to that long to fill a batch, on the data directory of the
benchmark index of `--products` (so the ONNX export is reused), and measures latency, throughput and
the Triton processes' CPU per request (from /proc). A lone request pays the delay in full; under load
the delay lets more requests share one batch, which is what lowers the CPU per request. Runs for the
delays alternate (`--repeats`) so a change in the machine's load does not favour one of them.

The ranker gets `--rows` random feature rows per request (a search's re-ranking depth).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import bench_settings, print_table, read_queries, write_json
from bench.load import CpuMeter, drive, triton_pids

EPILOG = """example:
  python -m bench.batching --products ../shared/datasets/homedepot/products.jsonl \\
      --queries ../shared/datasets/homedepot/queries.dev.tsv --delays 0,1000,3000 \\
      --out bench/results/batching-homedepot.json
"""
BATCHED = ("query_encoder", "ranker")
_DELAY = re.compile(r"max_queue_delay_microseconds:\s*\d+")


def repository_with_delay(source: Path, target: Path, delay_us: int) -> Path:
    """A copy of `source` whose batched models wait up to `delay_us` to fill a batch."""
    shutil.copytree(source, target)
    for model in BATCHED:
        config = target / model / "config.pbtxt"
        text = config.read_text()
        if not _DELAY.search(text):
            raise ValueError(f"{config}: no max_queue_delay_microseconds to set")
        config.write_text(_DELAY.sub(f"max_queue_delay_microseconds: {delay_us}", text))
    return target


def measure_delay(
    args: argparse.Namespace, delay_us: int, queries: list[str], scratch: Path
) -> list[dict[str, Any]]:
    from engine.config import PROJECT_ROOT
    from engine.inference.factory import create_inference
    from engine.ranking.features import N_FEATURES

    repo = repository_with_delay(PROJECT_ROOT / "model_repository", scratch / f"repo-{delay_us}", delay_us)
    os.environ["AISLE_MODEL_REPOSITORY"] = str(repo)
    settings, _ = bench_settings(args.products, args.data_root)
    inference = create_inference(settings)
    rows = np.random.default_rng(0).random((args.rows, N_FEATURES), dtype=np.float32)
    meter = CpuMeter({"triton": triton_pids(settings)})
    try:
        encoder, ranker = inference.text_encoder(), inference.ranker()
        for query in queries[:20]:  # connections and first-call paths
            encoder.encode([query])
            ranker.score(rows)
        calls = {
            "encoder": lambda query: encoder.encode([query]),
            "ranker": lambda query: ranker.score(rows),
        }
        results = []
        for target, levels in (("encoder", args.encoder_concurrency), ("ranker", args.ranker_concurrency)):
            for concurrency in levels:
                meter.start()
                row = drive(calls[target], queries, concurrency, args.requests)
                row.update(meter.per_request(row["requests"] + row["errors"]))
                results.append({"delay_us": delay_us, "target": target, **row})
                print(f"delay {delay_us} us, {target} x{concurrency}: done", file=sys.stderr)
        return results
    finally:
        inference.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.batching",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--products", type=Path, required=True, help="products of the benchmark index")
    parser.add_argument("--queries", type=Path, required=True, help="TSV with query_id, query")
    parser.add_argument("--delays", default="0,1000,3000", help="queue delays in microseconds")
    parser.add_argument("--encoder-concurrency", default="1,32", help="client threads (default 1,32)")
    parser.add_argument("--ranker-concurrency", default="1,8", help="client threads (default 1,8)")
    parser.add_argument("--requests", type=int, default=300, help="requests per level (300)")
    parser.add_argument("--rows", type=int, default=100, help="feature rows per ranker request (100)")
    parser.add_argument("--repeats", type=int, default=1, help="rounds over the delays (1)")
    parser.add_argument("--data-root", type=Path, default=Path("var/bench"))
    parser.add_argument("--out", type=Path, help="results JSON")
    args = parser.parse_args(argv)
    try:
        delays = [int(d) for d in args.delays.split(",") if d.strip()]
        args.encoder_concurrency = [int(c) for c in args.encoder_concurrency.split(",") if c.strip()]
        args.ranker_concurrency = [int(c) for c in args.ranker_concurrency.split(",") if c.strip()]
    except ValueError:
        parser.error("--delays and the concurrency lists are comma lists of integers")
    if not delays or min(delays) < 0 or args.requests <= 0 or args.rows <= 0 or args.repeats <= 0:
        parser.error("give at least one delay (>= 0), and positive --requests, --rows and --repeats")
    if not args.products.is_file() or not args.queries.is_file():
        parser.error("--products and --queries must be files")
    queries = [q for _, q in read_queries(args.queries)]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="aisle-batching-") as scratch:
        for round_ in range(args.repeats):
            for delay in delays:
                for row in measure_delay(args, delay, queries, Path(scratch) / str(round_)):
                    rows.append({**row, "round": round_ + 1})
    load = [round(x, 2) for x in os.getloadavg()]
    keys = ("round", "delay_us", "target", "concurrency", "rps", "p50_ms", "p99_ms", "triton_cpu_ms")
    print_table(keys, [[r.get(k, "-") for k in keys] for r in rows])
    print(f"load average: {load}")
    if args.out:
        write_json(args.out, {"rows": rows, "rows_per_ranker_request": args.rows, "load_average": load})
    return 0


if __name__ == "__main__":
    sys.exit(main())
