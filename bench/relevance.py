"""Relevance benchmark: nDCG@10 and Recall@100 of each retrieval method through the real HTTP API.

Builds (or reuses, keyed by the products file's checksum) the index of the products file with the
indexer library, starts the gateway with Triton and the lexical backend from the AISLE_* settings (or
uses --api URL), sends every query once per method (`pipeline` field of POST /v1/search, 100 hits),
prints a table and writes {"methods": {"<name>": {"ndcg@10": x, "recall@100": y, "queries": n}}}. A
catalog whose products name their family (a shop's sizes and colours, shown once per search) is also
scored by family (`bench.family_judging`: "families" beside each method's figures, and two more columns).

Every answer must be the method's own: a degraded one (`"degraded": [...]`, e.g. lexical-only because
a Triton call missed its deadline) stops the run with exit 1 naming how many and which parts, instead
of scoring it. The gateway started here gets `AISLE_TRITON_SERVING_TIMEOUT_S` = `AISLE_TRITON_TIMEOUT_S`
(unless set): a benchmark measures relevance, and on a loaded machine an encoder call may take longer
than a shopper-facing deadline allows.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from bench.common import (
    Qrels,
    add_backend_args,
    add_judged_dataset_args,
    backend_env,
    bench_settings,
    build_index,
    default_threshold,
    gateway_process,
    grade_scale,
    mean,
    print_table,
    read_qrels,
    read_queries,
    recall_at,
    write_json,
)
from bench.family_judging import by_family, family_keys
from engine.config import Settings
from engine.learning.metrics import ndcg_at_k
from engine.lexical.analysis import make_analyzer
from engine.lexical.synonyms import SynonymFile, synonyms_path
from engine.pipeline.types import METHODS

EPILOG = """examples:
  python -m bench.relevance --products ../shared/datasets/crowdflower/products.jsonl \\
      --queries ../shared/datasets/crowdflower/queries.dev.tsv \\
      --qrels ../shared/datasets/crowdflower/qrels.dev.tsv --out bench/results/crowdflower.json
  python -m bench.relevance ... --methods bm25,full --limit 500      a quick look on 500 queries
  python -m bench.relevance ... --api http://127.0.0.1:8080           a gateway already serving that index
  python -m bench.relevance --products before/products.jsonl --families after/products.jsonl ...
                                    scored by the families another reading of the export found
  python -m bench.relevance ... --vectors opensearch-knn --opensearch-url http://127.0.0.1:9200
                                    vectors in OpenSearch k-NN, BM25 in the same cluster
  python -m bench.relevance ... --methods full --sort price_asc
                                    how relevant the pages of "lowest price first" are
"""

DEPTH = 100


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.relevance",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_judged_dataset_args(parser)
    parser.add_argument("--methods", default=",".join(METHODS), help=f"comma list of {', '.join(METHODS)}")
    parser.add_argument("--out", type=Path, help="write the results JSON here")
    parser.add_argument("--api", help="use this gateway instead of starting one (it must serve the index)")
    parser.add_argument(
        "--data-root",
        type=Path,
        default=Path("var/bench"),
        help="where per-catalog indexes are kept (default: var/bench)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        help="grade counted relevant for Recall@100 (default from the scale: 3 on 1..4, 2.5 on 1..3)",
    )
    parser.add_argument("--limit", type=int, help="only the first N judged queries")
    parser.add_argument(
        "--sort",
        choices=("relevance", "price_asc", "price_desc"),
        default="relevance",
        help="the order asked for (default relevance); a price sort scores how relevant its pages are",
    )
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight (default 4)")
    parser.add_argument(
        "--families",
        type=Path,
        help="the catalog whose product families score the answers (default: --products; another "
        "reading of the same export, to compare code that read it otherwise)",
    )
    parser.add_argument(
        "--synonyms",
        type=Path,
        help='the shop\'s synonym sets, a JSON file {"synonyms": [["vorne", "vorderachse"], ...]} as the '
        "admin API takes them, served with the index",
    )
    add_backend_args(parser)
    args = parser.parse_args(argv)
    try:
        args.backends = backend_env(args.vectors, args.lexical, args.opensearch_url)
    except ValueError as exc:
        parser.error(str(exc))
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = sorted(set(args.methods) - set(METHODS))
    if unknown:
        parser.error(f"unknown method(s) {', '.join(unknown)}; expected {', '.join(METHODS)}")
    named = (args.products, args.queries, args.qrels, *[p for p in (args.families, args.synonyms) if p])
    for path in named:
        if not path.is_file():
            parser.error(f"no such file: {path}")
    return args


class UnfitAnswers(RuntimeError):
    """Answers that are not the method's own (an HTTP error, a degraded answer): nothing is scored."""


def run_method(
    url: str, method: str, queries: list[tuple[str, str]], concurrency: int, sort: str = "relevance"
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """query_id -> ranked product ids, and query_id -> the answer's `total`, through POST /v1/search.
    Raises `UnfitAnswers` on an HTTP error or when any answer was degraded."""
    with httpx.Client(base_url=url, timeout=180.0) as client:  # above AISLE_TRITON_TIMEOUT_S=120

        def one(item: tuple[str, str]) -> tuple[str, list[str], int, list[str]]:
            qid, query = item
            request = {"query": query, "size": DEPTH, "pipeline": method, "sort": sort}
            response = client.post("/v1/search", json=request)
            if response.status_code != 200:
                raise UnfitAnswers(f"{method} {query!r}: HTTP {response.status_code}: {response.text[:300]}")
            answer = response.json()
            hits = [hit["id"] for hit in answer["hits"]]
            return qid, hits, int(answer["total"]), list(answer.get("degraded") or [])

        with ThreadPoolExecutor(concurrency) as pool:
            results = list(
                tqdm(pool.map(one, queries), total=len(queries), desc=method, file=sys.stderr, leave=False)
            )
    degraded = Counter(part for *_, parts in results for part in parts)
    if degraded:
        answers = sum(1 for *_, parts in results if parts)
        parts = ", ".join(f"{part} {count}" for part, count in sorted(degraded.items()))
        raise UnfitAnswers(
            f"{method}: {answers} of {len(results)} answers were degraded ({parts}): a backend failed or "
            "was too slow, and those answers are not the method's; see the gateway's log"
        )
    return {qid: ids for qid, ids, _, _ in results}, {qid: total for qid, _, total, _ in results}


def sizes(totals: dict[str, int]) -> dict[str, float]:
    """Mean `total` per query and the share of queries that answered `total: 0`."""
    count = max(len(totals), 1)
    return {
        "mean_total": round(sum(totals.values()) / count, 1),
        "zero_total_share": round(sum(1 for t in totals.values() if t == 0) / count, 4),
    }


def evaluate(runs: dict[str, list[str]], qrels: Qrels, threshold: float) -> dict[str, Any]:
    low, _ = grade_scale(qrels)
    ndcg, n = mean([ndcg_at_k(runs.get(qid, []), qrels[qid], 10, low) for qid in qrels if qid in runs])
    recall, m = mean(
        [recall_at(runs.get(qid, []), qrels[qid], DEPTH, threshold) for qid in qrels if qid in runs]
    )
    return {"ndcg@10": round(ndcg, 4), "recall@100": round(recall, 4), "queries": n, "recall_queries": m}


def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    qrels = read_qrels(args.qrels)
    queries = [(qid, q) for qid, q in read_queries(args.queries) if qid in qrels]
    if args.limit:
        queries = queries[: args.limit]
    threshold = args.threshold if args.threshold is not None else default_threshold(qrels)
    families = family_keys(args.families or args.products)
    results: dict[str, Any] = {}
    for method in args.methods:
        start = time.perf_counter()
        runs, totals = run_method(url, method, queries, args.concurrency, args.sort)
        results[method] = {**evaluate(runs, qrels, threshold), **sizes(totals)}
        if families:
            results[method]["families"] = evaluate(*by_family(runs, qrels, families), threshold)
        results[method]["seconds"] = round(time.perf_counter() - start, 1)
    return {
        "methods": results,
        "products": str(args.products),
        "queries": str(args.queries),
        "qrels": str(args.qrels),
        "recall_threshold": threshold,
        "evaluated_queries": len(queries),
        "sort": args.sort,
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """The report: against `--api`, or against a gateway started here over the index of the products."""
    if args.api:
        return run(args, args.api.rstrip("/"))
    from engine.inference.factory import create_inference

    settings, env = bench_settings(args.products, args.data_root, args.backends)
    if "AISLE_TRITON_SERVING_TIMEOUT_S" not in os.environ:
        env["AISLE_TRITON_SERVING_TIMEOUT_S"] = str(settings.triton_timeout_s)
    inference = create_inference(settings)  # stays up so the gateway reuses the same Triton
    try:
        build_index(settings, args.products, inference)
        serve_synonyms(settings, args.synonyms)
        with gateway_process(env) as url:
            report = run(args, url)
    finally:
        inference.close()
    report["backends"] = {
        "vectors": settings.vector_backend,
        "lexical": "embedded" if settings.embedded_lexical else "opensearch",
    }
    return report


def serve_synonyms(settings: Settings, path: Path | None) -> None:
    """The synonym sets of `path` in the index's data directory, where the gateway reads them; none
    (a run before may have left some) without it."""
    stored = synonyms_path(settings)
    if path is None:
        stored.unlink(missing_ok=True)
        return
    try:
        sets = json.loads(path.read_text(encoding="utf-8"))["synonyms"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SystemExit(f"bench.relevance: {path}: not a synonyms file ({exc})") from None
    SynonymFile(stored).replace(sets, make_analyzer(settings.catalog_language))


def _row(method: str, r: dict[str, Any]) -> list[object]:
    """A method's row of the table; its figures by family at the end where it has them."""
    row: list[object] = [method, f"{r['ndcg@10']:.4f}", f"{r['recall@100']:.4f}", r["queries"]]
    row += [r["mean_total"], r["zero_total_share"], f"{r['seconds']:.1f}"]
    families = r.get("families")
    return row + ([f"{families['ndcg@10']:.4f}", f"{families['recall@100']:.4f}"] if families else [])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        report = measure(args)
    except UnfitAnswers as exc:
        print(f"bench.relevance: {exc}", file=sys.stderr)
        return 1
    headers = ["method", "nDCG@10", "Recall@100", "queries", "mean total", "total 0", "seconds"]
    rows = [_row(method, figures) for method, figures in report["methods"].items()]
    if any("families" in figures for figures in report["methods"].values()):
        headers += ["family nDCG@10", "family R@100"]
    print_table(headers, rows)
    if args.out:
        write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
