"""Fusion: several ranked lists (lexical, dense, image) -> one score per product.

Two families, both pure functions over per-candidate numpy columns (row i is the same candidate in
every column, see `engine.ranking.features.SignalColumns`), so they are easy to test and cost little
CPU per candidate:

- `rrf`: reciprocal rank fusion, sum of weight / (k + rank). Ignores score scales entirely, which makes
  it robust when one retriever's scores are badly calibrated; k=60 is the usual constant.
- `linear`: weighted sum of per-query normalised scores ("minmax" to 0..1 or "zscore"). Uses how far
  apart the scores are, not only the order, which usually wins when both retrievers are decent. A product
  missing from a list gets that list's floor (0 after min-max, the list's minimum z-score after z-score)
  unless its column holds an exact score anyway (the pipeline computes dense cosines for lexical-only
  candidates, so nothing is guessed).

The `full` method adds a title-match term to the linear fusion: a product whose title holds the
query's words (or the query as a phrase) is nearly always what a shopper meant, a signal that neither
BM25 over all fields nor a whole-document embedding isolates.

`fuse` applies one method to a candidate table and returns the candidates in fused order.

`adaptive_weights` shifts weight per query towards the lexical side when the query looks like an
identifier (digits, model numbers) or when BM25 has a confident head, and towards the dense side for
longer natural-language queries; it only ever moves weights by a bounded amount.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from engine.ranking.features import CANDIDATE_LISTS, RRF_K, SignalColumns
from engine.records import ScoredId

if TYPE_CHECKING:
    from engine.pipeline.types import RankedHit


def rrf(
    ranks: Mapping[str, np.ndarray], weights: Mapping[str, float] | None = None, k: int = RRF_K
) -> np.ndarray:
    """Reciprocal rank fusion over candidates: `ranks[name][i]` is candidate i's 1-based rank in list
    `name` (0 = not in it). NaN for a candidate in no list with a non-zero weight."""
    n = len(next(iter(ranks.values()))) if ranks else 0
    fused = np.zeros(n)
    seen = np.zeros(n, dtype=bool)
    for name, rank in ranks.items():
        weight = 1.0 if weights is None else weights.get(name, 0.0)
        if weight == 0:
            continue
        listed = rank > 0
        fused += np.where(listed, weight / (k + np.maximum(rank, 1)), 0.0)
        seen |= listed
    fused[~seen] = np.nan
    return fused


def normalise(scores: np.ndarray, method: str = "minmax") -> np.ndarray:
    """Per-query normalisation of the known (non-NaN) scores; an unknown one gets the value a missing
    product gets (0 after min-max, the list's minimum z-score after z-score)."""
    known = ~np.isnan(scores)
    if method not in ("minmax", "zscore"):
        raise ValueError(f"unknown normalisation {method!r}; expected 'minmax' or 'zscore'")
    if not known.any():
        return np.zeros_like(scores)
    values = scores[known]
    if method == "minmax":
        lo, span = values.min(), values.max() - values.min()
        if span <= 0:
            return np.where(known, 1.0, 0.0)
        return np.where(known, (scores - lo) / span, 0.0)
    std = values.std()
    if std <= 0:
        return np.zeros_like(scores)
    normed = (scores - values.mean()) / std
    return np.where(known, normed, normed[known].min())


def linear(
    scores: Mapping[str, np.ndarray], weights: Mapping[str, float], method: str = "minmax"
) -> np.ndarray:
    """Weighted sum of normalised scores over all candidates: `scores[name][i]` is candidate i's score in
    list `name` (retrieved, or an exact fill score), NaN when unknown."""
    n = len(next(iter(scores.values()))) if scores else 0
    fused = np.zeros(n)
    for name, column in scores.items():
        weight = weights.get(name, 0.0)
        if weight == 0 or np.isnan(column).all():
            continue
        fused += weight * normalise(column, method)
    return fused


@dataclass(frozen=True)
class FusionConfig:
    """How the pipeline fuses; weights are per list name ("lexical", "dense", "image").

    Defaults were tuned with `bench.relevance` on the dev sets only (crowdflower and homedepot): the
    optimum is a broad plateau (lexical 0.3-0.4, title 0.3-0.8, phrase 0.2-0.3 all land within 0.005
    nDCG@10 of the best on both), so these values are not fitted to one set's noise.
    """

    method: str = "linear"  # linear | rrf
    normalisation: str = "minmax"
    lexical_weight: float = 0.3
    dense_weight: float = 0.7
    image_weight: float = 0.3
    adaptive: bool = True
    max_shift: float = 0.15
    # `full` only: weight of the title match (share of query tokens in the title, and the whole query
    # as a phrase in it). Added to the fused score of every candidate, already on a 0..1 scale.
    title_weight: float = 0.5
    phrase_weight: float = 0.3
    # Weights that replace the configured ones while something else is served: the fusion weights
    # fitted for the fine-tuned encoder version that serves (`engine.encoder.fusion_weights`); None or
    # an empty answer keeps the configured ones.
    tuned: Callable[[], Mapping[str, float] | None] | None = field(default=None, compare=False, repr=False)

    def weights(self) -> dict[str, float]:
        weights = {"lexical": self.lexical_weight, "dense": self.dense_weight, "image": self.image_weight}
        if self.tuned is not None:
            weights.update(self.tuned() or {})
        return weights


_IDENTIFIER = re.compile(r"\d|[a-z]+[-_/][a-z0-9]+", re.IGNORECASE)


def adaptive_weights(query: str, lexical: Sequence[ScoredId], config: FusionConfig) -> dict[str, float]:
    """Per-query weights: the configured ones, shifted by at most `config.max_shift`.

    Signals: identifier-like tokens (digits, "xt-200") favour exact matching; a BM25 head that stands
    clear of the rest (top score well above the 10th) means the lexical side is confident; long queries
    are usually descriptive and favour the dense side.
    """
    weights = config.weights()
    if not config.adaptive or not query.strip():
        return weights
    shift = 0.0
    tokens = query.split()
    if _IDENTIFIER.search(query):
        shift += 0.5
    if len(lexical) >= 10 and lexical[0].score > 0:
        gap = (lexical[0].score - lexical[9].score) / lexical[0].score
        shift += gap - 0.3
    if len(tokens) >= 5:
        shift -= 0.5
    shift = max(-1.0, min(1.0, shift)) * config.max_shift
    weights["lexical"] = max(0.0, weights["lexical"] + shift)
    weights["dense"] = max(0.0, weights["dense"] - shift)
    return weights


def fuse(
    columns: SignalColumns,
    method: str,
    weights: Mapping[str, float],
    normalisation: str = "minmax",
    bonus: np.ndarray | None = None,
) -> list[RankedHit]:
    """The candidates of `columns` in fused order (ties broken by product id, so the order is
    deterministic), each fused score written back to `columns.fused_score`.

    `bm25` and `dense` keep a single retriever's order (candidates it did not return are dropped);
    `rrf` and `linear` (and `full`, which fuses linearly and leaves the rest to the ranker) combine them.
    Linear fusion uses every known score, including exact fill scores of candidates a list did not return.
    `bonus[i]` is added to candidate i's fused score (linear fusion only).
    """
    from engine.pipeline.types import RankedHit  # types imports FusionConfig from here

    ranks = {name: columns.of_list(name)[1] for name in CANDIDATE_LISTS}
    if method == "bm25":
        scores = np.where(columns.lexical_rank > 0, columns.lexical_score, np.nan)
    elif method == "dense":
        dense = np.where(columns.dense_rank > 0, columns.dense_score, np.nan)
        image = np.where(columns.image_rank > 0, columns.image_score, np.nan)
        with np.errstate(invalid="ignore"):
            scores = np.fmax(dense, image)
    elif method == "rrf":
        scores = rrf(ranks, weights)
    else:
        scores = linear(
            {name: columns.of_list(name)[0] for name in CANDIDATE_LISTS},
            weights,
            normalisation,
        )
        if bonus is not None:
            scores = scores + np.nan_to_num(bonus, nan=0.0)
    kept = np.flatnonzero(~np.isnan(scores))
    order = kept[_descending(scores[kept], lambda: [columns.ids[i] for i in kept.tolist()])]
    columns.fused_score[order] = scores[order]
    return RankedHit.in_fused_order(columns, order.tolist())


def _descending(scores: np.ndarray, ids: Callable[[], list[str]]) -> np.ndarray:
    """Positions of `scores` from the highest down, equal scores in the order of their product ids
    (`ids()`, asked only when two scores are equal: a string array of every candidate's id per search
    cost more than the rest of the ordering)."""
    ordered = np.sort(scores)
    if np.any(ordered[1:] == ordered[:-1]):
        return np.lexsort((np.array(ids(), dtype=str), -scores))
    return np.argsort(-scores, kind="stable")
