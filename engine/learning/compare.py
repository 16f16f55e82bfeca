"""Kept ranker versions side by side on a shop's chosen queries.

Before trusting a new version (or after the update job rejected one), a merchandiser wants to see what it
would show. Each query is searched once with the production pipeline (same candidates, same feature
rows the serving ranker scores); every asked version then re-ranks those rows, loaded from the ranker
store in this process, so the lists differ only by the ranker. Nothing is logged and nothing is served.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.errors import InvalidInput
from engine.learning.trainer import score_rows
from engine.learning.versions import RankerStore
from engine.pipeline.relevance import unit_interval
from engine.pipeline.search import SearchPipeline
from engine.pipeline.types import SearchQuery
from engine.ranking.features import FEATURE_NAMES

MAX_QUERIES = 50
MAX_VERSIONS = 4


@dataclass(frozen=True)
class Ranked:
    """`score` is on the scale searches answer with (`engine.pipeline.relevance`), so versions trained
    to different output ranges read alike; `raw` is the version's own output."""

    product_id: str
    score: float
    raw: float


@dataclass(frozen=True)
class QueryComparison:
    query: str
    lists: dict[int, list[Ranked]]

    def overlap(self, a: int, b: int) -> int:
        """Products both versions put in their lists."""
        return len({r.product_id for r in self.lists[a]} & {r.product_id for r in self.lists[b]})


def compare_versions(
    pipeline: SearchPipeline,
    store: RankerStore,
    queries: Sequence[str],
    versions: Sequence[int],
    size: int = 10,
) -> list[QueryComparison]:
    """The top `size` of each version for each query (ties keep the fused order)."""
    if not queries or len(queries) > MAX_QUERIES:
        raise InvalidInput(f"queries: give 1 to {MAX_QUERIES}")
    if not versions or len(versions) > MAX_VERSIONS or len(set(versions)) != len(versions):
        raise InvalidInput(f"versions: give 1 to {MAX_VERSIONS} different versions")
    nets = {}
    for version in versions:
        net, manifest = store.load(version)
        if list(manifest.feature_names) != list(FEATURE_NAMES):
            raise InvalidInput(
                f"ranker version {version} was trained on other features than the pipeline makes"
            )
        nets[version] = net
    results = []
    for query in queries:
        outcome = pipeline.search(SearchQuery(text=query, size=pipeline.config.rerank_depth, method="full"))
        rows = [hit for hit in outcome.hits if hit.features is not None]
        matrix = [np.asarray(hit.features, dtype=np.float32) for hit in rows]
        features = np.stack(matrix) if matrix else np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
        lists = {}
        for version, net in nets.items():
            scores = score_rows(net, features)
            unit = unit_interval(np.asarray(scores, dtype=np.float64))
            order = sorted(range(len(rows)), key=lambda i: (-scores[i], rows[i].fused_rank))
            lists[version] = [
                Ranked(rows[i].product_id, float(unit[i]), float(scores[i])) for i in order[:size]
            ]
        results.append(QueryComparison(query, lists))
    return results
