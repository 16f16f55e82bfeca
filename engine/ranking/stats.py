"""Click-through statistics kept in memory and fed from the event log.

The ranker's `ctr` and `query_ctr` features and the popularity used by recommendations come from here.
Raw click-through rates are useless for rarely shown items (1 click out of 1 view is not a 100% CTR), so
every rate is the posterior mean under a Beta(`alpha`, `beta`) prior:

    ctr = (clicks + alpha) / (views + alpha + beta)

An item nobody has seen sits at the prior mean alpha / (alpha + beta); evidence moves it from there.
"Views" are the positions a product was served at (from logged impressions); "clicks" are click,
add-to-cart and purchase events (a cart or purchase implies the product was clicked).

`query_ctr` counts a view as the examination probability of the position it was shown at (given by
`examination`, see `engine.ranking.examination`), so it estimates how attractive the product is for the
query rather than where it was shown; each (query, product) keeps its views per position, so a new
estimate of the examination probabilities applies to all past views at once. The global `ctr` stays a
plain rate (it is not learned by click-trained rankers, see `engine.learning.residual`).

Memory is bounded by forgetting: the counters are kept in two windows of (query, product) pairs
(`ClickStats`), so the rates describe the latest traffic, up to `max_pairs` pairs of it, not all
traffic since the log began.

The table is fed from the event log alone, in log order (`engine.ranking.stats_feed`): every gateway
process reads every record, whichever process served the list or heard the click, so all of them hold
the same statistics within the feed's interval. A click can reach the log before the list it was on
(served lists are appended in the background, clicks before their answer): its query is credited when
the list arrives (`_waiting`, bounded).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from sys import intern

from engine.charset import composed, narrowed
from engine.events.base import Event, Impression, LogRecord

# Weight of each action in the popularity counter (a purchase says more than a click).
ACTION_WEIGHTS = {"click": 1.0, "add_to_cart": 3.0, "purchase": 5.0}


def normalise_query(query: str) -> str:
    """The key under which per-query statistics are kept: case, spacing and how an accent is written
    (one character or a letter and a combining mark, NFC) and full-width forms do not matter."""
    return " ".join(narrowed(composed(query)).casefold().split())


class Window:
    """One window's counters (see `ClickStats`: the statistics are the sum of two windows). A window no
    longer current is never written again, which is what lets `engine.ranking.stats_checkpoint` save
    it outside the lock."""

    def __init__(self) -> None:
        self.views: dict[str, int] = {}
        self.clicks: dict[str, int] = {}
        self.actions: dict[str, float] = {}
        self.query_views: dict[tuple[str, str], int] = {}
        # (query, product) -> {position: views}: the examination-weighted views of `query_ctr`.
        self.query_positions: dict[tuple[str, str], dict[int, int]] = {}
        self.query_clicks: dict[tuple[str, str], int] = {}
        self.clicked: set[tuple[str, str]] = set()  # (search or event id, product): one click each


@dataclass(frozen=True)
class Closed:
    """What a restart needs to go on from the record that closed a window, as if it had read the log
    up to it: the closed window (the older of the two from then on) and the state kept across windows."""

    window: Window
    search_queries: dict[str, str]
    waiting: dict[str, list[str]]
    windows_started: int


class ClickStats:
    """Thread-safe counters of views, clicks and weighted actions per product and per (query, product).

    Bounded memory: the counters live in two windows, the current one and the one before, and every
    rate reads their sum. When the current window holds `max_pairs // 2` (query, product) pairs, the one
    before is dropped and a new one begins, so the statistics cover the latest one to two windows of
    traffic and never more than `max_pairs` pairs (BENCHMARKS.md "Click statistics from the event log":
    how many served lists a window holds, and the memory per pair). Every process reads the same
    records in the same order, so all of them switch windows at the same record.
    """

    def __init__(
        self,
        alpha: float = 1.0,
        beta: float = 20.0,
        max_queries: int = 200_000,
        max_waiting: int = 50_000,
        max_pairs: int = 1_000_000,
        examination: Callable[[], Sequence[float]] | None = None,
    ) -> None:
        if alpha <= 0 or beta <= 0:
            raise ValueError("alpha and beta must be positive")
        if max_pairs < 2:
            raise ValueError(f"max_pairs must be at least 2, not {max_pairs}")
        self.alpha = alpha
        self.beta = beta
        # theta per 1-based position (past the end: the last value); empty = every view counts 1.
        self.examination = examination or (lambda: ())
        self._max_queries = max_queries
        self._max_waiting = max_waiting
        self._window_pairs = max_pairs // 2
        self._lock = threading.Lock()
        self._current, self._previous = Window(), Window()
        self.windows_started = 0  # how many times the current window was replaced
        # search_id -> normalised query, so a click can be attributed to the query that served it.
        self._search_queries: dict[str, str] = {}
        # search_id -> products clicked before the list they were on was read (its query not known yet).
        self._waiting: OrderedDict[str, list[str]] = OrderedDict()

    # --- updates ---------------------------------------------------------------------------------------
    def observe_impression(self, impression: Impression) -> Closed | None:
        """Count a served list; when it fills the current window, returns what a restart needs to go on
        from it (`Closed`), else None."""
        # Interned: a decoded record's strings are new objects, and the pair keys would each hold copies.
        query = intern(normalise_query(impression.query))
        with self._lock:
            if len(self._search_queries) >= self._max_queries:
                self._search_queries.clear()  # bounded memory; old searches rarely get late clicks
            self._search_queries[impression.search_id] = query
            window = self._current
            for product_id in self._waiting.pop(impression.search_id, ()):
                if query:
                    key = (query, product_id)
                    window.query_clicks[key] = window.query_clicks.get(key, 0) + 1
            # `get` and plain dicts rather than Counter's `+=` (a Python-level `__missing__` per new key)
            # and a Counter per pair: every process runs this for every product of every served list.
            views, shown, at = window.views, window.query_views, window.query_positions
            for product_id, position in zip(impression.product_ids, impression.positions, strict=False):
                product_id = intern(product_id)
                views[product_id] = views.get(product_id, 0) + 1
                if query:
                    key = (query, product_id)
                    shown[key] = shown.get(key, 0) + 1
                    positions = at.get(key)
                    if positions is None:
                        at[key] = {position: 1}
                    else:
                        positions[position] = positions.get(position, 0) + 1
            if len(at) >= self._window_pairs:
                self._previous, self._current = window, Window()
                self.windows_started += 1
                waiting = {sid: list(pids) for sid, pids in self._waiting.items()}
                return Closed(window, dict(self._search_queries), waiting, self.windows_started)
        return None

    def observe_event(self, event: Event) -> None:
        weight = ACTION_WEIGHTS.get(event.type)
        if weight is None:
            return  # reported views carry no click signal
        product_id = intern(event.product_id)
        with self._lock:
            window = self._current
            window.actions[product_id] = window.actions.get(product_id, 0.0) + weight
            # One click per (search, product): a cart after a click is the same examination.
            key = (event.search_id or event.event_id, product_id)
            if key in window.clicked or key in self._previous.clicked:
                return
            window.clicked.add(key)
            window.clicks[product_id] = window.clicks.get(product_id, 0) + 1
            query = self._search_queries.get(event.search_id or "")
            if query:
                pair = (query, product_id)
                window.query_clicks[pair] = window.query_clicks.get(pair, 0) + 1
            elif event.search_id and event.search_id not in self._search_queries:
                if len(self._waiting) >= self._max_waiting and event.search_id not in self._waiting:
                    self._waiting.popitem(last=False)  # bounded memory: the oldest list never came
                self._waiting.setdefault(event.search_id, []).append(product_id)

    def observe(
        self, records: Iterable[LogRecord], closed: Callable[[LogRecord, Closed], None] | None = None
    ) -> None:
        """Feed log records, in log order; `closed(record, state)` is told of each record that closed
        a window, with what a restart needs to go on from it (`engine.ranking.stats_checkpoint`)."""
        for record in records:
            if record.impression is not None:
                state = self.observe_impression(record.impression)
                if state is not None and closed is not None:
                    closed(record, state)
            elif record.event is not None:
                self.observe_event(record.event)

    def restore(self, state: Closed) -> None:
        """Start from `state` (this table must not have read anything yet): the closed window becomes the
        older one, and the log is to be read on from the record that closed it."""
        with self._lock:
            self._previous, self._current = state.window, Window()
            self._search_queries = dict(state.search_queries)
            self._waiting = OrderedDict((sid, list(pids)) for sid, pids in state.waiting.items())
            self.windows_started = state.windows_started

    # --- reads -----------------------------------------------------------------------------------------
    @property
    def prior_rate(self) -> float:
        """The rate of a product nobody has seen (the Beta prior mean)."""
        return self.alpha / (self.alpha + self.beta)

    def _rate(self, clicks: float, views: float) -> float:
        return (min(clicks, views) + self.alpha) / (views + self.alpha + self.beta)

    def _both(self, table: str, key: Hashable) -> float:
        """A counter's value for `key`, both windows together."""
        current, previous = getattr(self._current, table), getattr(self._previous, table)
        return current.get(key, 0) + previous.get(key, 0)  # type: ignore[no-any-return]

    def _examined(self, key: tuple[str, str], theta: Sequence[float]) -> float:
        """Expected examinations of (query, product): its views weighted by theta of their positions."""
        total = 0.0
        last = len(theta)
        for window in (self._current, self._previous):
            positions = window.query_positions.get(key)
            if not positions:
                continue
            if not theta:
                total += sum(positions.values())
            else:
                total += sum(n * theta[min(max(k, 1), last) - 1] for k, n in positions.items())
        return total

    def _query_rate(self, key: tuple[str, str], theta: Sequence[float]) -> float:
        clicks = min(self._both("query_clicks", key), self._both("query_views", key))
        return (clicks + self.alpha) / (self._examined(key, theta) + self.alpha + self.beta)

    def ctr(self, product_id: str) -> float:
        with self._lock:
            return self._rate(self._both("clicks", product_id), self._both("views", product_id))

    def query_ctr(self, query: str, product_id: str) -> float:
        """Clicks over expected examinations of the product under this query (Beta prior)."""
        key = (normalise_query(query), product_id)
        theta = self.examination()
        with self._lock:
            return self._query_rate(key, theta)

    def ctrs(self, query: str, product_ids: Iterable[str]) -> list[tuple[float, float]]:
        """(ctr, query_ctr) for each product, under one lock acquisition: the ranker's click features
        of a search's head, the same numbers as `ctr` and `query_ctr`.

        Most (query, product) pairs of a head were never shown, and their rate is the prior: it is
        taken as such rather than through the examination sum, and the counters are read with `get`:
        it runs for a hundred products per search."""
        q = normalise_query(query)
        theta = self.examination()
        prior = self.prior_rate  # what `_query_rate` gives a pair with no views, to the bit
        with self._lock:
            now, before = self._current, self._previous
            rates = []
            for pid in product_ids:
                key = (q, pid)
                shown = key in now.query_views or key in before.query_views
                query_rate = self._query_rate(key, theta) if shown else prior
                clicks = now.clicks.get(pid, 0) + before.clicks.get(pid, 0)
                views = now.views.get(pid, 0) + before.views.get(pid, 0)
                rates.append((self._rate(clicks, views), query_rate))
            return rates

    def action_count(self, product_id: str) -> float:
        """Weighted click/cart/purchase count: the event half of a product's popularity."""
        with self._lock:
            return self._both("actions", product_id)

    def most_active(self, n: int) -> list[tuple[str, float]]:
        with self._lock:
            actions = dict(self._previous.actions)
            for pid, weight in self._current.actions.items():
                actions[pid] = actions.get(pid, 0.0) + weight
        return sorted(actions.items(), key=lambda item: (-item[1], item[0]))[:n]
