"""CPU of the embedded index's per-search calls with typo terms from the spell index, and with the fuzzy
automaton that stands in while it builds (`engine.lexical.typo_terms`).

A search asks the lexical index for its candidates and the match set's lexical members with their count
(`search_with_members`), then which of the candidates the members query did not name are members
(`match_ids`), and sometimes the set's size (`count_matching`). This runs those calls over a query
file in process, in alternating rounds with the spell index and with the automaton (the query
builder's lookups switched off), prints the median CPU per query of each, and checks that both give
the same candidates, members, scores, counts and membership for every query.

Examples:
  python -m bench.typo_cost var/bench/<catalog>/lexical ../shared/datasets/homedepot/queries.dev.tsv \\
      --offset 3000 --limit 1000 --rounds 3 --out bench/results/typo-cost.json
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import doc_parser, read_queries, write_json
from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.matching import MatchQuery
from engine.lexical.tantivy_generation import Generation

DEPTH = 200  # what a search asks of each lexical call


def _answers(index: EmbeddedLexical, text: str) -> tuple[Any, ...]:
    """One search's lexical calls, with what each answered."""
    match = MatchQuery(text, prefix_last=True)
    candidates, members = index.search_with_members(text, DEPTH, match)
    named = {h.product_id for h in members.hits}
    rest = [h.product_id for h in candidates if h.product_id not in named]
    inside = index.match_ids(match, rest) if rest else set()
    return candidates, members, sorted(inside), index.count_matching(match)


def _round(index: EmbeddedLexical, queries: list[str]) -> tuple[float, list[tuple[Any, ...]]]:
    """(CPU ms per query, the answers)."""
    start = time.process_time()
    answers = [_answers(index, text) for text in queries]
    return (time.process_time() - start) / len(queries) * 1000, answers


def _use_index(generation: Generation, on: bool) -> None:
    spell = generation.queries.spell
    spell.typo_terms = generation.typos.terms if on else (lambda word, distance: None)
    spell.prefixed_terms = generation.typos.beginning if on else (lambda begin: None)


def main(argv: list[str] | None = None) -> int:
    parser = doc_parser("python -m bench.typo_cost", __doc__)
    parser.add_argument("lexical", type=Path, help="an embedded lexical index directory")
    parser.add_argument("queries", type=Path, help="TSV with a query_id, query header")
    parser.add_argument("--offset", type=int, default=0, help="skip this many queries first (default 0)")
    parser.add_argument("--limit", type=int, default=1000, help="queries to run (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of each (default 3)")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    if args.offset < 0 or args.limit < 1 or args.rounds < 1:
        parser.error("--offset must be >= 0, --limit and --rounds >= 1")
    if not (args.lexical / "CURRENT").exists():
        print(f"error: {args.lexical} is not an embedded lexical index (no CURRENT)", file=sys.stderr)
        return 1
    queries = [text for _, text in read_queries(args.queries)][args.offset : args.offset + args.limit]
    if not queries:
        print(f"error: no queries in {args.queries} from {args.offset}", file=sys.stderr)
        return 1
    index = EmbeddedLexical(args.lexical, reload_interval_s=3600.0)
    generation = index._current()  # the query builder whose lookups are switched
    if generation is None or not index.warm_typos(timeout=120.0):
        print(f"error: {args.lexical} has no generation to read", file=sys.stderr)
        return 1
    times: dict[str, list[float]] = {"spell index": [], "automaton": []}
    answers: dict[str, list[tuple[Any, ...]]] = {}
    for timed in [False] + [True] * args.rounds:  # the first round of each warms caches
        for label in times:
            _use_index(generation, label == "spell index")
            spent, answers[label] = _round(index, queries)
            if timed:
                times[label].append(round(spent, 3))
    _use_index(generation, True)
    differ = sum(a != b for a, b in zip(answers["spell index"], answers["automaton"], strict=True))
    report: dict[str, Any] = {"queries": len(queries), "rounds": args.rounds, "answers_differing": differ}
    for label, each in times.items():
        report[label] = {"median_cpu_ms": round(statistics.median(each), 3), "rounds": each}
        print(f"{label}: median {statistics.median(each):.3f} ms CPU per query ({each})")
    print(f"{len(queries)} queries, {args.rounds} rounds each, alternating; answers differing: {differ}")
    if args.out is not None:
        write_json(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
