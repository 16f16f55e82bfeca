"""Clicks joined to the served lists they came from, read from the event log by offset.

The gateway logs each served list as an `Impression` (product ids, positions, the ranker's feature rows)
and the front end reports actions as `Event`s carrying the list's `search_id`. The update job needs both
together: a `ClickedList` is one served list with the indexes of the products that were acted on.

Click, add-to-cart and purchase all count as one positive per (list, product): a purchase implies the
shopper looked at the result and liked it, and counting it three times would only add variance.

`read_window` splits the records after a checkpoint into a training part and the most recent served
lists (the hold-out used by the validation gate). The training part ends at `boundary`: everything up to
it is consumed by the run, everything after it (the hold-out and its clicks) is read again by the next
run, so no event is ever trained on twice and none is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from engine.events.base import EventLog, Impression, LogRecord, read_records
from engine.learning.propensity import ClickObservation
from engine.ranking.stats import normalise_query

POSITIVE_TYPES = frozenset({"click", "add_to_cart", "purchase"})


@dataclass(frozen=True)
class ClickedList:
    """A served list and the indexes (into `impression.product_ids`) of the products acted on."""

    impression: Impression
    clicked: tuple[int, ...] = ()

    @property
    def query(self) -> str:
        return normalise_query(self.impression.query)

    def click_positions(self) -> list[int]:
        return [self.impression.positions[i] for i in self.clicked]

    def observations(self) -> Iterator[ClickObservation]:
        clicked = set(self.clicked)
        for i, (pid, pos) in enumerate(
            zip(self.impression.product_ids, self.impression.positions, strict=True)
        ):
            yield ClickObservation(self.query, pid, pos, i in clicked)


@dataclass
class LogWindow:
    """The records after a checkpoint, split for one run of the update job."""

    after: int
    boundary: int
    end: int
    train: list[ClickedList] = field(default_factory=list)
    holdout: list[ClickedList] = field(default_factory=list)

    @property
    def train_clicks(self) -> int:
        return sum(len(item.clicked) for item in self.train)

    @property
    def holdout_clicks(self) -> int:
        return sum(len(item.clicked) for item in self.holdout)


def usable(impression: Impression) -> bool:
    """Only search lists with one feature row per product can train or validate a ranker."""
    return (
        impression.surface == "search"
        and bool(impression.product_ids)
        and len(impression.features) == len(impression.product_ids)
        and len(impression.positions) == len(impression.product_ids)
    )


def _join(
    impressions: dict[str, Impression], actions: Iterable[tuple[str, str]], log: EventLog | None
) -> list[ClickedList]:
    """Group (search_id, product_id) actions by list; look up lists older than the window in `log`."""
    clicked: dict[str, list[int]] = {}
    lists: dict[str, Impression] = {}
    for search_id, product_id in actions:
        impression = impressions.get(search_id)
        if impression is None and log is not None:
            impression = log.impression(search_id)
        if impression is None or not usable(impression):
            continue
        try:
            index = impression.product_ids.index(product_id)
        except ValueError:
            continue  # clicked on something this list did not show (another page, another surface)
        lists[search_id] = impression
        indexes = clicked.setdefault(search_id, [])
        if index not in indexes:
            indexes.append(index)
    return [ClickedList(lists[sid], tuple(sorted(ix))) for sid, ix in clicked.items()]


def clicked_lists(records: Iterable[LogRecord], log: EventLog | None = None) -> list[ClickedList]:
    """Every usable served list in `records` with its clicks from `records` (lists without clicks too)."""
    impressions: dict[str, Impression] = {}
    actions: list[tuple[str, str]] = []
    for record in records:
        if record.impression is not None and usable(record.impression):
            impressions[record.impression.search_id] = record.impression
        elif record.event is not None and record.event.type in POSITIVE_TYPES and record.event.search_id:
            actions.append((record.event.search_id, record.event.product_id))
    joined = {item.impression.search_id: item for item in _join(impressions, actions, log)}
    return [joined.get(sid, ClickedList(imp)) for sid, imp in impressions.items()]


def read_window(log: EventLog, after: int, *, holdout_frac: float, max_records: int) -> LogWindow:
    """Split the records after `after` into training clicks and the most recent served lists."""
    records = read_records(log, after, max_records)
    if not records:
        return LogWindow(after=after, boundary=after, end=after)
    served = [r.offset for r in records if r.impression is not None and usable(r.impression)]
    n_holdout = int(len(served) * holdout_frac)
    boundary = served[-n_holdout] - 1 if n_holdout else records[-1].offset
    head = [r for r in records if r.offset <= boundary]
    tail = [r for r in records if r.offset > boundary]

    impressions = {
        r.impression.search_id: r.impression
        for r in head
        if r.impression is not None and usable(r.impression)
    }
    actions = [
        (r.event.search_id, r.event.product_id)
        for r in head
        if r.event is not None and r.event.type in POSITIVE_TYPES and r.event.search_id
    ]
    train = _join(impressions, actions, log)
    holdout = clicked_lists(tail)
    return LogWindow(after=after, boundary=boundary, end=records[-1].offset, train=train, holdout=holdout)
