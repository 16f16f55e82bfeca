"""Write the queries of a query file that have another reading of a given kind, to score them apart.

A reading (`engine.lexical.readings`) changes only the queries that have one, a few percent of a dev
set, so its effect on the whole set's mean is small and hard to see next to run-to-run noise. This
keeps those queries (same TSV layout, header kept) so `bench.relevance --queries` can score them before
and after the change on the same index.

Examples:
  python -m bench.reading_queries ../shared/datasets/homedepot/queries.dev.tsv /tmp/hd-sizes.tsv
  python -m bench.reading_queries ../shared/datasets/crowdflower/queries.dev.tsv /tmp/j.tsv --kind joined
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from bench.common import doc_parser
from engine.lexical.analysis import make_analyzer
from engine.lexical.readings import Rewrite, joined_rewrites, size_rewrites

KINDS: dict[str, Callable[[str, Callable[[str], list[str]]], list[Rewrite]]] = {
    "sizes": size_rewrites,
    "joined": joined_rewrites,
}


def main(argv: list[str] | None = None) -> int:
    parser = doc_parser("python -m bench.reading_queries", __doc__)
    parser.add_argument("queries", type=Path, help="TSV: query_id, query (a header line first)")
    parser.add_argument("out", type=Path, help="where to write the kept queries (same layout)")
    parser.add_argument(
        "--kind", choices=sorted(KINDS), default="sizes", help="which readings (default sizes)"
    )
    parser.add_argument(
        "--language", default="english", help="catalog language of the analysis (default english)"
    )
    args = parser.parse_args(argv)
    try:
        lines = args.queries.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        print(f"error: cannot read {args.queries}: {exc.strerror}", file=sys.stderr)
        return 1
    if not lines:
        print(f"error: {args.queries} is empty", file=sys.stderr)
        return 1
    analyzer = make_analyzer(args.language)
    readings = KINDS[args.kind]
    kept = [lines[0]]
    for number, line in enumerate(lines[1:], start=2):
        parts = line.split("\t")
        if len(parts) < 2:
            print(f"error: {args.queries}:{number}: expected query_id<TAB>query", file=sys.stderr)
            return 1
        if readings(parts[1], analyzer):
            kept.append(line)
    args.out.write_text("\n".join(kept) + "\n", encoding="utf-8")
    print(f"{len(kept) - 1} of {len(lines) - 1} queries have {args.kind} readings -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
