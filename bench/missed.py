"""Where the judged-relevant products missing from a search's first 100 hits are.

Sends each judged dev query once through the real HTTP API (`full`, 100 hits, as `bench.relevance`
does), then looks up, for every judged-relevant (query, product) pair that is not among those 100, why:

- `outside`: not in the match set (no lexical match, similarity below the semantic threshold). Split
  by whether the product was a retrieval candidate (BM25 or exact dense top `--depth`, which the answer
  held before the match set existed) and whether it shares a query word (the near clause);
- `inside, candidate`: a member that retrieval found, ranked below 100 by fusion and the ranker;
- `inside, not candidate`: a member that retrieval did not find; it can only appear in the tail of a
  set whose head (candidate members) is shorter than 100.

Also: the similarity of the outside pairs (a histogram), and the mean `total`. Query vectors for the
similarities come from the in-process encoder (the same model as the served one; a pair within a
rounding error of the threshold may be classed on the other side). Tells a membership
problem from a ranking one before any rule is changed. Writes JSON.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from bench.common import (
    add_judged_dataset_args,
    bench_settings,
    build_index,
    default_threshold,
    gateway_process,
    print_table,
    read_qrels,
    read_queries,
    write_json,
)
from bench.relevance import run_method
from engine.lexical.matching import MatchQuery

SIMILARITY_BINS = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 1.01)


def where(member: bool, candidate: bool, shares_word: bool, total: int) -> str:
    """The class of a judged-relevant product missing from the first 100: inside the set or not, found by
    retrieval or not, and (inside) whether the set has at least 100 members, (outside) whether the
    product shares a query word."""
    found = "candidate" if candidate else "not candidate"
    if member:
        return f"inside, {found}, {'big set' if total >= 100 else 'thin set'}"
    return f"outside, {found}, {'shares a word' if shares_word else 'no shared word'}"


def answers(args: argparse.Namespace, queries: list[tuple[str, str]]) -> tuple[dict, dict]:
    """query id -> the first 100 ids of `full`, and -> `total`, from a gateway on the bench index."""
    from engine.inference.factory import create_inference

    settings, env = bench_settings(args.products, args.data_root)
    inference = create_inference(settings)
    try:
        build_index(settings, args.products, inference)
        with gateway_process(env) as url:
            return run_method(url, "full", queries, args.concurrency)
    finally:
        inference.close()


def classify(args: argparse.Namespace) -> dict[str, Any]:
    from engine.catalog import catalog_root, open_live
    from engine.lexical.factory import create_lexical
    from engine.pipeline.semantic import Threshold
    from engine.vectors.calibration import DEFAULT_QUANTILE
    from engine.vectors.factory import FactoryVectorIO

    qrels = read_qrels(args.qrels)
    queries = [(qid, q) for qid, q in read_queries(args.queries) if qid in qrels][: args.limit or None]
    relevant = default_threshold(qrels)
    runs, totals = answers(args, queries)

    settings, _ = bench_settings(args.products, args.data_root)
    live = open_live(catalog_root(settings), FactoryVectorIO(settings))
    store = live.stores["text"]
    lexical = create_lexical(settings)
    lexical.use(live.manifest.lexical or None)
    threshold = Threshold(None, lambda: live.manifest.semantic_threshold, DEFAULT_QUANTILE).value(store)
    if threshold is None:
        raise SystemExit("bench.missed: the index has no text vectors (no semantic side to look at)")
    ids = store.ids()
    stored = store.get_vectors(ids)
    matrix = np.stack([stored[i] for i in ids]).astype(np.float32)
    row = {pid: i for i, pid in enumerate(ids)}
    from bench.matchset import encode_queries

    query_vectors = encode_queries([q for _, q in queries])

    kinds: Counter[str] = Counter()
    outside_sims: list[float] = []
    found = missing = 0
    for n, (qid, text) in enumerate(tqdm(queries, desc="pairs", file=sys.stderr)):
        top = set(runs.get(qid, []))
        wanted = [p for p, g in qrels[qid].items() if g >= relevant and p in row]
        lost = [p for p in wanted if p not in top]
        found += len(wanted) - len(lost)
        missing += len(lost)
        if not lost:
            continue
        sims = matrix @ query_vectors[n]
        dense_top = set(np.argsort(-sims)[: args.depth].tolist())
        bm25_top = {h.product_id for h in lexical.search(text, args.depth)}
        lexical_members = lexical.match_ids(MatchQuery(text, prefix_last=True), lost)
        sharing = lexical.match_ids(MatchQuery(text, lexical=False, near_ids=frozenset(lost)), lost)
        for pid in lost:
            sim = float(sims[row[pid]])
            member = pid in lexical_members or sim >= threshold
            if not member:
                outside_sims.append(sim)
            candidate = pid in bm25_top or row[pid] in dense_top
            kinds[where(member, candidate, pid in sharing, totals.get(qid, 0))] += 1
    histogram = np.histogram(outside_sims, bins=SIMILARITY_BINS)[0].tolist() if outside_sims else []
    return {
        "queries": len(queries),
        "relevant_pairs": found + missing,
        "in_first_100": found,
        "missing": missing,
        "semantic_threshold": round(threshold, 4),
        "depth": args.depth,
        "kinds": dict(kinds.most_common()),
        "outside_similarity_bins": list(SIMILARITY_BINS),
        "outside_similarity_counts": histogram,
        "mean_total": round(sum(totals.values()) / max(len(totals), 1), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.missed",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_judged_dataset_args(parser)
    parser.add_argument("--data-root", type=Path, default=Path("var/bench"))
    parser.add_argument("--limit", type=int, help="only the first N judged queries")
    parser.add_argument("--depth", type=int, default=200, help="retrieval depth per side (default 200)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    for path in (args.products, args.queries, args.qrels):
        if not path.is_file():
            parser.error(f"no such file: {path}")
    report = classify(args)
    print(
        f"{report['missing']} of {report['relevant_pairs']} relevant pairs outside the first 100 "
        f"(semantic threshold {report['semantic_threshold']}, mean total {report['mean_total']})"
    )
    print_table(("where", "pairs"), list(report["kinds"].items()))
    bins = report["outside_similarity_bins"]
    print_table(
        ("similarity", "outside pairs"),
        [(f"{bins[i]:.2f}-{bins[i + 1]:.2f}", c) for i, c in enumerate(report["outside_similarity_counts"])],
    )
    if args.out:
        write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
