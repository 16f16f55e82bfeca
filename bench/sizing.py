"""Vector index sizing: bytes per vector of each FAISS layout, as the engine's own store builds it.

For each `--index KIND:COUNT` it fills a `FaissVectorStore` of that layout (flat, hnsw, ivfpq) with
COUNT synthetic unit vectors, in chunks as the indexer adds them, with `expected_count` = COUNT (so an
IVF-PQ gets the nlist and PQ shape the factory would give a catalog of that size), then saves it
through `FaissVectorStore.save` into a temporary directory and measures:

- the saved FAISS index file (what a gateway process reads and holds in memory),
- the whole saved directory (index, id map, manifest and the `CURRENT` pointer: what the data
  volume must hold per generation),
- the growth of this process's resident memory while building (approximate: the allocator reuses
  memory freed by an earlier index in the same run, and it includes the id map's Python objects),
- the time to build (add every chunk, training included) and to save.

Synthetic vectors are standard normal draws normalised to unit length, from a fixed seed: layout sizes
do not depend on the data (flat and HNSW store every float, IVF-PQ one code per vector), only build
times and the IVF-PQ's quality do, and quality is measured on real catalogs by `bench.relevance`.
Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import print_table, write_json
from bench.indexing_metrics import hardware

EPILOG = """examples:
  python -m bench.sizing --index flat:100000 --index hnsw:100000 --index ivfpq:1000000 \\
      --out bench/results/sizing.json
  python -m bench.sizing --index ivfpq:100k --dim 512              CLIP-sized vectors
  python -m bench.sizing --index flat:2000 --no-progress           a quick check

KIND is flat, hnsw or ivfpq; COUNT takes an optional k or m suffix (100k, 1m). Building a 100,000-vector
HNSW graph takes minutes (about 11 on a loaded 2-core machine); a 1 M IVF-PQ about 9.
"""

DEFAULT_DIM = 384
DEFAULT_CHUNK = 50_000


def parse_spec(text: str) -> tuple[str, int]:
    """`KIND:COUNT` -> (kind, count); ValueError naming what is wrong."""
    from engine.vectors.faiss_store import INDEX_TYPES

    kind, sep, count = text.partition(":")
    if not sep or kind not in INDEX_TYPES:
        raise ValueError(f"expected KIND:COUNT with KIND one of {', '.join(INDEX_TYPES)}, got {text!r}")
    digits = count.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(digits[-1:], 1)
    digits = digits.rstrip("km")
    if not digits.isdigit() or int(digits) * scale < 1:
        raise ValueError(f"COUNT must be a positive whole number (optionally 100k, 1m), got {count!r}")
    return kind, int(digits) * scale


def check_specs(specs: Sequence[tuple[str, int]], dim: int) -> None:
    """ValueError for a spec that would not measure its layout: an IVF-PQ below its training size."""
    from engine.vectors.faiss_indexes import ivfpq_training_size

    for kind, n in specs:
        if kind == "ivfpq" and n < ivfpq_training_size(n, dim):
            raise ValueError(
                f"an IVF-PQ is trained once it holds {ivfpq_training_size(n, dim):,} vectors and keeps "
                f"raw vectors until then: ivfpq:{n} would measure those, not the layout"
            )


def synthetic_chunks(n: int, dim: int, chunk: int, seed: int = 0) -> Iterator[tuple[list[str], np.ndarray]]:
    """(ids, unit vectors) in chunks of at most `chunk`; the same seed gives the same vectors."""
    rng = np.random.default_rng(seed)
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        vectors = rng.standard_normal((size, dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        yield [f"p{start + i:08d}" for i in range(size)], vectors


def resident_bytes() -> int | None:
    """This process's resident set size, or None where /proc is not available."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def measure(
    kind: str,
    n: int,
    dim: int = DEFAULT_DIM,
    *,
    chunk: int = DEFAULT_CHUNK,
    seed: int = 0,
    progress: bool = True,
) -> dict[str, Any]:
    """Build, save and measure one layout; see the module docstring for what each figure means."""
    from tqdm import tqdm

    from engine.vectors import persist
    from engine.vectors.base import VectorManifest
    from engine.vectors.faiss_indexes import INDEX_FILE, IndexParams
    from engine.vectors.faiss_store import FaissVectorStore

    check_specs([(kind, n)], dim)
    gc.collect()
    before = resident_bytes()
    store = FaissVectorStore(dim, kind, params=IndexParams(expected_count=n))
    started = time.perf_counter()
    with tqdm(total=n, unit="vec", unit_scale=True, desc=f"{kind} {n:,}", disable=not progress) as bar:
        for ids, vectors in synthetic_chunks(n, dim, chunk, seed):
            store.add(ids, vectors)
            bar.update(len(ids))
    build_s = time.perf_counter() - started
    after = resident_bytes()
    if store.count() != n:
        raise RuntimeError(f"{kind}: the store holds {store.count()} vectors after adding {n}")
    with tempfile.TemporaryDirectory(prefix="aisle-sizing-") as tmp:
        started = time.perf_counter()
        store.save(Path(tmp), VectorManifest("text", "synthetic", "1", dim, n, kind))
        save_s = time.perf_counter() - started
        generation = persist.current_generation(Path(tmp))
        index_file = (generation / INDEX_FILE).stat().st_size
        saved_dir = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    growth = after - before if after is not None and before is not None else None
    del store
    gc.collect()
    return {
        "kind": kind,
        "n": n,
        "dim": dim,
        "build_s": round(build_s, 1),
        "save_s": round(save_s, 1),
        "index_file_bytes": index_file,
        "saved_dir_bytes": saved_dir,
        "rss_growth_bytes": growth,
        "bytes_per_vector_index": round(index_file / n, 1),
        "bytes_per_vector_dir": round(saved_dir / n, 1),
        "rss_per_vector": round(growth / n, 1) if growth is not None else None,
    }


def run(
    specs: Sequence[tuple[str, int]],
    dim: int = DEFAULT_DIM,
    *,
    chunk: int = DEFAULT_CHUNK,
    seed: int = 0,
    progress: bool = True,
) -> dict[str, Any]:
    """Measure every (kind, count) in turn; the report written as JSON."""
    from engine.vectors.faiss_indexes import import_faiss

    results = []
    for kind, n in specs:
        results.append(measure(kind, n, dim, chunk=chunk, seed=seed, progress=progress))
        print(f"{kind} {n}: done", file=sys.stderr)
    return {
        "benchmark": "sizing",
        "vectors": f"synthetic unit vectors, standard normal, seed {seed}",
        "dim": dim,
        "chunk": chunk,
        "faiss_version": str(getattr(import_faiss(), "__version__", "unknown")),
        "hardware": hardware(),
        "results": results,
    }


def per_million(bytes_per_vector: float) -> str:
    return f"{bytes_per_vector * 1e6 / 1e9:.2f} GB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sizing",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--index",
        action="append",
        required=True,
        metavar="KIND:COUNT",
        help="a layout and how many vectors to fill it with (repeat for several)",
    )
    parser.add_argument("--dim", type=int, default=DEFAULT_DIM, help=f"dimension (default {DEFAULT_DIM})")
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK, help="vectors per add (default 50000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic vectors (default 0)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--out", type=Path, help="results JSON")
    args = parser.parse_args(argv)
    if args.dim < 1 or args.chunk < 1:
        parser.error("--dim and --chunk must be positive")
    try:
        specs = [parse_spec(text) for text in args.index]
        check_specs(specs, args.dim)
    except ValueError as exc:
        parser.error(f"--index: {exc}")
    report = run(specs, args.dim, chunk=args.chunk, seed=args.seed, progress=not args.no_progress)
    rows = [
        (
            r["kind"],
            f"{r['n']:,}",
            r["dim"],
            r["bytes_per_vector_index"],
            r["bytes_per_vector_dir"],
            "-" if r["rss_per_vector"] is None else r["rss_per_vector"],
            per_million(r["bytes_per_vector_index"]),
            r["build_s"],
        )
        for r in report["results"]
    ]
    headers = (
        "index",
        "vectors",
        "dim",
        "B/vec index",
        "B/vec saved dir",
        "B/vec RSS",
        "index per 1M",
        "build s",
    )
    print_table(headers, rows)
    if args.out:
        write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
