"""Stages: gather the retrieved lists into one row of signals per candidate, then re-rank the fused
head with the ranker.

`gather` (named ranked lists -> one row of signal columns per candidate), `engine.pipeline.fusion.fuse`
(columns, method, weights -> `RankedHit`s in fused order) and `rerank` (the fused hits, feature inputs,
a `RankerModel` -> the same hits re-ordered, each carrying its feature row and ranker score) are
separate so the benchmark can stop after fusion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from engine.inference.base import RankerModel
from engine.pipeline.types import RankedHit
from engine.ranking.features import QueryContext, SignalColumns, build_features
from engine.records import Product, ScoredId


def gather(lists: Mapping[str, Sequence[ScoredId]]) -> SignalColumns:
    """The candidates of every list ("lexical", "dense", "image"), one row each (first-seen order), with
    each list's score and 1-based rank in its columns."""
    ids = list(dict.fromkeys(hit.product_id for hits in lists.values() for hit in hits))
    columns = SignalColumns.empty(ids)
    row_of = {pid: i for i, pid in enumerate(ids)}
    for name, hits in lists.items():
        score_column, rank_column = columns.of_list(name)
        rows = np.fromiter((row_of[hit.product_id] for hit in hits), dtype=np.intp, count=len(hits))
        score_column[rows] = np.fromiter((hit.score for hit in hits), dtype=np.float64, count=len(hits))
        rank_column[rows] = np.arange(1, len(hits) + 1)
    return columns


def _head_columns(head: Sequence[RankedHit]) -> SignalColumns:
    """The signals of `head` as columns, in its order: a slice of the shared columns when fusion made
    the hits, else built from each hit's signals."""
    shared = head[0].columns
    if shared is not None and all(hit.columns is shared for hit in head):
        return shared.take([hit.row for hit in head])
    return SignalColumns.of([hit.signals for hit in head])


def rerank(
    hits: list[RankedHit],
    depth: int,
    ranker: RankerModel,
    context: QueryContext,
    products: dict[str, Product],
    text_vectors: dict[str, np.ndarray] | None = None,
) -> tuple[list[RankedHit], int]:
    """Score the first `depth` hits with the ranker and sort them by its score, the strict members before
    the loose ones (`RankedHit.loose`: near members that do not match as the query says, as a search
    engine's "words matched" criterion comes before its custom ranking); the tail keeps fused order
    below them. Returns (hits with final ranks, ranker version that scored them)."""
    head, tail = hits[:depth], hits[depth:]
    if not head:
        return hits, ranker.version()
    features = build_features(context, _head_columns(head), products, text_vectors)
    scores = np.asarray(ranker.score(features), dtype=np.float32).reshape(-1)
    # Asked after scoring: the version that answered this call, even when a rollout switched versions
    # since this thread's previous search (asked before, it would name the old one).
    version = ranker.version()
    if scores.shape[0] != len(head):
        raise ValueError(f"ranker returned {scores.shape[0]} scores for {len(head)} rows")
    for hit, row, score in zip(head, features, scores, strict=True):
        hit.features = row
        hit.ranker_score = float(score)
    head.sort(key=lambda h: (h.loose, h.partial, -(h.ranker_score or 0.0), h.fused_rank))
    ordered = head + tail
    for rank, hit in enumerate(ordered, start=1):
        hit.rank = rank
    return ordered, version
