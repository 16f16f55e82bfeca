"""How the ingest pipeline reports bad input: one `Problem` per bad record, with file and line.

A run collects every problem instead of stopping at the first, so a shop fixing its export sees the whole
list at once. `--strict` turns any problem into a `BadRecords` error before anything is written; the
default skips the bad records, writes the good ones and exits non-zero, unless a build finds more of
them than `--max-bad` allows (`refuse_bad`).
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
        self.what = what
        shown = "; ".join(str(p) for p in self.problems[:MAX_REPORTED])
        more = len(self.problems) - MAX_REPORTED
        suffix = f"; ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} {what}: {shown}{suffix}")


MAX_BAD_SHARE = 0.1
"""The share of a whole catalog's records that may be bad before a build publishes nothing."""


def refuse_bad(
    problems: Sequence[Problem], good: int, strict: bool, max_share: float = MAX_BAD_SHARE
) -> None:
    """Raise `BadRecords` when a build must publish nothing: any bad record in strict mode, no good one,
    or more bad ones than `max_share` of those read. A build replaces the whole catalog, so an export
    most of whose rows fail one way (a price format, a renamed column) would otherwise take most of the
    shop's products out of its search; skipping a few bad rows is what the default is for."""
    if strict and problems:
        raise BadRecords(problems)
    if not good:
        raise BadRecords(problems, "bad records and no valid product")
    read = good + len(problems)
    if len(problems) > max_share * read:
        raise BadRecords(
            problems, f"bad records, more than --max-bad {max_share * 100:g}% of the {read} read"
        )
