"""Keeps a process's click statistics (`engine.ranking.stats.ClickStats`) up to date from the event log.

Why from the log and not from what the process itself serves and hears: a shop runs several gateway
processes (workers, replicas) behind one address, so the list a shopper saw and the click on it often
reach different processes. Fed by its own traffic only, each process would count about half the clicks
and credit a click to its query only when it had handled both the list and the click, so the ranker's
`ctr` and `query_ctr` features would differ by process until a restart re-read the log. The log is the
one record all of them write to; each process reads all of it, in order, and they agree.

How fresh: the feed reads what is new every `interval_s` (1 s by default; one read a second rather than
one per served list keeps its cost per search small), and recording a shopper's events reads them
before the request answers (`refresh`), so a process's clicks count at once and everything else within
the interval: views of a list about a second after it was served, which ranking signals do not notice.
Records are read without their feature rows (`EventLog.read_signals`), which the statistics do not use:
a served list then costs about 60% of a full read (BENCHMARKS.md "Click statistics from the event log").
"""

from __future__ import annotations

import logging
import threading
import time

from engine.errors import AisleError
from engine.events.base import EventLog
from engine.ranking.stats import ClickStats

log = logging.getLogger(__name__)

_BATCH = 10_000  # records per read
_WARN_EVERY_S = 60.0  # a log that stays unreadable is reported once a minute, not every interval


class StatsFeed:
    """Reads the event log from `offset` on into `stats`; `start` runs it on a thread of its own."""

    def __init__(self, events: EventLog, stats: ClickStats, interval_s: float = 1.0) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be positive, not {interval_s}")
        self.events, self.stats, self.interval_s = events, stats, interval_s
        self.offset = 0  # the last record fed
        self._lock = threading.Lock()  # one reader at a time: records are fed once, in order
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._warned_at = float("-inf")

    def catch_up(self) -> int:
        """Feed every record written so far; returns how many were fed. Raises what the log raises."""
        fed = 0
        with self._lock:
            while True:
                records = self.events.read_signals(after=self.offset, limit=_BATCH)
                if not records:
                    return fed
                self.stats.observe(records)
                self.offset = records[-1].offset
                fed += len(records)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="stats-feed", daemon=True)
            self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def refresh(self) -> None:
        """`catch_up`, with a failure logged (at most once a minute) instead of raised: the statistics
        wait for the log, and whatever called this goes on."""
        try:
            self.catch_up()
        except Exception as exc:
            now = time.monotonic()
            if now - self._warned_at >= _WARN_EVERY_S:
                self._warned_at = now
                reason = exc.message if isinstance(exc, AisleError) else repr(exc)
                log.warning("click statistics are not following the event log: %s", reason)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval_s)
            self._wake.clear()
            if not self._stop.is_set():
                self.refresh()
