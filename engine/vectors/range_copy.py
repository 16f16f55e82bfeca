"""The vectors a store's range searches read, kept across small writes.

A `RangeScanner` is built over a copy of every vector (a flat copy, then an int8 one in the background:
about 0.1-0.2 s and 0.4-0.9 s of CPU for 54,667 x 384). Dropping it at every write made the first
search after each write wait for a new flat copy (74-216 ms on homedepot) and spent a core's worth of
CPU for a shop writing every second or two. `RangeCopy` keeps the scanner and records the writes since
it was made instead: rows of it removed or replaced are masked, products added since are kept beside it
and scored exactly. Answers are those of a copy made now: the scanner's rows keep their exact scores,
the added rows are scored with the same FAISS kernel, and a masked row is never answered.

Past `MAX_ADDED` added rows or a tenth of the rows masked, scoring the writes beside the copy starts to
cost more than a copy, so `RangeCopies` makes a new copy on a thread of its own (flat and int8) while
the old one, still exact, keeps answering; the writes made meanwhile are recorded on the new copy
before it replaces the old one. Only a write that leaves more products beside the copy than in it, or
masks half of it, drops the copy at once (the next search makes a new one, as the first search does).

Not thread-safe on its own: the store writes under its exclusive lock and searches under its shared one;
`RangeCopies` takes the store's lock itself on its refresh thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from engine.vectors.range_scan import RangeScanner
from engine.vectors.rwlock import RWLock

log = logging.getLogger(__name__)

MAX_ADDED = 2048  # products added since the copy was made; more: a new copy
MAX_MASKED_SHARE = 0.1  # share of the copy's rows removed or replaced since; more: a new copy
MAX_MASKED_KEPT = 0.5  # past this share masked (or more rows added than the copy holds): dropped at once

# One write as recorded: (ids removed or replaced, ids added, their unit rows).
Write = tuple[Sequence[str], Sequence[str], "np.ndarray | None"]


class RangeCopy:
    """A `RangeScanner` over the product ids `ids` (row order), plus the writes since."""

    def __init__(self, ids: np.ndarray, scanner: RangeScanner) -> None:
        self.ids = ids
        self.scanner = scanner
        self.masked = np.zeros(len(ids), dtype=bool)
        self._masked_count = 0
        self._row_of: dict[str, int] | None = None  # made at the first write, or by `index_ids`
        self.added_ids: list[str] = []
        self.added = np.zeros((0, scanner.dim), dtype=np.float32)

    def close(self) -> None:
        self.scanner.close()

    # --- writes (under the store's exclusive lock) -----------------------------------------------
    def record(
        self, removed: Iterable[str], added_ids: Sequence[str] = (), added: np.ndarray | None = None
    ) -> bool:
        """Record a write: `removed` ids gone (or replaced), then `added_ids` with their unit rows
        `added`. False when the copy has taken more writes than it is worth scoring beside it: time
        for a new copy."""
        row_of = self.index_ids()
        gone = set(removed)
        for pid in gone:
            row = row_of.get(pid)
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

    def index_ids(self) -> dict[str, int]:
        """Each id's row, made once: a write needs it to mask rows (about 5 ms for homedepot's 54,667
        ids), so a copy made off the search path makes it there too rather than in the first write,
        which holds the store's exclusive lock and with it every search."""
        if self._row_of is None:
            self._row_of = {pid: row for row, pid in enumerate(self.ids.tolist())}
        return self._row_of

    @property
    def outgrown(self) -> bool:
        """More products beside the copy than in it, or half of it masked: scoring the writes exactly at
        every search would cost more than a plain scan, so the copy is not worth keeping meanwhile."""
        return len(self.added_ids) > max(
            MAX_ADDED, len(self.ids)
        ) or self._masked_count > MAX_MASKED_KEPT * len(self.ids)

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


class RangeCopies:
    """The store's current `RangeCopy`, kept across writes and made again in the background.

    `snapshot` (called under the store's shared lock) returns the store's product ids and their rows as
    they are; `copy` is what range searches read (None until `current` makes it).
    """

    def __init__(
        self, lock: RWLock, faiss: Any, snapshot: Callable[[], tuple[np.ndarray, np.ndarray]]
    ) -> None:
        self._lock, self._faiss, self._snapshot = lock, faiss, snapshot
        self.copy: RangeCopy | None = None
        self._refresh: _Refresh | None = None  # the refresh under way, if any

    def current(self) -> RangeCopy:
        """The copy, made now (int8 part in the background) if there is none. Under the shared lock."""
        copy = self.copy
        if copy is None:
            ids, matrix = self._snapshot()
            copy = self.copy = RangeCopy(ids, RangeScanner(self._faiss, matrix, background=True))
        return copy

    @property
    def refreshing(self) -> threading.Thread | None:
        """The thread making a new copy now, if any (tests and benchmarks wait on it)."""
        refresh = self._refresh
        return refresh.thread if refresh is not None else None

    # --- under the store's exclusive lock --------------------------------------------------------
    def after_write(
        self,
        removed: Sequence[str],
        added_ids: Sequence[str] = (),
        added: np.ndarray | None = None,
        *,
        recordable: bool = True,
    ) -> None:
        """Record a write on the copy (and on the one being made); past the limits start making a new
        copy, past what is worth keeping drop it. `recordable=False` (the store cannot say exactly what
        changed) drops both."""
        if not recordable:
            self.drop()
            return
        if self._refresh is not None:
            self._refresh.pending.append((list(removed), list(added_ids), added))
        copy = self.copy
        if copy is None:
            return
        if copy.record(removed, added_ids, added):
            return
        if copy.outgrown:  # the next search makes a copy, as the first one does; no second one besides
            self.drop()
        elif self._refresh is None:
            self._start_refresh()

    def drop(self) -> None:
        """No copy and no refresh (whatever one was under way will not be installed)."""
        if self.copy is not None:
            self.copy.close()
        self.copy = None
        self._refresh = None

    # --- the refresh -----------------------------------------------------------------------------
    def _start_refresh(self) -> None:
        refresh = _Refresh()
        self._refresh = refresh
        refresh.thread = threading.Thread(
            target=self._run_refresh, args=(refresh,), name="range-copy", daemon=True
        )
        refresh.thread.start()

    def _run_refresh(self, refresh: _Refresh) -> None:
        try:
            with self._lock.read():
                if self._refresh is not refresh:
                    return
                ids, matrix = self._snapshot()
                refresh.pending.clear()  # writes so far are in the snapshot; no writer runs now
            new = RangeCopy(ids, RangeScanner(self._faiss, matrix))  # int8 part too, on this thread
            new.index_ids()  # here, not under the exclusive lock when the pending writes are recorded
            with self._lock.write():
                if self._refresh is not refresh:  # dropped meanwhile
                    new.close()
                    return
                self._refresh = None
                self._install(new, refresh.pending)
        except Exception:  # the old copy (or the next search's own) still answers exactly
            log.exception("could not make a new copy of the vectors for range searches")
            with self._lock.write():
                if self._refresh is refresh:
                    self._refresh = None

    def _install(self, new: RangeCopy, writes: list[Write]) -> None:
        within_limits = all([new.record(*write) for write in writes])
        if self.copy is not None:
            self.copy.close()
        self.copy = new
        if not within_limits:  # many writes while it was made: the next refresh starts now
            self._start_refresh()


class _Refresh:
    """One background refresh: the writes made since its snapshot, to record on the new copy."""

    def __init__(self) -> None:
        self.pending: list[Write] = []
        self.thread: threading.Thread | None = None
