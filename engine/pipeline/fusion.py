"""Fusion: several ranked lists (lexical, dense, image) -> one score per product.

Two families, both pure functions over `ScoredId` lists so they are easy to test and to benchmark:

- `rrf`: reciprocal rank fusion, sum of weight / (k + rank). Ignores score scales entirely, which makes
  it robust when one retriever's scores are badly calibrated; k=60 is the usual constant.
- `linear`: weighted sum of per-query normalised scores ("minmax" to 0..1 or "zscore"). Uses how far
  apart the scores are, not only the order, which usually wins when both retrievers are decent. A product
  missing from a list gets that list's floor (0 after min-max, the list's minimum z-score after z-score)
  unless the caller supplies its exact score via `fill` (the pipeline computes dense cosines for
  lexical-only candidates, so nothing is guessed).

The `full` method adds a title-match term to the linear fusion: a product whose title holds the
query's words (or the query as a phrase) is nearly always what a shopper meant, a signal that neither
BM25 over all fields nor a whole-document embedding isolates.

`adaptive_weights` shifts weight per query towards the lexical side when the query looks like an
identifier (digits, model numbers) or when BM25 has a confident head, and towards the dense side for
longer natural-language queries; it only ever moves weights by a bounded amount.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.records import ScoredId

RRF_K = 60


def rrf(
    lists: Mapping[str, Sequence[ScoredId]], weights: Mapping[str, float] | None = None, k: int = RRF_K
) -> dict[str, float]:
    """Reciprocal rank fusion; ranks are 1-based positions in each list."""
    fused: dict[str, float] = {}
    for name, hits in lists.items():
        weight = 1.0 if weights is None else weights.get(name, 0.0)
        if weight == 0:
            continue
        for rank, hit in enumerate(hits, start=1):
            fused[hit.product_id] = fused.get(hit.product_id, 0.0) + weight / (k + rank)
    return fused


def normalise(scores: Mapping[str, float], method: str = "minmax") -> tuple[dict[str, float], float]:
    """Per-query normalisation; returns (normalised scores, the value a missing product gets)."""
    if not scores:
        return {}, 0.0
    values = list(scores.values())
    if method == "minmax":
        lo, hi = min(values), max(values)
        span = hi - lo
        if span <= 0:
            return dict.fromkeys(scores, 1.0), 0.0
        return {pid: (s - lo) / span for pid, s in scores.items()}, 0.0
    if method == "zscore":
        mean = sum(values) / len(values)
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        if std <= 0:
            return dict.fromkeys(scores, 0.0), 0.0
        normed = {pid: (s - mean) / std for pid, s in scores.items()}
        return normed, min(normed.values())
    raise ValueError(f"unknown normalisation {method!r}; expected 'minmax' or 'zscore'")


def linear(
    lists: Mapping[str, Sequence[ScoredId]],
    weights: Mapping[str, float],
    method: str = "minmax",
    fill: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[str, float]:
    """Weighted sum of normalised scores over the union of all lists.

    `fill[name]` holds exact scores for products absent from list `name` (they join that list's
    normalisation, so a filled score is on the same scale as a retrieved one).
    """
    union: set[str] = set()
    for hits in lists.values():
        union.update(hit.product_id for hit in hits)
    fused = dict.fromkeys(union, 0.0)
    for name, hits in lists.items():
        weight = weights.get(name, 0.0)
        if weight == 0 or not hits:
            continue
        raw = {hit.product_id: hit.score for hit in hits}
        if fill and name in fill:
            for pid, score in fill[name].items():
                raw.setdefault(pid, score)
        normed, floor = normalise(raw, method)
        for pid in union:
            fused[pid] += weight * normed.get(pid, floor)
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

    def weights(self) -> dict[str, float]:
        return {"lexical": self.lexical_weight, "dense": self.dense_weight, "image": self.image_weight}


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
