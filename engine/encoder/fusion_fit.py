"""The fusion weights that go with an encoder version, fitted on judged queries.

A fine-tuned pair changes how good the dense side is, and so how much of the fused score it should
carry; the default weights (`engine.pipeline.fusion.FusionConfig`) were chosen for the shipped model.
Searching every judged query once per candidate weight would cost a pipeline pass each, so the fit
keeps what one `full` search computed before fusion, every fused candidate's signal columns
(`SignalColumns`: the lexical and dense scores, the title match), and re-fuses them with
`engine.pipeline.fusion.fuse` itself for each weight: the fused order is recomputed exactly, over
all candidates (normalisation included), not over the re-ranked head only. The ranker's prior (the
default ranker) keeps the fused order, so that order is what the shopper sees; a trained ranker reads
`fused_score` as one feature among others and is refitted on its own (`engine ranker train`). Not
reproduced: the match-set filter that drops candidates outside the match set before ranking. On
crowdflower's training half the re-fused configured order scores what the served head scores (mean
nDCG@10 0.7799 both); where a weight change would lift a non-member into the top 10 the fit is off.

The fit scans the dense share of the configured lexical + dense sum (0, 0.05, ..., 1) and that sum
scaled by 1, 1.5 and 2 (how much the two retrievers weigh against the title bonus, which stays as
configured), and keeps the weights with the best mean nDCG@10 over the queries given (callers pass
training queries only); a tie keeps the configured weights, so a fit that finds nothing changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine.errors import InvalidInput
from engine.learning.metrics import ndcg_at_k
from engine.pipeline.fusion import FusionConfig, adaptive_weights, fuse
from engine.pipeline.search import SearchPipeline
from engine.pipeline.types import SearchQuery
from engine.ranking.features import SignalColumns
from engine.records import ScoredId

DEFAULT_GRID: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(21))
DEFAULT_SCALES: tuple[float, ...] = (1.0, 1.5, 2.0)


@dataclass(frozen=True)
class JudgedCandidates:
    """One judged query's fused candidates as `full` retrieval left them, with every judged grade."""

    query: str
    columns: SignalColumns
    grades: Mapping[str, float]


@dataclass(frozen=True)
class FusionFit:
    """The fitted weights and what they scored on the queries they were fitted on."""

    lexical_weight: float
    dense_weight: float
    ndcg_before: float
    ndcg_after: float
    queries: int
    curve: dict[tuple[float, float], float]  # (scale of the sum, dense share) -> mean nDCG@10

    def weights(self) -> dict[str, float]:
        return {"lexical": self.lexical_weight, "dense": self.dense_weight}

    def to_dict(self) -> dict[str, object]:
        return {
            "lexical_weight": self.lexical_weight,
            "dense_weight": self.dense_weight,
            "fitted_on": {
                "queries": self.queries,
                "ndcg@10_before": round(self.ndcg_before, 6),
                "ndcg@10_after": round(self.ndcg_after, 6),
                "curve": {f"x{s:g} dense {d:.2f}": round(v, 6) for (s, d), v in self.curve.items()},
            },
        }


def collect(
    pipeline: SearchPipeline,
    queries: Sequence[tuple[str, Mapping[str, float]]],
    progress: Callable[[int, int], None] | None = None,
) -> list[JudgedCandidates]:
    """One `full` search per (query text, grades); queries that retrieve nothing are left out."""
    kept = []
    for i, (text, grades) in enumerate(queries, start=1):
        outcome = pipeline.search(SearchQuery(text=text, size=10, method="full"))
        columns = outcome.hits[0].columns if outcome.hits else None
        if columns is not None:
            kept.append(JudgedCandidates(text, columns, grades))
        if progress is not None:
            progress(i, len(queries))
    return kept


def _lexical_list(columns: SignalColumns) -> list[ScoredId]:
    """The lexical list in its order (what `adaptive_weights` reads: the head's scores)."""
    rows = np.flatnonzero(columns.lexical_rank > 0)
    rows = rows[np.argsort(columns.lexical_rank[rows])]
    return [ScoredId(columns.ids[i], float(columns.lexical_score[i])) for i in rows]


def fused_order(item: JudgedCandidates, config: FusionConfig) -> list[str]:
    """The candidates' product ids in the `full` method's fused order under `config`."""
    columns = item.columns
    weights = adaptive_weights(item.query, _lexical_list(columns), config)
    bonus = config.title_weight * columns.title_overlap + config.phrase_weight * columns.title_phrase
    hits = fuse(columns, "full", weights, config.normalisation, bonus)
    return [hit.product_id for hit in hits]


def mean_ndcg(
    items: Sequence[JudgedCandidates], config: FusionConfig, min_grade: float, k: int = 10
) -> float:
    """Mean nDCG@k of the queries re-fused under `config` (queries without a defined nDCG left out)."""
    values = [ndcg_at_k(fused_order(item, config), item.grades, k, min_grade) for item in items]
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else float("nan")


def fit_fusion(
    items: Sequence[JudgedCandidates],
    min_grade: float,
    base: FusionConfig | None = None,
    grid: Sequence[float] = DEFAULT_GRID,
    scales: Sequence[float] = DEFAULT_SCALES,
) -> FusionFit:
    """The lexical / dense weights with the best mean nDCG@10 over `items`: each dense share of `grid`
    of the configured lexical + dense sum, that sum times each of `scales` (a larger sum weighs the
    retrievers more against the fixed title bonus)."""
    base = base or FusionConfig()
    if not items:
        raise InvalidInput("no judged query retrieved any candidate: is the catalog indexed?")
    if any(not 0.0 <= share <= 1.0 for share in grid):
        raise InvalidInput(f"dense shares must be in [0, 1], got {list(grid)}")
    if any(scale <= 0 for scale in scales):
        raise InvalidInput(f"weight scales must be > 0, got {list(scales)}")
    total = base.lexical_weight + base.dense_weight
    before = mean_ndcg(items, base, min_grade)
    curve: dict[tuple[float, float], float] = {}
    best_weights, best = (base.lexical_weight, base.dense_weight), before
    for scale in scales:
        for share in grid:
            lexical, dense = total * scale * (1 - share), total * scale * share
            config = replace(base, lexical_weight=lexical, dense_weight=dense)
            curve[(scale, share)] = mean_ndcg(items, config, min_grade)
            if curve[(scale, share)] > best + 1e-9:
                best_weights, best = (lexical, dense), curve[(scale, share)]
    return FusionFit(
        lexical_weight=round(best_weights[0], 6),
        dense_weight=round(best_weights[1], 6),
        ndcg_before=before,
        ndcg_after=best,
        queries=len(items),
        curve=curve,
    )
