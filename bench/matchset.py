"""Match-set benchmark: how large a query's match set is and how much of the judged data it keeps.

For every judged dev query: the lexical match set (the embedded index's `match_ids`, all words with
minimum-should-match and typo tolerance, identifiers), the semantic set at each cosine threshold (the
text vectors of an index built by `bench.relevance`, query vectors from the in-process encoder), and
their union. Reported per set and threshold: mean `total` per query, the share of judged-relevant
(query, product) pairs inside the set (grade >= 3 on crowdflower's 1-4, >= 2.5 on homedepot's 1-3)
and the share of judged-irrelevant pairs (the lowest grade) inside it. The calibrated threshold
(`engine.pipeline.matchset.calibrate_threshold`) is shown for several quantiles of the random-pair
similarity, which is how the default quantile was chosen (docs/relevance.md).

Then the match rule as served, at the calibrated thresholds: lexical, or semantic at the default
quantile, or (near match) sharing at least one query word and above the near threshold, for each
`--near-quantiles` value (the lexical backend's near clause decides "shares a word"), in every set and
(`--near-below`) only in sets with fewer strict members than each given size (options, off by default).
The served rule is "near candidates": BM25's top `--depth` candidates (any query word) above the near
threshold, added to sets with a strict member. Each rule row also gives the share of queries whose set
is empty (`total: 0`). Writes JSON and a PNG.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from bench.common import (
    bench_settings,
    default_threshold,
    grade_scale,
    print_table,
    read_qrels,
    read_queries,
    write_json,
)
from bench.lexical import load_products
from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.matching import MatchQuery
from engine.pipeline.types import PipelineConfig
from engine.vectors.calibration import DEFAULT_QUANTILE, NEAR_QUANTILE, calibrate_threshold

THRESHOLDS = [round(t, 2) for t in np.arange(0.20, 0.81, 0.05)]
QUANTILES = (0.95, 0.98, 0.99, 0.995, 0.999)


def text_vectors(products_file: Path, data_root: Path) -> tuple[list[str], np.ndarray]:
    """Ids and vectors of the text store `bench.relevance` built for this products file."""
    from engine.catalog import catalog_root, open_live
    from engine.vectors.factory import FactoryVectorIO

    settings, _ = bench_settings(products_file, data_root, {"AISLE_TRITON_URL": "inprocess"})
    store = open_live(catalog_root(settings), FactoryVectorIO(settings)).stores["text"]
    ids = store.ids()
    vectors = store.get_vectors(ids)
    return ids, np.stack([vectors[i] for i in ids]).astype(np.float32)


def encode_queries(texts: list[str]) -> np.ndarray:
    from engine.config import load_settings
    from engine.inference.factory import create_inference

    inference = create_inference(load_settings(triton_url="inprocess"))
    try:
        return np.asarray(inference.text_encoder().encode(texts), dtype=np.float32)
    finally:
        inference.close()


def run(args: argparse.Namespace) -> dict[str, Any]:
    qrels = read_qrels(args.qrels)
    queries = [(qid, q) for qid, q in read_queries(args.queries) if qid in qrels][: args.limit or None]
    low, _ = grade_scale(qrels)
    relevant_grade = default_threshold(qrels)
    ids, vectors = text_vectors(args.products, args.data_root)
    row = {pid: i for i, pid in enumerate(ids)}
    calibrated = {
        q: calibrate_threshold(vectors, q) for q in sorted({*QUANTILES, *args.near_quantiles, NEAR_QUANTILE})
    }
    strict = calibrated[DEFAULT_QUANTILE]
    floor = min(calibrated[q] for q in (*args.near_quantiles, NEAR_QUANTILE))
    query_vectors = encode_queries([q for _, q in queries])
    with tempfile.TemporaryDirectory(prefix="aisle-matchset-") as tmp:
        lexical = EmbeddedLexical(Path(tmp))
        lexical.rebuild(load_products(args.products, None))
        lexical_sets = [
            lexical.match_ids(MatchQuery(q)) for _, q in tqdm(queries, desc="lexical", file=sys.stderr)
        ]
        shared_sets = []  # near candidates (floor <= similarity < strict) sharing a query word
        for n, (_, q) in enumerate(tqdm(queries, desc="near", file=sys.stderr)):
            sims = vectors @ query_vectors[n]
            near = frozenset(ids[i] for i in np.flatnonzero((sims >= floor) & (sims < strict)))
            shared = lexical.match_ids(MatchQuery(q, lexical=False, near_ids=near)) if near else set()
            shared_sets.append(np.fromiter((row[p] for p in shared), dtype=np.int64))
        candidate_sets = []  # BM25's candidates (any query word), as fusion gets them
        for _, q in tqdm(queries, desc="candidates", file=sys.stderr):
            found = [row[h.product_id] for h in lexical.search(q, args.depth) if h.product_id in row]
            candidate_sets.append(np.array(found, dtype=np.int64))
    sets = ("lexical", "semantic", "union")
    totals = {s: np.zeros(len(THRESHOLDS)) for s in sets}
    inside = {(s, kind): np.zeros(len(THRESHOLDS)) for s in sets for kind in ("relevant", "irrelevant")}
    pairs = {"relevant": 0, "irrelevant": 0}
    # (name, semantic quantile, near quantile, near below, near among BM25's candidates only)
    rules: list[tuple[str, float, float | None, int | None, bool]] = [
        ("union", DEFAULT_QUANTILE, None, None, False),
        ("union + near candidates (served)", DEFAULT_QUANTILE, NEAR_QUANTILE, None, True),
    ]
    rules += [("union + near", DEFAULT_QUANTILE, q, None, False) for q in args.near_quantiles]
    rules += [(f"union + near below {n}", DEFAULT_QUANTILE, NEAR_QUANTILE, n, False) for n in args.near_below]
    rule_totals = np.zeros(len(rules))
    rule_empty = np.zeros(len(rules))
    rule_inside = {kind: np.zeros(len(rules)) for kind in ("relevant", "irrelevant")}
    for n, (qid, _) in enumerate(tqdm(queries, desc="semantic", file=sys.stderr)):
        sims = vectors @ query_vectors[n]
        lex_rows = np.fromiter((row[p] for p in lexical_sets[n] if p in row), dtype=np.int64)
        lex_sims = sims[lex_rows]
        judged = {
            kind: [
                row[p] for p, g in qrels[qid].items() if p in row and _kind(g, low, relevant_grade) == kind
            ]
            for kind in ("relevant", "irrelevant")
        }
        for i, t in enumerate(THRESHOLDS):
            semantic = int(np.count_nonzero(sims >= t))
            totals["lexical"][i] += lex_rows.size
            totals["semantic"][i] += semantic
            totals["union"][i] += lex_rows.size + semantic - int(np.count_nonzero(lex_sims >= t))
            for kind, members in judged.items():
                in_lex = np.isin(members, lex_rows)
                in_sem = sims[members] >= t if members else np.zeros(0, dtype=bool)
                inside[("lexical", kind)][i] += int(in_lex.sum())
                inside[("semantic", kind)][i] += int(in_sem.sum())
                inside[("union", kind)][i] += int((in_lex | in_sem).sum())
        for kind, members in judged.items():
            pairs[kind] += len(members)
        member = np.zeros(len(ids), dtype=bool)
        member[lex_rows] = True
        member |= sims >= strict
        strict_size = int(member.sum())
        for r, (_, _, near_quantile, below, among_candidates) in enumerate(rules):
            with_near = member.copy()
            thin = below is None or strict_size < below
            if near_quantile is not None and (strict_size > 0 if among_candidates else thin):
                rows = candidate_sets[n] if among_candidates else shared_sets[n]
                with_near[rows[sims[rows] >= calibrated[near_quantile]]] = True
            rule_totals[r] += int(with_near.sum())
            rule_empty[r] += not with_near.any()
            for kind, members in judged.items():
                rule_inside[kind][r] += int(with_near[members].sum())
    count = max(len(queries), 1)
    curves = {
        s: {
            "mean_total": (totals[s] / count).round(1).tolist(),
            "relevant_inside": (inside[(s, "relevant")] / max(pairs["relevant"], 1)).round(4).tolist(),
            "irrelevant_inside": (inside[(s, "irrelevant")] / max(pairs["irrelevant"], 1)).round(4).tolist(),
        }
        for s in sets
    }
    served = [
        {
            "rule": name,
            "semantic_quantile": quantile,
            "semantic_threshold": round(calibrated[quantile], 4),
            "near_quantile": near_quantile,
            "near_threshold": None if near_quantile is None else round(calibrated[near_quantile], 4),
            "near_below": below,
            "mean_total": round(float(rule_totals[r]) / count, 1),
            "empty_share": round(float(rule_empty[r]) / count, 4),
            **{
                f"{kind}_inside": round(float(rule_inside[kind][r]) / max(pairs[kind], 1), 4)
                for kind in ("relevant", "irrelevant")
            },
        }
        for r, (name, quantile, near_quantile, below, _) in enumerate(rules)
    ]
    zero = sum(1 for s in lexical_sets if not s)
    return {
        "products": str(args.products),
        "queries": len(queries),
        "catalog": len(ids),
        "relevant_pairs": pairs["relevant"],
        "irrelevant_pairs": pairs["irrelevant"],
        "thresholds": THRESHOLDS,
        "curves": curves,
        "calibrated_thresholds": {str(q): round(calibrated[q], 4) for q in QUANTILES},
        "rules": served,
        "zero_lexical_match_share": round(zero / count, 4),
    }


def _quantiles(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma list of numbers: {text!r}") from None
    if any(not 0.0 < v < 1.0 for v in values):
        raise argparse.ArgumentTypeError(f"quantiles must lie strictly between 0 and 1: {text!r}")
    return values


def _sizes(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma list of whole numbers: {text!r}") from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"set sizes must be at least 1: {text!r}")
    return values


def _kind(grade: float, low: float, relevant: float) -> str | None:
    if grade >= relevant:
        return "relevant"
    return "irrelevant" if grade <= low else None


def plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    thresholds = report["thresholds"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for name, style in (("lexical", ":"), ("semantic", "--"), ("union", "-")):
        curve = report["curves"][name]
        axes[0].plot(thresholds, curve["mean_total"], style, label=name)
        axes[1].plot(thresholds, curve["relevant_inside"], style, label=name)
        axes[2].plot(thresholds, curve["irrelevant_inside"], style, label=name)
    titles = ("mean total per query", "judged relevant inside", "judged irrelevant inside")
    for ax, title in zip(axes, titles, strict=True):
        for q, t in report["calibrated_thresholds"].items():
            ax.axvline(t, color="grey", linewidth=0.6)
            ax.text(t, ax.get_ylim()[1], f"q{q}", rotation=90, va="top", fontsize=7)
        ax.set_title(title)
        ax.set_xlabel("semantic threshold (cosine)")
        ax.legend()
    axes[0].set_yscale("log")
    fig.suptitle(
        f"{Path(report['products']).parent.name}: {report['queries']} queries, {report['catalog']} products"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.matchset",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--products", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--qrels", type=Path, required=True)
    parser.add_argument(
        "--data-root",
        type=Path,
        default=Path("var/bench"),
        help="where bench.relevance keeps its indexes (default: var/bench)",
    )
    parser.add_argument("--limit", type=int, help="only the first N judged queries")
    parser.add_argument(
        "--near-quantiles",
        type=_quantiles,
        default=(0.85, 0.9, 0.93, 0.95, 0.97),
        help="comma list of near-threshold quantiles to measure the served rule at "
        "(default 0.85,0.9,0.93,0.95,0.97)",
    )
    parser.add_argument(
        "--near-below",
        type=_sizes,
        default=(50, 100, 200),
        help="comma list of set sizes: also measure near matches (at the near quantile) added only to "
        "sets with fewer strict members (default 50,100,200; off unless AISLE_NEAR_MATCH_BELOW is set)",
    )
    parser.add_argument(
        "--depth",
        type=int,
        default=PipelineConfig().lexical_depth,
        help="BM25 candidates per query for the served near-candidates rule (default: the pipeline's, 200)",
    )
    parser.add_argument("--out", type=Path, help="results JSON; the PNG goes next to it")
    args = parser.parse_args(argv)
    for path in (args.products, args.queries, args.qrels):
        if not path.is_file():
            parser.error(f"no such file: {path}")
    report = run(args)
    rows = []
    for i, t in enumerate(report["thresholds"]):
        rows.append(
            (
                t,
                *(
                    f"{report['curves'][s][k][i]}"
                    for s in ("semantic", "union")
                    for k in ("mean_total", "relevant_inside", "irrelevant_inside")
                ),
            )
        )
    lexical = report["curves"]["lexical"]
    print(
        f"lexical only: mean total {lexical['mean_total'][0]}, relevant inside "
        f"{lexical['relevant_inside'][0]}, irrelevant inside {lexical['irrelevant_inside'][0]}; "
        f"calibrated {report['calibrated_thresholds']}"
    )
    print_table(
        ("threshold", "sem total", "sem rel", "sem irr", "union total", "union rel", "union irr"), rows
    )
    print_table(
        ("rule", "semantic", "near", "mean total", "total 0", "relevant inside", "irrelevant inside"),
        [
            (
                r["rule"],
                f"{r['semantic_threshold']} (q{r['semantic_quantile']})",
                "-" if r["near_quantile"] is None else f"{r['near_threshold']} (q{r['near_quantile']})",
                r["mean_total"],
                r["empty_share"],
                r["relevant_inside"],
                r["irrelevant_inside"],
            )
            for r in report["rules"]
        ],
    )
    if args.out:
        write_json(args.out, report)
        plot(report, args.out.with_suffix(".png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
