"""Synonym sets, applied when a query is analysed, so a change needs no rebuild on either backend.

A set lists words or phrases a shopper may use for the same thing (["sofa", "couch", "settee"],
["tv", "television"]). A query word equal to one entry (after analysis: "TVs" is "tv") also matches the
other entries; a phrase entry matches when all its words are in the product. A run of query words equal
to a phrase entry (up to `MAX_PHRASE_WORDS` words, stop words aside: "drill driver", "bag of words") is a
trigger too: the query then also matches with that run replaced by each other entry
(`engine.lexical.readings.phrase_rewrites`), the rest of the query still applying.

The sets live in one JSON file (`<data_dir>/synonyms.json`), replaced atomically by the admin API;
every gateway process notices a new file within `check_interval_s`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import InvalidInput
from engine.lexical.readings import MAX_PHRASE_WORDS
from engine.storage import write_atomic

if TYPE_CHECKING:
    from engine.config import Settings

MAX_SETS = 10_000
MAX_ENTRIES = 50
Expansions = dict[str, tuple[tuple[str, tuple[str, ...]], ...]]


def synonyms_path(settings: Settings) -> Path:
    return settings.path("synonyms.json")


def validate(sets: Sequence[Sequence[str]], analyzer: Callable[[str], list[str]]) -> list[list[str]]:
    """Cleaned sets (stripped, duplicates dropped); `InvalidInput` names the first bad entry."""
    if len(sets) > MAX_SETS:
        raise InvalidInput(f"synonyms: at most {MAX_SETS} sets, got {len(sets)}")
    cleaned = []
    for i, entries in enumerate(sets):
        kept = list(dict.fromkeys(e.strip() for e in entries))
        if len(kept) < 2 or len(kept) > MAX_ENTRIES:
            raise InvalidInput(f"synonyms[{i}]: a set needs 2 to {MAX_ENTRIES} distinct entries")
        for j, entry in enumerate(kept):
            if not analyzer(entry):
                raise InvalidInput(
                    f"synonyms[{i}][{j}]: {entry!r} has no searchable word (empty or stop words)"
                )
        cleaned.append(kept)
    return cleaned


def expansions(sets: Sequence[Sequence[str]], analyzer: Callable[[str], list[str]]) -> Expansions:
    """Analysed entry (its terms joined by spaces; one word, or a phrase of up to `MAX_PHRASE_WORDS`) ->
    the other entries of its sets, as (text, analysed terms)."""
    table: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {}
    for entries in sets:
        analysed = [(e, tuple(analyzer(e))) for e in entries]
        for _, terms in analysed:
            if not 1 <= len(terms) <= MAX_PHRASE_WORDS:
                continue
            others = table.setdefault(" ".join(terms), {})
            for other_text, other_terms in analysed:
                if other_terms and other_terms != terms:
                    others.setdefault(" ".join(other_terms), (other_text, other_terms))
    return {word: tuple(others.values()) for word, others in table.items()}


class SynonymFile:
    """The synonym sets of one catalog, read from `path` and re-read when the file changes."""

    def __init__(self, path: Path, check_interval_s: float = 1.0) -> None:
        self.path = Path(path)
        self.check_interval_s = check_interval_s
        self._checked_at = float("-inf")
        self._stamp: tuple[int, int] | None = None
        self._sets: list[list[str]] = []
        self._tables: dict[int, Expansions] = {}

    def sets(self) -> list[list[str]]:
        now = time.monotonic()
        if now - self._checked_at >= self.check_interval_s:
            self._checked_at = now
            try:
                stat = self.path.stat()
                stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
            except FileNotFoundError:
                stamp = None
            if stamp != self._stamp:
                self._sets = json.loads(self.path.read_text())["synonyms"] if stamp else []
                self._stamp = stamp
                self._tables = {}
        return self._sets

    def table(self, analyzer: Callable[[str], list[str]]) -> Expansions:
        sets = self.sets()
        key = id(analyzer)
        if key not in self._tables:
            self._tables[key] = expansions(sets, analyzer)
        return self._tables[key]

    def replace(self, sets: Sequence[Sequence[str]], analyzer: Callable[[str], list[str]]) -> list[list[str]]:
        """Validate and store `sets` (all or nothing); returns what was stored."""
        cleaned = validate(sets, analyzer)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps({"synonyms": cleaned}, ensure_ascii=False))
        self._checked_at = float("-inf")
        return cleaned
