"""Stages: fuse the retrieved lists into one ordered candidate list, then re-rank its head with the ranker.

`fuse` (inputs: named ranked lists, method, exact fill scores; output: `RankedHit`s in fused order) and
`rerank` (inputs: the fused hits, feature inputs, a `RankerModel`; output: the same hits re-ordered, each
carrying its feature row and ranker score) are separate so the benchmark can stop after fusion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from engine.inference.base import RankerModel
from engine.pipeline import fusion
from engine.pipeline.types import RankedHit
from engine.ranking.features import CandidateSignals, QueryContext, build_features
from engine.records import Product, ScoredId


def fuse(
    lists: Mapping[str, Sequence[ScoredId]],
    method: str,
    weights: Mapping[str, float],
    normalisation: str = "minmax",
    fill: Mapping[str, Mapping[str, float]] | None = None,
    bonus: Mapping[str, float] | None = None,
    title_matches: Mapping[str, tuple[float, float]] | None = None,
) -> list[RankedHit]:
    """One list in fused order (ties broken by product id, so the order is deterministic).

    `bm25` and `dense` keep a single retriever's order; `rrf` and `linear` (and `full`, which fuses
    linearly and leaves the rest to the ranker) combine them. `fill[name][id]` is an exact score of a
    product that list `name` did not return; it is recorded on the candidate and used by linear fusion.
    `bonus[id]` is added to a candidate's fused score (linear fusion only). `title_matches[id]` is the
    candidate's (title overlap, title phrase), kept on its signals so the feature builder reuses it.
    """
    fill = fill or {}
    signals: dict[str, CandidateSignals] = {}

    def signal(pid: str) -> CandidateSignals:
        if pid not in signals:
            signals[pid] = CandidateSignals(product_id=pid)
        return signals[pid]

    for rank, hit in enumerate(lists.get("lexical", ()), start=1):
        s = signal(hit.product_id)
        s.lexical_score, s.lexical_rank = hit.score, rank
    for rank, hit in enumerate(lists.get("dense", ()), start=1):
        s = signal(hit.product_id)
        s.dense_score, s.dense_rank = hit.score, rank
    for hit in lists.get("image", ()):
        signal(hit.product_id).image_score = hit.score
    for pid, score in fill.get("dense", {}).items():
        if pid in signals and signals[pid].dense_score is None:
            signals[pid].dense_score = score
    for pid, score in fill.get("image", {}).items():
        if pid in signals and signals[pid].image_score is None:
            signals[pid].image_score = score

    for pid, match in (title_matches or {}).items():
        if pid in signals:
            signals[pid].title_match = match

    if method == "bm25":
        scores = {h.product_id: h.score for h in lists.get("lexical", ())}
    elif method == "dense":
        scores = {h.product_id: h.score for h in lists.get("dense", ())}
        for hit in lists.get("image", ()):
            scores[hit.product_id] = max(scores.get(hit.product_id, -1.0), hit.score)
    elif method == "rrf":
        scores = fusion.rrf(lists, weights)
    else:
        scores = fusion.linear(lists, weights, normalisation, fill)
        for pid, extra in (bonus or {}).items():
            if pid in scores:
                scores[pid] += extra

    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    hits = []
    for rank, (pid, score) in enumerate(ordered, start=1):
        s = signal(pid)
        s.fused_score = score
        hits.append(RankedHit(signals=s, rank=rank, fused_rank=rank))
    return hits


def rerank(
    hits: list[RankedHit],
    depth: int,
    ranker: RankerModel,
    context: QueryContext,
    products: dict[str, Product],
    text_vectors: dict[str, np.ndarray] | None = None,
) -> tuple[list[RankedHit], int]:
    """Score the first `depth` hits with the ranker and sort them by its score; the tail keeps fused
    order below them. Returns (hits with final ranks, ranker version that scored them)."""
    head, tail = hits[:depth], hits[depth:]
    version = ranker.version()
    if not head:
        return hits, version
    features = build_features(context, [h.signals for h in head], products, text_vectors)
    scores = np.asarray(ranker.score(features), dtype=np.float32).reshape(-1)
    if scores.shape[0] != len(head):
        raise ValueError(f"ranker returned {scores.shape[0]} scores for {len(head)} rows")
    for hit, row, score in zip(head, features, scores, strict=True):
        hit.features = row
        hit.ranker_score = float(score)
    head.sort(key=lambda h: (-(h.ranker_score or 0.0), h.fused_rank))
    ordered = head + tail
    for rank, hit in enumerate(ordered, start=1):
        hit.rank = rank
    return ordered, version
