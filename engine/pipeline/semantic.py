"""The semantic side of a match set: its similarity thresholds and the range search that finds the
products above them (`engine.pipeline.matchset` builds the set from these).

A threshold is the setting when there is one, else the value the indexer calibrated and stored in the
index manifest, else a calibration of the serving store. The range search reads the store's answer as
arrays where it offers them (a broad query has thousands of members: no object per member), and a
search whose dense stage already made it passes it along (`Within`) instead of searching again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.vectors.base import VectorStore
from engine.vectors.calibration import calibrate_store


@dataclass(frozen=True)
class Within:
    """A range search made before the match set is built (the dense stage's pass over the vectors gives
    it with the dense candidates): every product above `floor`, ids and float64 similarities."""

    floor: float
    ids: np.ndarray
    scores: np.ndarray


class Threshold:
    """One similarity threshold: the setting, else the index manifest's value, else (an index built
    before manifests carried it) the `quantile` calibration of the serving store, computed once per
    store object."""

    def __init__(self, fixed: float | None, stored: Callable[[], float | None], quantile: float) -> None:
        self.fixed = fixed
        self._stored = stored
        self.quantile = quantile
        self._calibrated: tuple[int, float | None] | None = None

    def value(self, store: VectorStore | None) -> float | None:
        """The threshold in force; None when there is no setting, no stored value and no text vectors."""
        return self.fixed if self.fixed is not None else self.calibrated(store)

    def calibrated(self, store: VectorStore | None) -> float | None:
        """The catalog's own value, whatever the setting: the manifest's, else the store's calibration."""
        stored = self._stored()
        if stored is not None:
            return stored
        if store is None or store.count() == 0:
            return None
        if self._calibrated is None or self._calibrated[0] != id(store):
            self._calibrated = (id(store), calibrate_store(store, self.quantile))
        return self._calibrated[1]


def range_members(
    store: VectorStore, vector: np.ndarray, floor: float, dense_list: list | None
) -> tuple[np.ndarray, np.ndarray]:
    """(ids, float64 similarities) of every text vector above `floor`: the store's exact range search
    (`FaissVectorStore.within_scores`), else (a store without one, such as OpenSearch k-NN) the dense
    top-N above it."""
    within = getattr(store, "within_scores", None)
    if callable(within):
        ids, scores = within(vector, floor)
        return ids, np.asarray(scores, dtype=np.float64)
    hits = [h for h in dense_list or [] if h.score >= floor]
    ids = np.empty(len(hits), dtype=object)
    ids[:] = [h.product_id for h in hits]
    return ids, np.array([h.score for h in hits], dtype=np.float64)


def keyed(ids: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """{id: similarity}, in the arrays' order."""
    return dict(zip(ids.tolist(), scores.tolist(), strict=True))
