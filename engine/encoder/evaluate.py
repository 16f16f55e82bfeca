"""Dense retrieval quality of a query tower against fixed product vectors (nDCG@k per query).

The product vectors are the ones the serving index holds; only the query side changes, which is exactly
what a new query-tower version does in production. Exhaustive dot products (vectors are unit length)
over the given corpus, then `engine.learning.metrics.ndcg_at_k` with the project's gain convention.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.learning.metrics import ndcg_at_k

QueryEncode = Callable[[Sequence[str]], np.ndarray]
"""Query texts -> (n, dim) unit-length float32 rows."""


@dataclass(frozen=True)
class ProductVectors:
    """The corpus dense retrieval searches: ids and their unit-length vectors (row i is ids[i])."""

    ids: tuple[str, ...]
    vectors: np.ndarray

    def rows(self, product_ids: Sequence[str]) -> np.ndarray:
        index = {pid: i for i, pid in enumerate(self.ids)}
        return self.vectors[[index[pid] for pid in product_ids]]


@dataclass(frozen=True)
class EvalQuery:
    query_id: str
    text: str
    grades: Mapping[str, float]


def dense_ndcg(
    encode: QueryEncode,
    queries: Sequence[EvalQuery],
    products: ProductVectors,
    k: int = 10,
    min_grade: float = 1.0,
    batch_size: int = 256,
) -> float:
    """Mean nDCG@k of exhaustive dense retrieval (queries with an undefined nDCG are left out; NaN if
    none is defined)."""
    values: list[float] = []
    for start in range(0, len(queries), batch_size):
        chunk = queries[start : start + batch_size]
        scores = np.asarray(encode([q.text for q in chunk]), dtype=np.float32) @ products.vectors.T
        top = np.argpartition(-scores, min(k, scores.shape[1] - 1), axis=1)[:, :k]
        for row, query in enumerate(chunk):
            head = top[row][np.argsort(-scores[row, top[row]], kind="stable")]
            value = ndcg_at_k([products.ids[i] for i in head], query.grades, k, min_grade)
            if value is not None:
                values.append(value)
    return float(np.mean(values)) if values else float("nan")
