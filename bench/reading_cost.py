"""CPU of the embedded index's per-search calls with and without one kind of query reading.

A search asks the lexical index three things (`EmbeddedLexical.search` for fusion's BM25 top 200,
`search_members` for the match set's lexical top 200 and count, `count_matching` where the set needs
it); a reading (`engine.lexical.readings`) adds clauses to them. This runs those three calls over a
query file in process, in alternating rounds with the readings of `--kind` on and switched off (the
module's function replaced by one returning no reading), and prints the median CPU per query of each.
Use it on the queries that have such readings (`bench.reading_queries`): the others pay nothing.

Examples:
  python -m bench.reading_queries ../shared/datasets/homedepot/queries.dev.tsv /tmp/hd-sizes.tsv
  python -m bench.reading_cost var/bench/<catalog>/lexical /tmp/hd-sizes.tsv --rounds 3
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import engine.lexical.readings as readings
import engine.lexical.tantivy_query as tantivy_query
from bench.common import doc_parser
from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.matching import MatchQuery

KINDS = {"sizes": "size_rewrites", "joined": "joined_rewrites"}
DEPTH = 200  # what a search asks of each lexical call


def _none(*_: Any) -> list[readings.Rewrite]:
    return []


def _switch(name: str, function: Callable[..., list[readings.Rewrite]]) -> None:
    """Make both modules that call `name` call `function` instead."""
    for module in (readings, tantivy_query):
        if hasattr(module, name):
            setattr(module, name, function)


def _round(index: EmbeddedLexical, queries: list[str]) -> float:
    """CPU ms per query of the three calls."""
    start = time.process_time()
    for text in queries:
        index.search(text, DEPTH)
        index.search_members(MatchQuery(text, prefix_last=True), DEPTH)
        index.count_matching(MatchQuery(text, prefix_last=True))
    return (time.process_time() - start) / len(queries) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = doc_parser("python -m bench.reading_cost", __doc__)
    parser.add_argument("lexical", type=Path, help="an embedded lexical index directory")
    parser.add_argument("queries", type=Path, help="TSV: query_id, query (a header line first)")
    parser.add_argument("--kind", choices=sorted(KINDS), default="sizes", help="readings (default sizes)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of each (default 3)")
    args = parser.parse_args(argv)
    if not (args.lexical / "CURRENT").exists():
        print(f"error: {args.lexical} is not an embedded lexical index (no CURRENT)", file=sys.stderr)
        return 1
    lines = args.queries.read_text(encoding="utf-8").splitlines()[1:]
    queries = [line.split("\t")[1] for line in lines if "\t" in line]
    if not queries:
        print(f"error: no queries in {args.queries}", file=sys.stderr)
        return 1
    name = KINDS[args.kind]
    real = getattr(readings, name)
    index = EmbeddedLexical(args.lexical, reload_interval_s=0.0)
    times: dict[str, list[float]] = {"with": [], "without": []}
    try:
        for timed in [False] + [True] * args.rounds:  # the first round of each warms caches
            for label, function in (("with", real), ("without", _none)):
                _switch(name, function)
                spent = _round(index, queries)
                if timed:
                    times[label].append(spent)
    finally:
        _switch(name, real)
    for label, each in times.items():
        rounds = ", ".join(f"{t:.3f}" for t in each)
        median = statistics.median(each)
        print(f"{label} {args.kind} readings: median {median:.3f} ms CPU per query ({rounds})")
    print(f"{len(queries)} queries, {args.rounds} rounds each, alternating")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
