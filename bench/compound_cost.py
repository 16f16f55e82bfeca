"""What the compound lookup of German and Dutch catalogs costs on a real vocabulary
(`engine.lexical.typo_terms.SpellIndex.ending`, `engine.lexical.matching.compound_ends`).

Reads the `spell` terms of an embedded lexical index, builds the spell index from them as a gateway
does (timed), then its list of terms spelt backwards (timed, made once per spell index on the first
compound lookup), then looks up a sample of the terms themselves as compound ends (the words a query
would bring), and prints the microseconds per lookup and how many compounds each found on average.

Examples:
  python -m bench.compound_cost var/bench/<catalog>/lexical --sample 2000 \\
      --out bench/results/compound-cost.json
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import doc_parser, write_json
from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.typo_terms import SpellIndex


def main(argv: list[str] | None = None) -> int:
    parser = doc_parser("python -m bench.compound_cost", __doc__)
    parser.add_argument("lexical", type=Path, help="an embedded lexical index directory")
    parser.add_argument("--sample", type=int, default=2000, help="terms looked up as ends (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the sample (default 1)")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    if args.sample < 1:
        parser.error("--sample must be >= 1")
    if not (args.lexical / "CURRENT").exists():
        print(f"error: {args.lexical} is not an embedded lexical index (no CURRENT)", file=sys.stderr)
        return 1
    generation = EmbeddedLexical(args.lexical, reload_interval_s=3600.0)._current()
    if generation is None:
        print(f"error: {args.lexical} has no generation to read", file=sys.stderr)
        return 1
    terms = [term for term, _ in generation.index.searcher().terms_with_prefix("spell", "")]
    start = time.perf_counter()
    index = SpellIndex(terms)
    built = time.perf_counter() - start
    start = time.perf_counter()
    index.ending("x")  # the first lookup spells the terms backwards
    backwards = time.perf_counter() - start
    words = random.Random(args.seed).sample(terms, min(args.sample, len(terms)))
    start = time.perf_counter()
    found = sum(len(index.ending(word)) for word in words)
    per_lookup = (time.perf_counter() - start) / len(words)
    report: dict[str, Any] = {
        "spell_terms": len(terms),
        "spell_index_s": round(built, 3),
        "backwards_list_ms": round(backwards * 1000, 2),
        "lookups": len(words),
        "us_per_lookup": round(per_lookup * 1e6, 2),
        "compounds_per_lookup": round(found / len(words), 2),
    }
    print(
        f"{len(terms)} spell terms; spell index {built:.2f} s; backwards list {backwards * 1000:.1f} ms; "
        f"{per_lookup * 1e6:.1f} us per ending lookup, {found / len(words):.2f} compounds each "
        f"({len(words)} lookups)"
    )
    if args.out is not None:
        write_json(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
