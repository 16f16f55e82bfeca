"""The query encoder's two precisions side by side in one process: CPU per lone query and how close the
int8 vectors are to the float32 ones (`AISLE_TEXT_QUERY_PRECISION`, docs/serving.md).

Both graphs come from the export cache of `--data-dir` (the float32 export is made when missing, the
int8 copy is written beside it exactly as Triton's `query_encoder` writes it), each on one ONNX Runtime
thread as Triton's instances run them. Every query of the first `--limit` is encoded alone by both
(cosine per query: mean, 1st percentile, minimum); the first `--timed` of them are then timed, the two
precisions alternating over `--rounds` so a change in the machine's load does not favour one. What a
search pays for its query in Triton is in `bench.profile_search`; this isolates the graph itself.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import read_queries, write_json

EPILOG = """example:
  python -m bench.query_precision --queries ../shared/datasets/homedepot/queries.dev.tsv \\
      --data-dir var/bench/a60075ffb6676f2f --limit 1000 --timed 300 --rounds 3 \\
      --out bench/results/query-int8/graph-homedepot.json
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.query_precision",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--queries", type=Path, required=True, help="query TSV (query_id, query)")
    parser.add_argument("--data-dir", type=Path, required=True, help="data directory (its models/onnx cache)")
    parser.add_argument("--limit", type=int, default=1000, help="queries compared (default 1000)")
    parser.add_argument("--timed", type=int, default=300, help="of which timed (default 300)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating timed rounds (default 3)")
    parser.add_argument("--out", type=Path, help="write the results JSON here")
    args = parser.parse_args(argv)
    if min(args.limit, args.timed, args.rounds) < 1 or args.timed > args.limit:
        parser.error("--limit, --timed and --rounds must be >= 1, and --timed at most --limit")
    if not args.queries.is_file():
        parser.error(f"--queries {args.queries} is not a file")
    return args


def cpu_ms_per_query(encode: Any, texts: list[str]) -> float:
    started = time.process_time()
    for text in texts:
        encode([text])
    return (time.process_time() - started) / len(texts) * 1e3


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from engine.config import load_settings
    from engine.models.text_encoder import SentenceEncoder, resolve_text_model

    settings = load_settings(data_dir=args.data_dir)
    model_dir, identity = resolve_text_model(settings.text_model, settings.resolved_text_model())
    encoder = SentenceEncoder(
        model_dir,
        settings.text_max_tokens,
        runtime="onnx",
        onnx_cache=settings.path("models", "onnx"),
        threads=1,
        query_precision="int8",
    )
    texts = [query for _, query in read_queries(args.queries)][: args.limit]
    if not texts:
        print(f"python -m bench.query_precision: error: no queries in {args.queries}", file=sys.stderr)
        return 1
    exact, int8 = encoder.encode(texts), encoder.encode_queries(texts)
    cosine = (exact * int8).sum(axis=1)
    timed = texts[: args.timed]
    ways = {"fp32": encoder.encode, "int8": encoder.encode_queries}
    rounds: list[dict[str, float]] = []
    for _ in range(args.rounds):
        rounds.append({name: round(cpu_ms_per_query(encode, timed), 3) for name, encode in ways.items()})
    medians = {name: float(np.median([r[name] for r in rounds])) for name in ways}
    similarity = {
        "mean": round(float(cosine.mean()), 4),
        "p1": round(float(np.percentile(cosine, 1)), 4),
        "min": round(float(cosine.min()), 4),
    }
    ratio = round(medians["int8"] / medians["fp32"], 3)
    result = {
        "encoder": {"name": identity.name, "version": identity.version},
        "queries": len(texts),
        "timed": len(timed),
        "cosine": similarity,
        "cpu_ms_per_query": rounds,
        "median_cpu_ms_per_query": medians,
        "int8_over_fp32": ratio,
    }
    print(
        f"{len(texts)} queries: cosine int8 vs fp32 mean {similarity['mean']}, 1st percentile "
        f"{similarity['p1']}, min {similarity['min']}\n"
        f"CPU ms per lone query (median of {args.rounds} rounds of {len(timed)}): "
        f"fp32 {medians['fp32']:.2f}, int8 {medians['int8']:.2f} ({ratio}x)"
    )
    if args.out:
        write_json(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
