"""The vectors a store's range searches read, kept across small writes.

A `RangeScanner` is built over a copy of every vector (a flat copy, then an int8 one in the background:
about 0.1-0.2 s and 0.4-0.9 s of CPU for 54,667 x 384). Dropping it at every write made the first
search after each write wait for a new flat copy (74-216 ms on homedepot) and spent a core's worth of
CPU for a shop writing every second or two. `RangeCopy` keeps the scanner and records the writes since
it was made instead: rows of it removed or replaced are masked, products added since are kept beside it
and scored exactly. Answers are those of a copy made now: the scanner's rows keep their exact scores,
the added rows are scored with the same FAISS kernel, and a masked row is never answered. Past
`MAX_ADDED` added rows or a tenth of the rows masked the store drops the copy and the next search
makes a new one.

Not thread-safe on its own: the store writes under its exclusive lock and searches under its shared one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from engine.vectors.range_scan import RangeScanner

MAX_ADDED = 2048  # products added since the copy was made; more: a new copy
MAX_MASKED_SHARE = 0.1  # share of the copy's rows removed or replaced since; more: a new copy


class RangeCopy:
    """A `RangeScanner` over the product ids `ids` (row order), plus the writes since."""

    def __init__(self, ids: np.ndarray, scanner: RangeScanner) -> None:
        self.ids = ids
        self.scanner = scanner
        self.masked = np.zeros(len(ids), dtype=bool)
        self._masked_count = 0
        self._row_of: dict[str, int] | None = None  # made at the first write
        self.added_ids: list[str] = []
        self.added = np.zeros((0, scanner.dim), dtype=np.float32)

    def close(self) -> None:
        self.scanner.close()

    # --- writes (under the store's exclusive lock) -----------------------------------------------
    def record(
        self, removed: Iterable[str], added_ids: Sequence[str] = (), added: np.ndarray | None = None
    ) -> bool:
        """Record a write: `removed` ids gone (or replaced), then `added_ids` with their unit rows
        `added`. False when the copy has taken too many writes and should be dropped."""
        if self._row_of is None:
            self._row_of = {pid: row for row, pid in enumerate(self.ids.tolist())}
        gone = set(removed)
        for pid in gone:
            row = self._row_of.get(pid)
            if row is not None and not self.masked[row]:
                self.masked[row] = True
                self._masked_count += 1
        if gone.intersection(self.added_ids):
            keep = [i for i, pid in enumerate(self.added_ids) if pid not in gone]
            self.added_ids = [self.added_ids[i] for i in keep]
            self.added = self.added[keep]
        if added_ids and added is not None:
            self.added_ids.extend(added_ids)
            self.added = np.concatenate([self.added, np.asarray(added, dtype=np.float32)])
        return len(self.added_ids) <= MAX_ADDED and self._masked_count <= MAX_MASKED_SHARE * len(self.ids)

    # --- searches --------------------------------------------------------------------------------
    def within(self, q: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray]:
        """(ids, float32 scores) of every product whose inner product with `q` is above `min_score`:
        the copy's rows in row order, then the products added since in the order they came."""
        rows, scores = self.scanner.within(q, min_score)
        if self._masked_count:
            keep = ~self.masked[rows]
            rows, scores = rows[keep], scores[keep]
        ids = self.ids[rows]
        if not self.added_ids:
            return ids, scores
        extra_ids, extra_scores = self._added_scores(q)
        above = extra_scores > np.float32(min_score)
        return np.concatenate([ids, extra_ids[above]]), np.concatenate([scores, extra_scores[above]])

    def nearest_and_within(
        self, q: np.ndarray, k: int, min_score: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """(top ids, their scores, range ids, their scores) as `RangeScanner.nearest_and_within` gives
        rows, over the products as they are now; None where it declines."""
        masked = self.masked if self._masked_count else None
        found = self.scanner.nearest_and_within(q, k, min_score, masked=masked)
        if found is None:
            return None
        top_rows, top_scores, rows, scores = found
        top_ids, ids = self.ids[top_rows], self.ids[rows]
        if not self.added_ids:
            return top_ids, top_scores, ids, scores
        extra_ids, extra_scores = self._added_scores(q)
        above = extra_scores > np.float32(min_score)
        pool_ids = np.concatenate([top_ids, extra_ids])
        pool_scores = np.concatenate([top_scores, extra_scores])
        order = np.lexsort((np.arange(pool_scores.size), -pool_scores))[:k]
        ids = np.concatenate([ids, extra_ids[above]])
        return pool_ids[order], pool_scores[order], ids, np.concatenate([scores, extra_scores[above]])

    def _added_scores(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The products added since, with their scores from the kernel the scanner rescores with."""
        ids = np.empty(len(self.added_ids), dtype=object)
        ids[:] = self.added_ids
        return ids, self.scanner.inner_products(q, self.added)
