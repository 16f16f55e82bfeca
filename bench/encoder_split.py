"""Write the query-disjoint halves `bench.encoder_finetune` uses as query files for other benchmarks.

`bench.encoder_finetune` trains on one seeded half of a dev set's judged queries and scores the other;
the relevance benchmark (`bench.relevance --queries`) scores whatever query file it is given, so the
full (hybrid) pipeline is compared on exactly the held-out half by writing that half out here. The
split is `engine.encoder.data.split_queries` over the judged queries with the same seed.

    python -m bench.encoder_split --queries ../shared/datasets/homedepot/queries.dev.tsv \\
        --qrels ../shared/datasets/homedepot/qrels.dev.tsv --out var/splits/homedepot
    # writes var/splits/homedepot/queries.{train,heldout}.tsv (query_id, query with the header)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.encoder.data import split_queries
from engine.errors import AisleError
from engine.learning.offline_data import load_judgements


def write_queries(path: Path, ids: list[str], texts: dict[str, str]) -> None:
    lines = "".join(f"{qid}\t{texts[qid]}\n" for qid in sorted(ids))
    path.write_text("query_id\tquery\n" + lines, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.encoder_split",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--queries", type=Path, required=True, help="TSV: query_id, query")
    parser.add_argument("--qrels", type=Path, required=True, help="TSV: query_id, product_id, grade")
    parser.add_argument("--out", type=Path, required=True, help="directory for the two query files")
    parser.add_argument("--seed", type=int, default=13, help="split seed (bench.encoder_finetune's)")
    args = parser.parse_args(argv)
    for path in (args.queries, args.qrels):
        if not path.is_file():
            parser.error(f"no such file: {path}")
    judgements = load_judgements(args.queries, args.qrels)
    train, heldout = split_queries(judgements.judged_queries(), 0.5, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    write_queries(args.out / "queries.train.tsv", train, judgements.queries)
    write_queries(args.out / "queries.heldout.tsv", heldout, judgements.queries)
    print(f"{len(train)} training and {len(heldout)} held-out queries in {args.out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AisleError as exc:
        print(f"encoder_split: error: {exc.message}", file=sys.stderr)
        sys.exit(1)
