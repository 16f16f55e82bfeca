"""The embedded event log: one SQLite file in WAL mode with `synchronous=FULL`.

Why SQLite: a committed transaction is fsync'd to the write-ahead log before `commit()` returns, so an
append that returned survives a crash or power loss; a write torn by a crash fails the WAL frame checksums
and SQLite drops it on the next open (the previous records stay readable). That is exactly the contract
of `EventLog`, without a hand-rolled segment format.

Layout: one table `log` whose INTEGER PRIMARY KEY is the offset (monotonic; AUTOINCREMENT so an offset is
never reused). `kind` tells a served list ("served") from a reported action ("event"): both can carry the
type "impression" (the front end may report views), so `counts()` names served lists "impression" and
reported views "impression_event". `key` is unique: `imp:<search_id>` or `ev:<event_id>`, which makes
appends idempotent (a duplicate keeps the offset of the first write). Payloads are JSON; nothing is pickled.

One connection is shared by the threads of a process behind a lock: SQLite serialises writers anyway,
and the gateway's writes are small.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.errors import BackendUnavailable, InvalidInput
from engine.events.base import EVENT_TYPES, Event, Impression, LogRecord, event_key, served_key
from engine.events.codec import event_from_json, event_to_json, impression_from_json, impression_to_json

_SCHEMA = """
CREATE TABLE IF NOT EXISTS log (
    offset INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    type TEXT NOT NULL,
    user_id TEXT,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_user ON log (user_id, offset) WHERE user_id IS NOT NULL;
"""
OPEN_TIMEOUT_S = 10.0  # how long an open waits for another process opening the same file


class EmbeddedEventLog:
    """`EventLog` over a local SQLite file (created with its directory on first use)."""

    def __init__(self, path: Path, open_timeout_s: float = OPEN_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        deadline = time.monotonic() + open_timeout_s
        while True:
            try:
                self._db = self._connect()
                return
            except sqlite3.OperationalError as exc:
                # Gateway workers start together and each switches the file to WAL, which needs the
                # file alone: SQLite answers "database is locked" at once there, without its busy wait.
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise BackendUnavailable("event log", f"cannot open {self.path}: {exc}") from exc
                time.sleep(0.05)
            except sqlite3.Error as exc:
                raise BackendUnavailable("event log", f"cannot open {self.path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=5000")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(_SCHEMA)
        except sqlite3.Error:
            db.close()
            raise
        return db

    # --- writes ---------------------------------------------------------------------------------------
    def _insert(
        self, cur: sqlite3.Cursor, key: str, kind: str, type_: str, user_id: str | None, payload: str
    ) -> int:
        cur.execute(
            "INSERT OR IGNORE INTO log (key, kind, type, user_id, payload) VALUES (?, ?, ?, ?, ?)",
            (key, kind, type_, user_id, payload),
        )
        if cur.rowcount == 1 and cur.lastrowid is not None:
            return int(cur.lastrowid)
        row = cur.execute("SELECT offset FROM log WHERE key = ?", (key,)).fetchone()
        return int(row[0])

    def append_impression(self, impression: Impression) -> int:
        return self.append_impressions([impression])[0]

    def append_impressions(self, impressions: Sequence[Impression]) -> list[int]:
        rows = [
            (served_key(imp.search_id), "served", "impression", imp.user_id, impression_to_json(imp))
            for imp in impressions
        ]
        if not rows:
            return []
        with self._lock:
            return self._write(rows)

    def append_events(self, events: Sequence[Event]) -> list[int]:
        rows: list[tuple[str, str, str, str | None, str]] = []
        for event in events:
            if event.type not in EVENT_TYPES:
                raise InvalidInput(f"unknown event type {event.type!r}; expected one of {EVENT_TYPES}")
            payload = event_to_json(event)
            rows.append((event_key(event.event_id), "event", event.type, event.user_id, payload))
        if not rows:
            return []
        with self._lock:
            return self._write(rows)

    def _write(self, rows: list[tuple[str, str, str, str | None, str]]) -> list[int]:
        """All rows in one transaction: either every row is durable or none is."""
        cur = self._db.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
            offsets = [self._insert(cur, *row) for row in rows]
            cur.execute("COMMIT")
            return offsets
        except sqlite3.Error as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise BackendUnavailable("event log", f"write failed: {exc}") from exc
        finally:
            cur.close()

    # --- reads ----------------------------------------------------------------------------------------
    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise BackendUnavailable("event log", f"read failed: {exc}") from exc

    def read(self, after: int, limit: int = 10_000) -> list[LogRecord]:
        rows = self._query(
            "SELECT offset, kind, payload FROM log WHERE offset > ? ORDER BY offset LIMIT ?", (after, limit)
        )
        return _records(rows, lean=False)

    def read_signals(self, after: int, limit: int = 10_000) -> list[LogRecord]:
        """`read` without the served lists' feature rows, which SQLite's own JSON functions cut out
        before Python parses anything (a tenth of a served list's payload is left)."""
        rows = self._query(
            "SELECT offset, kind, CASE kind WHEN 'served' "
            "THEN json_remove(payload, '$.features', '$.feature_names', '$.extra') ELSE payload END "
            "FROM log WHERE offset > ? ORDER BY offset LIMIT ?",
            (after, limit),
        )
        return _records(rows, lean=True)

    def impression(self, search_id: str) -> Impression | None:
        rows = self._query("SELECT payload FROM log WHERE key = ?", (served_key(search_id),))
        return impression_from_json(rows[0][0]) if rows else None

    def recent_events(self, user_id: str, limit: int = 50) -> list[Event]:
        rows = self._query(
            "SELECT payload FROM log WHERE user_id = ? AND kind = 'event' ORDER BY offset DESC LIMIT ?",
            (user_id, limit),
        )
        return [event_from_json(payload) for (payload,) in rows]

    def counts(self) -> dict[str, int]:
        rows = self._query("SELECT kind, type, COUNT(*) FROM log GROUP BY kind, type", ())
        counts = dict.fromkeys((*EVENT_TYPES, "impression_event"), 0)
        for kind, type_, n in rows:
            name = "impression_event" if kind == "event" and type_ == "impression" else type_
            counts[name] = int(n)
        return counts

    def last_offset(self) -> int:
        rows = self._query("SELECT COALESCE(MAX(offset), 0) FROM log", ())
        return int(rows[0][0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _records(rows: list[tuple[Any, ...]], lean: bool) -> list[LogRecord]:
    records = []
    for offset, kind, payload in rows:
        if kind == "served":
            records.append(LogRecord(offset=offset, impression=impression_from_json(payload, lean)))
        else:
            records.append(LogRecord(offset=offset, event=event_from_json(payload)))
    return records
