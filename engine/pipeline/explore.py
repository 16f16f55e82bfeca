"""Stage: randomised exploration of the served order, so the click log can tell position from relevance.

Why: the update job estimates how often each position is looked at (`engine.learning.propensity`) by
comparing the same product for the same query at different positions. Without randomisation that only
happens when a new ranker version moves things, and the estimate flattens. Here, for each served list,
non-overlapping adjacent pairs at positions >= `start` (1-based over the whole result list) are swapped
with probability `rate` each (RandPair-style). The grid of pairs starts at `start` or `start + 1`, chosen
per list, so every boundary between neighbouring positions gets swapped across some of the time.

Contract: the randomness is a pure function of the list's key (query text, image, filters, sort, shopper,
ranker version), never of the page. One shopper paging through one query therefore sees one consistent
order (no hit repeated or skipped across pages) and a repeated request gets the same answer, while
different shoppers get different swaps. Adjacent swaps move a hit by one position at most, so the top
`start - 1` positions are exactly the ranker's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from engine.errors import InvalidInput
from engine.records import Filters

T = TypeVar("T")


@dataclass(frozen=True)
class ExplorationKey:
    """What identifies "the same list for the same shopper"; page and size deliberately excluded."""

    text: str
    filters: Filters
    sort: str
    shopper: str
    ranker_version: int | None
    image: bytes | None = None

    def seed(self) -> int:
        """A stable 64-bit seed (same across processes and restarts, unlike `hash()`)."""
        payload = json.dumps(
            {
                "text": self.text,
                "filters": dataclasses.asdict(self.filters),
                "sort": self.sort,
                "shopper": self.shopper,
                "ranker": self.ranker_version,
                "image": hashlib.sha256(self.image).hexdigest() if self.image is not None else None,
            },
            sort_keys=True,
            default=str,
        )
        return int.from_bytes(hashlib.blake2b(payload.encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class ExplorationPolicy:
    """Swap each eligible adjacent pair with probability `rate`; pairs start at position `start`."""

    rate: float = 0.1
    start: int = 3

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise InvalidInput(f"exploration rate must be in [0, 1], got {self.rate}")
        if self.start < 1:
            raise InvalidInput(f"exploration start is a 1-based position, got {self.start}")

    @property
    def enabled(self) -> bool:
        return self.rate > 0.0

    def swaps(self, length: int, seed: int) -> list[tuple[int, int]]:
        """The swapped 1-based position pairs for a list of `length` items, in increasing order.

        Decisions are drawn pair by pair from the top, so a longer list (a deeper page fetched more
        candidates) keeps every decision of the shorter one.
        """
        if not self.enabled or length < self.start + 1:
            return []
        rng = random.Random(seed)
        position = self.start + rng.getrandbits(1)
        out = []
        while position + 1 <= length:
            if rng.random() < self.rate:
                out.append((position, position + 1))
            position += 2
        return out

    def apply(self, items: Sequence[T], seed: int) -> tuple[list[T], list[tuple[int, int]]]:
        """`items` in explored order, plus the swapped 1-based position pairs."""
        order = list(items)
        pairs = self.swaps(len(order), seed)
        for a, b in pairs:
            order[a - 1], order[b - 1] = order[b - 1], order[a - 1]
        return order, pairs


def swaps_on_page(pairs: Sequence[tuple[int, int]], first: int, size: int) -> tuple[tuple[int, int], ...]:
    """The pairs that touch positions `first .. first + size - 1` (a pair may straddle a page edge)."""
    last = first + size - 1
    return tuple((a, b) for a, b in pairs if first <= b and a <= last)
