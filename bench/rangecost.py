"""In-process cost of the semantic range search (the match set's "every product this close"), each way
side by side in one run on one index: wall and CPU milliseconds per call, and whether each way's answer
is FAISS's flat range search's to the bit.

Ways: `flat` (IndexFlatIP.range_search, FAISS's OpenMP threads as configured), `flat-1t` (the same with
one OpenMP thread), `numpy` (matrix product and threshold, no exact-score contract), `int8` (the
`RangeScanner` the store uses: int8 pre-filter, exact rescoring), `int8-1t`. And what an unfiltered
search asks of its vectors, the dense top `--depth` plus the range: `hnsw+int8` (the store's HNSW
search, then the int8 range search) against `one-pass` (`RangeScanner.nearest_and_within`: the exact
top `--depth` and the range from one int8 pass), with the HNSW top's recall of the exact one. Queries
are encoded in this process with the catalog's text model (the same model Triton serves); the
thresholds are `--thresholds`, else the store's two calibrations as the gateway computes them: the
semantic threshold (the range search of a default search) and the looser near threshold (its range
search with `AISLE_NEAR_MATCH=true`).

`--writes N` then measures what a vector write costs the store's range search: N times `--write-batch`
products added to the store at once, then the wall time of the first range search after it, the mean
wall time of the next 20, and the process CPU until the store's copy is settled again (int8 part built,
no new copy being made). A write the copy can record beside it (`RangeCopy`) costs neither; a batch past
its limits has a new copy made in the background while the old one answers (`RangeCopies`).
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

from bench.common import read_queries, write_json
from engine.pipeline.types import PipelineConfig
from engine.vectors.calibration import DEFAULT_QUANTILE, NEAR_QUANTILE, calibrate_store
from engine.vectors.faiss_store import FaissVectorStore
from engine.vectors.range_scan import RangeScanner

EPILOG = """example:
  python -m bench.rangecost --vectors var/bench/a60075ffb6676f2f/vectors \\
      --queries ../shared/datasets/homedepot/queries.dev.tsv --limit 1000 \\
      --out bench/results/rangecost-homedepot.json
  python -m bench.rangecost ...same... --limit 100 --timed 50 --writes 3 --write-batch 3000
      what a write of 3,000 products (past what the copy records beside it) costs the searches after it
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.rangecost",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--vectors", type=Path, required=True, help="an index's vectors folder")
    parser.add_argument("--queries", type=Path, required=True, help="query TSV (query_id, query)")
    parser.add_argument("--limit", type=int, default=1000, help="queries (default 1000)")
    parser.add_argument("--thresholds", help="comma list (default: the semantic and near calibrations)")
    parser.add_argument("--timed", type=int, default=300, help="of which timed (default 300)")
    parser.add_argument("--repeats", type=int, default=1, help="timed passes over them per way (1)")
    parser.add_argument(
        "--depth",
        type=int,
        default=PipelineConfig().dense_depth,
        help=f"dense candidates per search (the pipeline's, {PipelineConfig().dense_depth})",
    )
    parser.add_argument("--writes", type=int, default=0, help="then time N writes (0)")
    parser.add_argument("--write-batch", type=int, default=1, help="products per write (1)")
    parser.add_argument("--out", type=Path, help="write the results JSON here")
    args = parser.parse_args(argv)
    if args.write_batch < 1:
        parser.error("--write-batch must be at least 1")
    return args


def load_store(vectors: Path) -> FaissVectorStore:
    generation = (vectors / "CURRENT").read_text().strip()
    store, _ = FaissVectorStore.load(vectors / generation / "text")
    return store


def encode(store: FaissVectorStore, texts: list[str]) -> np.ndarray:
    from engine.config import load_settings
    from engine.models.text_encoder import SentenceEncoder, resolve_text_model

    settings = load_settings()
    model_dir, _ = resolve_text_model(settings.text_model, settings.resolved_text_model())
    vectors = SentenceEncoder(model_dir, 256, runtime="torch").encode(texts)
    store._faiss.normalize_L2(vectors)
    return vectors


def timed(fn: Callable[[np.ndarray], Any], queries: np.ndarray, repeats: int) -> dict[str, float]:
    fn(queries[:1])
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeats):
        for i in range(len(queries)):
            fn(queries[i : i + 1])
    calls = repeats * len(queries)
    return {
        "wall_ms": round((time.perf_counter() - wall) / calls * 1000, 3),
        "cpu_ms": round((time.process_time() - cpu) / calls * 1000, 3),
    }


def measure(
    store: FaissVectorStore,
    scanner: RangeScanner,
    matrix: np.ndarray,
    queries: np.ndarray,
    threshold: float,
    timed_queries: int,
    repeats: int,
    depth: int,
    row_of: dict[str, int],
) -> dict[str, Any]:
    """Identity with the flat range search, set sizes, rows rescored and timings at one threshold."""
    faiss = scanner._faiss
    sizes, rescored, differing, recall, one_pass_differing = [], [], 0, [], 0
    for i in range(len(queries)):
        q = queries[i : i + 1]
        wanted = scanner.scan(q, threshold)
        got = scanner.within(q, threshold)
        candidates = scanner._int8.candidates(q[0], threshold) if scanner._int8 is not None else None
        sizes.append(wanted[0].size)
        rescored.append(candidates.size if candidates is not None else len(matrix))
        bits = got[1].view(np.int32), wanted[1].view(np.int32)
        differing += not (np.array_equal(got[0], wanted[0]) and np.array_equal(*bits))
        both = scanner.nearest_and_within(q, depth, threshold)
        if both is not None:
            same = np.array_equal(both[2], wanted[0]) and np.array_equal(both[3], wanted[1])
            one_pass_differing += not same
            approximate = {row_of[h.product_id] for h in store.search(q, depth)}
            recall.append(len(approximate & set(both[0].tolist())) / max(1, both[0].size))
    ways: dict[str, Callable[[np.ndarray], Any]] = {
        "flat": lambda q: scanner.scan(q, threshold),
        "numpy": lambda q: np.flatnonzero(matrix @ q[0] > threshold),
        "int8": lambda q: scanner.within(q, threshold),
        "hnsw+int8": lambda q: (store.search(q, depth), scanner.within(q, threshold)),
        "one-pass": lambda q: scanner.nearest_and_within(q, depth, threshold),
    }
    threads = faiss.omp_get_max_threads()
    timings = {name: timed(fn, queries[:timed_queries], repeats) for name, fn in ways.items()}
    faiss.omp_set_num_threads(1)
    for name in ("flat", "int8"):
        timings[f"{name}-1t"] = timed(ways[name], queries[:timed_queries], repeats)
    faiss.omp_set_num_threads(threads)
    for name, t in timings.items():
        print(f"t={threshold:.4f} {name:8s} wall {t['wall_ms']:8.3f} ms  cpu {t['cpu_ms']:8.3f} ms")
    return {
        "threshold": threshold,
        "mean_set": round(float(np.mean(sizes)), 1),
        "max_set": int(np.max(sizes)),
        "mean_rescored": round(float(np.mean(rescored)), 1),
        "answers_differing_from_flat": differing,
        "one_pass_ranges_differing_from_flat": one_pass_differing,
        "one_pass_answered": len(recall),
        "hnsw_recall_of_exact_top": round(float(np.mean(recall)), 4) if recall else None,
        "timings": timings,
    }


def measure_writes(
    store: FaissVectorStore, queries: np.ndarray, threshold: float, writes: int, batch: int = 1
) -> list[dict]:
    """Per write of `batch` products: its own wall ms, the first range search's wall ms after it, the
    next 20 searches' mean, and the CPU s (write included) until the store's copy is settled (int8 part
    built, no refresh running)."""
    store.prepare_range_search()  # as a gateway does at start
    results = []
    for i in range(writes):
        _wait_settled(store)
        vectors = np.random.default_rng(i).standard_normal((batch, store.dim)).astype(np.float32)
        ids = [f"rangecost-write-{i}-{j}" for j in range(batch)]
        cpu, wall = time.process_time(), time.perf_counter()
        store.add(ids, vectors)
        add_ms = (time.perf_counter() - wall) * 1000
        wall = time.perf_counter()
        store.within_scores(queries[(i + 1) % len(queries)][None], threshold)
        first_ms = (time.perf_counter() - wall) * 1000
        after = time.perf_counter()
        for j in range(20):
            store.within_scores(queries[(i + 2 + j) % len(queries)][None], threshold)
        next_ms = (time.perf_counter() - after) * 1000 / 20
        _wait_settled(store)
        results.append(
            {
                "products": batch,
                "add_ms": round(add_ms, 1),
                "first_search_ms": round(first_ms, 1),
                "next_20_mean_ms": round(next_ms, 2),
                "cpu_s": round(time.process_time() - cpu, 3),
            }
        )
        print(
            f"write {i} ({batch} products, {add_ms:.0f} ms): first range search after it {first_ms:.0f} ms, "
            f"next 20 {next_ms:.1f} ms each, CPU until the copy is settled {results[-1]['cpu_s']:.2f} s"
        )
    return results


def _wait_settled(store: FaissVectorStore, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        copies = getattr(store, "_copies", None)
        refreshing = copies.refreshing if copies is not None else None
        if refreshing is None and store._matrix is not None and store._matrix.scanner.quantised:
            return
        time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    store = load_store(args.vectors)
    texts = [q for _, q in read_queries(args.queries)][: args.limit]
    queries = encode(store, texts)
    if args.thresholds:
        thresholds = [float(t) for t in args.thresholds.split(",")]
    else:
        thresholds = [
            calibrate_store(store, DEFAULT_QUANTILE) or 0.0,
            calibrate_store(store, NEAR_QUANTILE) or 0.0,
        ]
    matrix = np.empty((store.count(), store.dim), dtype=np.float32)
    labels = store._idmap.labels()
    for start in range(0, labels.size, 8192):
        matrix[start : start + 8192] = store._index.reconstruct(labels[start : start + 8192])
    row_of = {pid: row for row, pid in enumerate(map(store._idmap.product_id, labels.tolist())) if pid}
    built = time.perf_counter()
    scanner = RangeScanner(store._faiss, matrix)
    build_s = time.perf_counter() - built
    load_before = os.getloadavg()
    levels = [
        measure(store, scanner, matrix, queries, t, args.timed, args.repeats, args.depth, row_of)
        for t in thresholds
    ]
    report = {
        "vectors": str(args.vectors),
        "rows": len(matrix),
        "dim": store.dim,
        "queries": len(queries),
        "timed_queries": min(args.timed, len(queries)),
        "repeats": args.repeats,
        "faiss_threads": store._faiss.omp_get_max_threads(),
        "quantised": scanner.quantised,
        "build_s": round(build_s, 2),
        "levels": levels,
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
    }
    if args.writes:
        report["writes"] = measure_writes(store, queries, thresholds[0], args.writes, args.write_batch)
    print({k: v for k, v in report.items() if k != "levels"})
    for level in levels:
        print({k: v for k, v in level.items() if k != "timings"})
    if args.out:
        write_json(args.out, report)
    exact = all(
        level["answers_differing_from_flat"] == 0 and level["one_pass_ranges_differing_from_flat"] == 0
        for level in levels
    )
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
