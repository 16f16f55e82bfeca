"""The shop's merchandising rules on disk: `<data_dir>/merch/rules.json`, shared by every process.

Writes replace the file atomically under a cross-process lock (`engine.storage.write_atomic`,
`file_lock`): a change is validated whole before anything is written, and a reader sees the old file or
the new one, never a mix. Each save bumps `generation`.

Readers (`RuleStore.current`, called once per search) compare the file's inode and mtime with what they
loaded, a single `stat`, so every gateway worker serves a change from its next search on. A file that
does not parse (edited by hand) is logged and the previously loaded rules keep serving; with no file at
all the defaults apply (`RuleSet()`: unavailable products buried, no other rule).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from engine.config import Settings
from engine.errors import InvalidInput
from engine.merch.rules import RuleSet
from engine.storage import file_lock, write_atomic

log = logging.getLogger(__name__)

RULES_FILE = "rules.json"


def rules_path(settings: Settings) -> Path:
    return settings.path("merch", RULES_FILE)


class RuleStore:
    """Thread-safe reader and writer of one rules file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._rules = RuleSet()

    def current(self) -> RuleSet:
        """The rules as they are on disk now (reloaded only when the file changed)."""
        stamp = self._stat()
        if stamp == self._stamp:
            return self._rules
        with self._lock:
            if stamp != self._stamp:
                try:
                    self._rules = self._read() if stamp is not None else RuleSet()
                except InvalidInput as exc:
                    log.error("%s: %s; keeping the rules loaded before", self.path, exc.message)
                self._stamp = stamp
            return self._rules

    def update(self, change: Callable[[RuleSet], RuleSet]) -> RuleSet:
        """Apply `change` to the rules on disk under the writer lock and save the result.

        `change` returns the new rule set or raises (`InvalidInput`, `NotFound`): then nothing is written.
        """
        with file_lock(self.path.with_name(f".{self.path.name}.lock")):
            before = self._read() if self.path.exists() else RuleSet()
            after = replace(
                change(before),
                generation=before.generation + 1,
                updated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            )
            write_atomic(self.path, json.dumps({"format": 1, **after.to_dict()}, indent=2) + "\n")
        return self.current()

    def _read(self) -> RuleSet:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"unreadable rules file ({exc})") from None
        if not isinstance(data, dict) or data.pop("format", None) != 1:
            raise InvalidInput("unsupported rules file format")
        return RuleSet.from_dict(data)

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size
