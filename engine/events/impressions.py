"""Stage: log each served result list as an `Impression`, off the request's critical path.

The event log fsyncs every append; doing that inside a search would add a disk flush to every response.
Searches hand their impression to `ImpressionWriter.submit` instead and a single background thread
appends them in order, several per write when they queue up (group commit). The trade-off is explicit:
an impression can be lost if the process dies within the few milliseconds between the response and the
append (the shopper's events themselves are written synchronously by POST /v1/events before it answers
202).

The writer also remembers recently served search ids, so an event that arrives before its impression is
written is still recognised. (The click statistics read impressions back from the log,
`engine.ranking.stats_feed`, whichever process wrote them.)
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections import OrderedDict

from engine.events.base import EventLog, Impression

log = logging.getLogger(__name__)

_STOP = object()
_MAX_BATCH = 256  # impressions per write at most: bounds one transaction's size under a burst


class ImpressionWriter:
    def __init__(
        self,
        events: EventLog,
        capacity: int = 10_000,
        remember: int = 100_000,
    ) -> None:
        self.events = events
        self._queue: queue.Queue[object] = queue.Queue(maxsize=capacity)
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._remember = remember
        self._lock = threading.Lock()
        self.dropped = 0
        self.failed = 0
        self._thread = threading.Thread(target=self._run, name="impression-writer", daemon=True)
        self._thread.start()

    def submit(self, impression: Impression) -> None:
        """Queue for durable append; when the queue is full (the disk cannot keep up) the impression is
        dropped and counted rather than slowing searches down."""
        with self._lock:
            self._recent[impression.search_id] = None
            while len(self._recent) > self._remember:
                self._recent.popitem(last=False)
        try:
            self._queue.put_nowait(impression)
        except queue.Full:
            self.dropped += 1

    def known(self, search_id: str) -> bool:
        """True when `search_id` was served by this process recently or is in the log."""
        with self._lock:
            if search_id in self._recent:
                return True
        return self.events.impression(search_id) is not None

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is appended; False on timeout."""
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Append what is queued, then stop the thread."""
        with contextlib.suppress(queue.Full):
            self._queue.put(_STOP, timeout=timeout)
        self._thread.join(timeout)

    def _run(self) -> None:
        """Group commit: whatever queued up while the last write was syncing goes out in one write, so
        under load the log pays one fsync per batch instead of one per search."""
        while True:
            batch, control = self._take_batch()
            self._append(batch)
            if control is _STOP:
                return
            if isinstance(control, threading.Event):
                control.set()

    def _take_batch(self) -> tuple[list[Impression], object | None]:
        """Queued impressions (waiting for the first) up to `_MAX_BATCH` or the next control item (stop,
        or a flush marker), returned with that control item, if any."""
        batch: list[Impression] = []
        item = self._queue.get()
        while item is not _STOP and not isinstance(item, threading.Event):
            batch.append(item)  # type: ignore[arg-type]
            if len(batch) >= _MAX_BATCH:
                return batch, None
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, None
        return batch, item

    def _append(self, batch: list[Impression]) -> None:
        if not batch:
            return
        try:
            self.events.append_impressions(batch)
        except Exception:
            self.failed += len(batch)
            log.exception("could not append %d impressions to the event log", len(batch))
