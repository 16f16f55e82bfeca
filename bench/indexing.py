"""Indexing throughput: the real build pipeline against the raw encoder on the same texts, in one run.

The pipeline is `indexer.build.Builder` end to end: validate the catalog, embed every product through
Triton (`TritonTextEncoder.encode_many`), write the FAISS store and the lexical index (OpenSearch or the
embedded BM25 index), write the manifest and switch the generation. The raw encoder is the same
sentence-transformers model in this process on the same runtime (`AISLE_TEXT_RUNTIME`: ONNX Runtime on
CPU by default, with its default thread pool on both sides), on exactly the texts the pipeline sends
(`Product.text_for_embedding()`, `AISLE_TEXT_MAX_TOKENS`), at its best batch size from a sweep; on the
PyTorch runtime, with the same number of torch threads as the encoder inside Triton.

The machine may be shared, so the two are interleaved (raw, pipeline, raw, ...) and the raw passes
averaged: noise hits both sides of the ratio alike.

Examples:

    # development: 2,000 products, embedded BM25 index
    python -m bench.indexing --products ../shared/datasets/crowdflower/products.jsonl --limit 2000

    # the real OpenSearch (scripts/opensearch.sh start), full catalog, results kept
    AISLE_OPENSEARCH_PORT=9250 scripts/opensearch.sh start
    python -m bench.indexing --products ../shared/datasets/homedepot/products.jsonl \\
      --lexical opensearch --opensearch-url http://127.0.0.1:9250 --out bench/results/indexing-hd.json

    # a wider batch-size sweep, two pipeline runs
    python -m bench.indexing --products catalog.jsonl --batch-sizes 16,32,64,128,256 --repeats 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import print_table, write_json
from bench.indexing_metrics import (
    TABLE_HEADERS,
    Summary,
    Timing,
    best_batch_size,
    evenly_spaced,
    hardware,
    interleave,
    load_average,
    parse_batch_sizes,
    table_rows,
)
from bench.indexing_run import (
    PipelineRunner,
    RawEncoder,
    catalog_texts,
    drop_opensearch_indexes,
    dynamic_batching,
    limited_catalog,
    server_settings,
    start_server,
    stub_environment,
)
from engine.config import Settings, load_settings
from engine.errors import AisleError
from engine.lexical.base import LexicalIndex
from indexer.build import BuildOptions
from indexer.embedding import DEFAULT_EMBED, EmbedOptions

WARMUP_TEXTS = 256


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.indexing",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--products", type=Path, required=True, help="catalog file (JSONL, CSV, Parquet)")
    parser.add_argument("--limit", type=int, help="only the first N lines of the catalog")
    parser.add_argument(
        "--lexical",
        choices=("opensearch", "embedded"),
        help="lexical index the pipeline writes (default: opensearch when AISLE_OPENSEARCH_URL is set)",
    )
    parser.add_argument("--opensearch-url", help="OpenSearch URL (default: AISLE_OPENSEARCH_URL)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument(
        "--batch-sizes", default="16,32,64,128", help="raw-encoder batch sizes to sweep (default %(default)s)"
    )
    parser.add_argument("--sweep-size", type=int, default=2000, help="texts per sweep pass (spread out)")
    parser.add_argument("--repeats", type=int, default=1, help="pipeline runs (each between raw runs)")
    parser.add_argument(
        "--threads", type=int, help="torch threads on both sides, PyTorch runtime only (default: torch's own)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_EMBED.batch_size, help="pipeline request size"
    )
    parser.add_argument(
        "--in-flight", type=int, default=DEFAULT_EMBED.in_flight, help="pipeline requests outstanding"
    )
    parser.add_argument(
        "--chunk-size", type=int, default=BuildOptions.chunk_size, help="build checkpoint chunk"
    )
    parser.add_argument("--work-dir", type=Path, help="scratch directory (default: a temporary one)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def _lexical_settings(args: argparse.Namespace) -> tuple[str, Settings]:
    url = args.opensearch_url or os.environ.get("AISLE_OPENSEARCH_URL", "embedded")
    kind = args.lexical or ("embedded" if url == "embedded" else "opensearch")
    if kind == "opensearch" and url == "embedded":
        raise AisleError("--lexical opensearch needs --opensearch-url or AISLE_OPENSEARCH_URL")
    if kind == "embedded":
        return kind, load_settings(opensearch_url="embedded")
    return kind, load_settings(opensearch_url=url, index_alias=f"bench-indexing-{os.getpid()}")


def _lexical_factory(kind: str) -> Callable[[Settings], LexicalIndex]:
    if kind == "embedded":
        from engine.lexical.embedded import EmbeddedLexical

        return EmbeddedLexical.from_settings
    from engine.lexical.factory import create_lexical

    return create_lexical


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    import torch

    threads = args.threads or torch.get_num_threads()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # what the Triton stub gets
    lexical_kind, settings = _lexical_settings(args)
    sizes = parse_batch_sizes(args.batch_sizes)
    progress = not args.no_progress
    catalog = limited_catalog(args.products, args.limit, work)
    texts = catalog_texts(catalog, settings.text_max_tokens)
    if not texts:
        raise AisleError(f"no valid product in {args.products}")
    machine = hardware()
    print(
        f"{len(texts)} products from {args.products}; lexical: {lexical_kind}; threads: {threads}",
        file=sys.stderr,
    )

    raw = RawEncoder(settings, threads)
    embed = EmbedOptions(batch_size=args.batch_size, in_flight=args.in_flight)
    with start_server(server_settings(settings, work), threads) as (inference, server):
        inference.text_encoder().encode_many(texts[:WARMUP_TEXTS], batch_size=embed.batch_size)  # type: ignore[attr-defined]
        pipeline = PipelineRunner(
            settings, inference, _lexical_factory(lexical_kind), work, embed, args.chunk_size
        )
        sample = evenly_spaced(texts, args.sweep_size)
        raw.run(texts[:WARMUP_TEXTS], sizes[-1], "raw warm-up", progress=False)
        sweep = [raw.run(sample, size, f"raw sweep ({len(sample)})", progress) for size in sizes]
        best = best_batch_size(sweep)
        runs: list[Timing] = []
        raw_runs: list[Timing] = []
        pipeline_runs: list[Timing] = []
        try:
            for n, side in enumerate(interleave("raw", "pipeline", args.repeats), start=1):
                if side == "raw":
                    raw_runs.append(raw.run(texts, best, f"raw #{n}", progress))
                    runs.append(raw_runs[-1])
                else:
                    pipeline_runs.append(pipeline.run(catalog, len(texts), f"pipeline #{n}", progress))
                    runs.append(pipeline_runs[-1])
                print(f"{runs[-1].label}: {runs[-1].rate:.1f} products/s", file=sys.stderr)
        finally:
            if lexical_kind == "opensearch":
                drop_opensearch_indexes(settings)
        server_threads = stub_environment(server.pid)
        batching = dynamic_batching(server.repository)

    summary = Summary.of(sweep, raw_runs, pipeline_runs)
    print_table(TABLE_HEADERS, table_rows(sweep, runs, summary))
    return {
        "products_file": str(args.products),
        "products": len(texts),
        "limit": args.limit,
        "raw_rate": summary.raw_rate,
        "pipeline_rate": summary.pipeline_rate,
        "ratio": summary.ratio,
        "best_batch_size": summary.best_batch_size,
        "sweep": [r.to_dict() for r in sweep],
        "runs": [r.to_dict() for r in runs],
        "hardware": {**machine, "load_at_end": load_average()},
        "settings": {
            "lexical": lexical_kind,
            "opensearch_url": settings.opensearch_url if lexical_kind == "opensearch" else None,
            "vector_index": pipeline.index_types,
            "text_max_tokens": settings.text_max_tokens,
            "raw_encoder_max_tokens": raw.max_tokens,
            "pipeline_batch_size": embed.batch_size,
            "pipeline_in_flight": embed.in_flight,
            "chunk_size": args.chunk_size,
            "sweep_size": len(sample),
            "batch_sizes": sizes,
            "repeats": args.repeats,
            "torch_threads": {"in_process": raw.threads, "triton_stub_env": server_threads},
            "triton_query_encoder": batching,
        },
        "command": " ".join(["python -m bench.indexing", *sys.argv[1:]]),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.products.is_file():
        print(f"error: no such file: {args.products}", file=sys.stderr)
        return 2
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="aisle-bench-indexing-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = run(args, work.resolve())
    except AisleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.out:
        write_json(args.out, results)
        print(f"results written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
