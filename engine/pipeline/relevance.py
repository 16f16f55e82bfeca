"""The relevance score a search answers with: one scale, whatever ranker version or method ordered it.

What orders a list is not comparable from one ranker version to the next (one version outputs 0..1,
the next −4.7..3.7, another 25.6 at the top: each is trained with its own loss and weights), nor between
methods (BM25, cosines, fused sums). So the score a client sees is the ordering score min-max normalised
over the candidates it was computed for in this search:

- a ranked search (`full`): the ranker's output over the re-ranked head; 1 is the head's best candidate,
  0 its worst. Candidates below the head (never scored by the ranker, and never on a page asked for,
  since the head covers every page up to the one asked) have none;
- any other method: the fused score over every fused candidate (same 0..1 scale).

Equal scores (one candidate, or a ranker that cannot tell them apart) are all 1. The score therefore
compares hits within one answer (how far apart the ranker puts them), not across queries; the raw
output stays available for debugging (`ranker_score`, `fused_score`). A hit without relevance (None:
below the head, or a product a merchandising pin placed that the search did not find) is reported as 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.pipeline.types import RankedHit


def unit_interval(values: np.ndarray) -> np.ndarray:
    """Min-max to 0..1 over the finite values; non-finite ones get 0, all-equal ones 1."""
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros_like(values)
    low, high = values[finite].min(), values[finite].max()
    if high <= low:
        return np.where(finite, 1.0, 0.0)
    return np.where(finite, (values - low) / (high - low), 0.0)


def assign_relevance(hits: Sequence[RankedHit]) -> None:
    """Set `relevance` (0..1) on the hits the ranker scored, or on every hit from its fused score when
    the ranker scored none."""
    if not hits:
        return
    ranked = [h for h in hits if h.ranker_score is not None]
    if ranked:
        raw = np.fromiter((h.ranker_score or 0.0 for h in ranked), dtype=np.float64, count=len(ranked))
    else:
        ranked = list(hits)
        raw = np.fromiter((h.fused_score for h in ranked), dtype=np.float64, count=len(ranked))
    scores = unit_interval(raw)
    for hit, score in zip(ranked, scores, strict=True):
        hit.relevance = float(score)
