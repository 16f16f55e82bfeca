"""What a catalog reader yields in place of a record it cannot read (apart from `indexer.readers` so that
each format's reader module can use it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Malformed:
    """A line that is not a record at all (bad JSON, bad encoding, too long)."""

    message: str
