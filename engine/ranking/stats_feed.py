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
With a `checkpoint` file, a start goes on from the last window the statistics closed instead of the
log's first record (`engine.ranking.stats_checkpoint`), and each closed window is saved there, on a
thread of its own so that neither the feed nor the request that happened to read the record waits.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from engine.errors import AisleError
from engine.events.base import EventLog, LogRecord
from engine.ranking import stats_checkpoint
from engine.ranking.stats import ClickStats, Closed

log = logging.getLogger(__name__)

_BATCH = 10_000  # records per read
_WARN_EVERY_S = 60.0  # a log that stays unreadable is reported once a minute, not every interval


class StatsFeed:
    """Reads the event log from `offset` on into `stats`; `start` runs it on a thread of its own."""

    def __init__(
        self, events: EventLog, stats: ClickStats, interval_s: float = 1.0, checkpoint: Path | None = None
    ) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be positive, not {interval_s}")
        self.events, self.stats, self.interval_s = events, stats, interval_s
        self.checkpoint = checkpoint
        self.offset = 0  # the last record fed
        self._closed: tuple[LogRecord, Closed] | None = None  # the newest window closed, not saved yet
        self._saves = 0  # saves asked for; a save older than the newest is skipped
        self._save_lock = threading.Lock()
        self._saving: threading.Thread | None = None
        self._lock = threading.Lock()  # one reader at a time: records are fed once, in order
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._warned_at = float("-inf")

    def restore(self) -> bool:
        """Go on from the checkpoint, if there is a usable one (call before the first `catch_up`)."""
        if self.checkpoint is None:
            return False
        loaded = stats_checkpoint.load(self.checkpoint, self.events)
        if loaded is None:
            return False
        with self._lock:
            self.offset, state = loaded
            self.stats.restore(state)
        return True

    def catch_up(self) -> int:
        """Feed every record written so far; returns how many were fed. Raises what the log raises."""
        fed = 0
        with self._lock:
            try:
                while True:
                    records = self.events.read_signals(after=self.offset, limit=_BATCH)
                    if not records:
                        return fed
                    self.stats.observe(records, self._window_closed)
                    self.offset = records[-1].offset
                    fed += len(records)
            finally:
                self._save_closed()

    def _window_closed(self, record: LogRecord, state: Closed) -> None:
        self._closed = (record, state)

    def _save_closed(self) -> None:
        """Save the newest closed window on a thread of its own (a window holds up to half a million
        pairs: seconds of encoding)."""
        closed, self._closed = self._closed, None
        if closed is None or self.checkpoint is None:
            return
        self._saves += 1
        self._saving = threading.Thread(target=self._save, args=(self._saves, *closed), name="stats-save")
        self._saving.start()

    def _save(self, number: int, record: LogRecord, state: Closed) -> None:
        assert self.checkpoint is not None
        with self._save_lock:
            if number != self._saves:
                return  # a newer window closed while this one waited: its save is the one to keep
            try:
                stats_checkpoint.save(self.checkpoint, record, state)
            except Exception as exc:  # a start then reads more of the log; serving goes on
                log.warning("could not save the click statistics checkpoint %s: %r", self.checkpoint, exc)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="stats-feed", daemon=True)
            self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stop following; a checkpoint being saved is finished first (up to `timeout` more)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._saving is not None:
            self._saving.join(timeout)

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
