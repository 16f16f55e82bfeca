"""The search steps outside the match set, this checkout's code against a git revision's, side by side.

Loads the baseline's versions of the measured modules (`git show REV:path`, as modules of their own
beside this checkout's) and times each step both ways in alternating rounds on the same inputs, in
process CPU microseconds per search, after checking that both give the same answer. No server is
needed: each query's candidates are built from the products file (real titles, brands, categories,
prices): up to 200 products sharing a word with the query (as the lexical list, scored by that count)
and 200 more from the catalog (as the dense list, seeded random cosines), with an exact dense score for
each lexical-only candidate, which is the shape fusion and the ranker see (about 320 candidates, the
first 100 re-ranked).

Steps: `products` (the product cache's lookup of every candidate, the cache holding the whole catalog
as a warmed gateway's does), `dense_fill` (exact dense scores of the lexical-only candidates from a store
of seeded random unit vectors, one per product), `title_match` (`TitleMatcher.many` over the
candidates), `fuse` (the `full` fusion: title match, weights, scores, order and the fused hits),
`features` (the ranker's feature rows of the first 100 in fused order, with fusion's title match
already in the columns, as the pipeline has them), `merchandise` (the merchandising stage with the
default rules, `bury_unavailable` alone, over the fused hits).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from bench.common import print_table, read_queries, write_json
from engine.config import PROJECT_ROOT
from engine.merch.rules import RuleSet
from engine.pipeline import fusion, merchandise, retrieve
from engine.pipeline.fusion import FusionConfig, adaptive_weights
from engine.pipeline.types import RankedHit, SearchQuery
from engine.product_schema import validate_record
from engine.ranking import features
from engine.ranking.features import QueryContext, SignalColumns, tokenize
from engine.records import Product, ScoredId

EPILOG = """examples:
  python -m bench.search_cpu_parts --products ../shared/datasets/homedepot/products.jsonl \\
      --queries ../shared/datasets/homedepot/queries.dev.tsv --baseline main --limit 300 --rounds 5 \\
      --out bench/results/search-cpu-parts-homedepot.json
"""

MODULES = {
    "features": "engine/ranking/features.py",
    "fusion": "engine/pipeline/fusion.py",
    "retrieve": "engine/pipeline/retrieve.py",
    "merchandise": "engine/pipeline/merchandise.py",
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search_cpu_parts",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--products", type=Path, required=True, help="products JSONL")
    parser.add_argument("--queries", type=Path, required=True, help="query TSV (query_id, query)")
    parser.add_argument("--baseline", default="main", help="git revision to compare with (default main)")
    parser.add_argument("--limit", type=int, default=300, help="queries (default 300)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="results JSON")
    args = parser.parse_args(argv)
    for path in (args.products, args.queries):
        if not path.is_file():
            parser.error(f"no such file: {path}")
    if args.limit < 1 or args.rounds < 1:
        parser.error("--limit and --rounds must be >= 1")
    return args


def baseline_module(revision: str, path: str, name: str) -> ModuleType:
    """`path` as it is at `revision`, imported as module `name` (beside this checkout's own)."""
    try:
        source = subprocess.run(
            ["git", "show", f"{revision}:{path}"],
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"--baseline {revision}: cannot read {path}: {exc.stderr.strip()}") from None
    folder = Path(tempfile.mkdtemp(prefix="baseline-"))
    file = folder / f"{name}.py"
    file.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Case:
    """One query's candidates: its text, retrieved lists and products."""

    query: str
    lists: dict[str, list[ScoredId]]
    fill: dict[str, float]
    products: dict[str, Product]


def load_products(path: Path) -> list[Product]:
    with path.open(encoding="utf-8") as handle:
        return [validate_record(json.loads(line)) for line in handle if line.strip()]


def build_cases(products: list[Product], queries: list[str], seed: int) -> list[Case]:
    rng = random.Random(seed)
    postings: dict[str, list[int]] = {}
    for i, product in enumerate(products):
        for token in set(tokenize(product.title)):
            postings.setdefault(token, []).append(i)
    cases = []
    for query in queries:
        shared: dict[int, int] = {}
        for token in set(tokenize(query)):
            for i in postings.get(token, [])[:5000]:
                shared[i] = shared.get(i, 0) + 1
        lexical = sorted(shared, key=lambda i: (-shared[i], i))[:200]
        dense = rng.sample(range(len(products)), 200)
        cosines = sorted((rng.uniform(0.2, 0.8) for _ in dense), reverse=True)
        lists = {
            "lexical": [ScoredId(products[i].id, float(shared[i]) + rng.random()) for i in lexical],
            "dense": [ScoredId(products[i].id, c) for i, c in zip(dense, cosines, strict=True)],
        }
        dense_ids = {products[i].id for i in dense}
        fill = {products[i].id: rng.uniform(0.0, 0.5) for i in lexical if products[i].id not in dense_ids}
        wanted = [*lexical, *dense]
        cases.append(Case(query, lists, fill, {products[i].id: products[i] for i in wanted}))
    return cases


def columns_of(case: Case, steps: Steps) -> SignalColumns:
    """The candidates' columns as fusion leaves them (this checkout's fusion), in fused order."""
    from engine.pipeline.rank import gather

    columns = gather(case.lists)
    score, rank = columns.of_list("dense")
    for row in np.flatnonzero(rank == 0).tolist():
        score[row] = case.fill.get(columns.ids[row], np.nan)
    _, fused = steps.fuse(case, columns)
    order = np.argsort(-fused.fused_score, kind="stable")
    return SignalColumns.take(fused, order)


class Catalog:
    """The product store and vector store the lookups read: every product, a unit vector each."""

    def __init__(self, products: list[Product], seed: int, dims: int = 384) -> None:
        self.products = {p.id: p for p in products}
        vectors = np.random.default_rng(seed).standard_normal((len(products), dims), dtype=np.float32)
        self.matrix = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        self.row = {p.id: i for i, p in enumerate(products)}
        self.query = self.matrix[0]

    def all_ids(self) -> list[str]:
        return list(self.products)

    def get(self, ids: list[str]) -> dict[str, Product]:
        return {pid: self.products[pid] for pid in ids if pid in self.products}

    def get_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Rows of one matrix, as FAISS's reconstruction hands them out."""
        found = [pid for pid in ids if pid in self.row]
        matrix = self.matrix[[self.row[pid] for pid in found]]
        return {pid: matrix[i] for i, pid in enumerate(found)}


class Steps:
    """The measured steps over one implementation (`features`, `fusion`, `retrieve` modules)."""

    def __init__(
        self,
        feature_module: Any,
        fusion_module: Any,
        retrieve_module: Any,
        merchandise_module: Any,
        catalog: Catalog,
    ) -> None:
        self.features = feature_module
        self.fusion = fusion_module
        self.config = FusionConfig()
        self.lookup = retrieve_module.ProductLookup(catalog, capacity=len(catalog.products) + 1)
        self.lookup.warm()
        self.dense = retrieve_module.DenseRetriever(lambda: catalog, "text")
        self.catalog = catalog
        self.merchandiser = merchandise_module.Merchandiser(RuleSet)
        self._hits: dict[int, list[RankedHit]] = {}

    def products(self, case: Case, columns: SignalColumns) -> Any:
        return self.lookup.get(columns.ids)

    def dense_fill(self, case: Case, columns: SignalColumns) -> Any:
        _, rank = columns.of_list("dense")
        return self.dense.scores(self.catalog.query, [columns.ids[i] for i in np.flatnonzero(rank == 0)])

    def title_match(self, case: Case, columns: SignalColumns) -> Any:
        matcher = self.features.TitleMatcher(tokenize(case.query))
        return matcher.many([case.products[pid].title for pid in columns.ids])

    def fuse(self, case: Case, columns: SignalColumns) -> Any:
        overlap, phrase = self.title_match(case, columns)
        columns.title_overlap, columns.title_phrase = overlap, phrase
        bonus = self.config.title_weight * overlap + self.config.phrase_weight * phrase
        weights = adaptive_weights(case.query, case.lists["lexical"], self.config)
        hits = self.fusion.fuse(columns, "full", weights, "minmax", bonus)
        return [(h.product_id, h.rank) for h in hits], columns

    def merchandise(self, case: Case, columns: SignalColumns) -> Any:
        """The stage as the pipeline runs it: its lookup answers from the products fusion fetched."""
        hits = self._hits.setdefault(id(case), RankedHit.in_fused_order(columns, range(len(columns))))

        def lookup(ids: list[str]) -> dict[str, Product]:
            missing = [pid for pid in ids if pid not in case.products]
            return case.products if not missing else {**case.products}

        out = self.merchandiser.apply(SearchQuery(text=case.query), hits, lookup)
        return [h.product_id for h in out.hits], len(out.applied)

    def features_of(self, case: Case, columns: SignalColumns) -> Any:
        head = SignalColumns.take(columns, np.arange(min(100, len(columns))))
        # The module's own class (the baseline's `build_features` checks for its own `SignalColumns`).
        head = self.features.SignalColumns(**{f.name: getattr(head, f.name) for f in fields(head)})
        context = QueryContext(query=case.query, popularity=lambda pid: float(len(pid) % 3))
        return self.features.build_features(context, head, case.products)


def timed(
    step: Callable[[Case, SignalColumns], Any], cases: list[Case], columns: list[SignalColumns]
) -> float:
    """Process CPU microseconds per case of `step` (fresh columns each round: fusion writes into them)."""
    fresh = [SignalColumns.take(c, np.arange(len(c))) for c in columns]
    start = time.process_time()
    for case, column in zip(cases, fresh, strict=True):
        step(case, column)
    return 1e6 * (time.process_time() - start) / len(cases)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, SignalColumns):
        return all(same(getattr(a, f), getattr(b, f)) for f in ("ids", "fused_score", "title_overlap"))
    return bool(a == b)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    products = load_products(args.products)
    catalog = Catalog(products, args.seed)
    baseline = {
        name: baseline_module(args.baseline, path, f"baseline_{name}") for name, path in MODULES.items()
    }
    old = Steps(
        baseline["features"], baseline["fusion"], baseline["retrieve"], baseline["merchandise"], catalog
    )
    new = Steps(features, fusion, retrieve, merchandise, catalog)
    queries = [q for _, q in read_queries(args.queries)][: args.limit]
    cases = build_cases(products, queries, args.seed)
    columns = [columns_of(case, new) for case in cases]
    steps = {
        "products": "products",
        "dense_fill": "dense_fill",
        "title_match": "title_match",
        "fuse": "fuse",
        "features": "features_of",
        "merchandise": "merchandise",
    }
    differ = {}
    for name, method in steps.items():
        differ[name] = sum(
            not same(
                getattr(old, method)(case, SignalColumns.take(c, np.arange(len(c)))),
                getattr(new, method)(case, SignalColumns.take(c, np.arange(len(c)))),
            )
            for case, c in zip(cases, columns, strict=True)
        )
    times: dict[str, dict[str, list[float]]] = {name: {"baseline": [], "this": []} for name in steps}
    for _ in range(args.rounds):
        for name, method in steps.items():
            for label, impl in (("baseline", old), ("this", new)):
                times[name][label].append(timed(getattr(impl, method), cases, columns))
    rows = []
    report: dict[str, Any] = {"baseline": args.baseline, "queries": len(cases), "rounds": args.rounds}
    for name in steps:
        before = float(np.median(times[name]["baseline"]))
        after = float(np.median(times[name]["this"]))
        report[name] = {"baseline_us": round(before, 1), "this_us": round(after, 1), "differ": differ[name]}
        rows.append([name, f"{before:.1f}", f"{after:.1f}", f"{after / before:.2f}", differ[name]])
    print_table(["step", f"{args.baseline} µs/search", "this µs/search", "ratio", "answers differing"], rows)
    if args.out:
        write_json(args.out, report)
    return 1 if any(differ.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
