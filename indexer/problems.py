"""How the ingest pipeline reports bad input: one `Problem` per bad record, with file and line.

A run collects every problem instead of stopping at the first, so a shop fixing its export sees the whole
list at once. `--strict` turns any problem into a `BadRecords` error before anything is written; the
default skips the bad records, writes the good ones and exits non-zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.errors import InvalidInput

MAX_REPORTED = 100
"""How many problems an error message spells out before summarising the rest as a count."""


@dataclass(frozen=True)
class Problem:
    """A record the pipeline could not use. `line` is 1-based (the row number for Parquet)."""

    source: str
    line: int
    message: str
    product_id: str | None = None

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


class BadRecords(InvalidInput):
    """Raised in strict mode (or when nothing usable is left) with every problem found."""

    def __init__(self, problems: Sequence[Problem], what: str = "bad records") -> None:
        self.problems = list(problems)
        shown = "; ".join(str(p) for p in self.problems[:MAX_REPORTED])
        more = len(self.problems) - MAX_REPORTED
        suffix = f"; ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} {what}: {shown}{suffix}")
