"""Offline metrics: nDCG on labelled queries and the self-normalised IPS click estimate on logged clicks.

nDCG follows the project's convention (see the benchmark datasets' README): gain 2^(grade - min_grade) - 1,
log2 discount, ideal DCG from every judged grade of the query (not only the retrieved ones), unjudged
products gain 0.

The click estimate answers "how often would relevant results be clicked if this ranker served the logged
lists?". Under the position-based model a click on product d at logged position k says d is attractive
with weight 1/theta_k; re-ranking the same list with the ranker under test moves d to position k', where
it would be examined with probability theta_k'. So

    V(ranker) = sum_clicks w_c * theta(k'_c) / sum_clicks w_c,      w_c = 1 / theta(k_c) (clipped)

is the self-normalised IPS estimate (Swaminathan & Joachims, 2015) of the probability that a relevant
result gets examined. The same estimator scores the serving and the candidate version on the same
hold-out lists, so the comparison is fair even though the absolute value depends on the propensities.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from engine.learning.clicks import ClickedList
from engine.learning.propensity import Propensities

Scorer = Callable[[np.ndarray], np.ndarray]
"""Feature rows (n, n_features) float32 -> scores (n,); higher ranks first."""


def gain(grade: float, min_grade: float = 1.0) -> float:
    return 2.0 ** (grade - min_grade) - 1.0 if grade >= min_grade else 0.0


def ndcg_at_k(
    ranked_ids: Sequence[str], grades: Mapping[str, float], k: int = 10, min_grade: float = 1.0
) -> float | None:
    """nDCG@k of a ranked list against the judged grades of its query.

    None when the ideal DCG is 0 (every judged grade is the minimum): such a query has no defined nDCG and
    is left out of means, as everywhere in the project.
    """
    ideal = sorted((gain(g, min_grade) for g in grades.values()), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    if idcg <= 0:
        return None
    dcg = sum(
        gain(grades[pid], min_grade) / math.log2(i + 2)
        for i, pid in enumerate(ranked_ids[:k])
        if pid in grades
    )
    return dcg / idcg


def rank_positions(scores: np.ndarray) -> np.ndarray:
    """1-based position of each row when sorted by descending score (stable on ties)."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    positions = np.empty(len(order), dtype=np.int64)
    positions[order] = np.arange(1, len(order) + 1)
    return positions


def reorder_columns(rows: np.ndarray, names: Sequence[str], wanted: Sequence[str]) -> np.ndarray:
    """Feature rows with columns `names` rearranged into `wanted` order (a missing feature is 0)."""
    rows = np.asarray(rows, dtype=np.float32)
    if not names or list(names) == list(wanted):
        return rows
    index = {name: i for i, name in enumerate(names)}
    out = np.zeros((rows.shape[0], len(wanted)), dtype=np.float32)
    for j, name in enumerate(wanted):
        if name in index:
            out[:, j] = rows[:, index[name]]
    return out


def features_of(item: ClickedList, feature_names: Sequence[str]) -> np.ndarray:
    """The list's feature rows in `feature_names` order."""
    return reorder_columns(np.asarray(item.impression.features), item.impression.feature_names, feature_names)


def snips_click_estimate(
    lists: Iterable[ClickedList],
    scorer: Scorer,
    propensities: Propensities,
    feature_names: Sequence[str],
) -> tuple[float, int]:
    """(estimate, clicks used); (nan, 0) without any click to learn from."""
    numerator = denominator = 0.0
    used = 0
    for item in lists:
        if not item.clicked:
            continue
        # Re-rank within the logged list; a page further down keeps its offset (positions 11..20).
        first = min(item.impression.positions)
        positions = rank_positions(scorer(features_of(item, feature_names))) + (first - 1)
        for index in item.clicked:
            w = propensities.weight(item.impression.positions[index])
            numerator += w * propensities.at(int(positions[index]))
            denominator += w
            used += 1
    return (numerator / denominator if denominator > 0 else float("nan")), used
