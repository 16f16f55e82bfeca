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

The table is rebuilt at start by replaying the log (`replay`) and then updated as the gateway appends, so
it is per-process and eventually consistent across gateway workers, which is fine for ranking signals.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from engine.events.base import Event, EventLog, Impression

# Weight of each action in the popularity counter (a purchase says more than a click).
ACTION_WEIGHTS = {"click": 1.0, "add_to_cart": 3.0, "purchase": 5.0}


def normalise_query(query: str) -> str:
    """The key under which per-query statistics are kept: case and spacing do not matter."""
    return " ".join(query.casefold().split())


class ClickStats:
    """Thread-safe counters of views, clicks and weighted actions per product and per (query, product)."""

    def __init__(
        self,
        alpha: float = 1.0,
        beta: float = 20.0,
        max_queries: int = 200_000,
        examination: Callable[[], Sequence[float]] | None = None,
    ) -> None:
        if alpha <= 0 or beta <= 0:
            raise ValueError("alpha and beta must be positive")
        self.alpha = alpha
        self.beta = beta
        # theta per 1-based position (past the end: the last value); empty = every view counts 1.
        self.examination = examination or (lambda: ())
        self._max_queries = max_queries
        self._lock = threading.Lock()
        self._views: Counter[str] = Counter()
        self._clicks: Counter[str] = Counter()
        self._actions: dict[str, float] = {}
        self._query_views: Counter[tuple[str, str]] = Counter()
        # (query, product) -> {position: views}: the examination-weighted views of `query_ctr`.
        self._query_positions: dict[tuple[str, str], Counter[int]] = {}
        self._query_clicks: Counter[tuple[str, str]] = Counter()
        # search_id -> normalised query, so a click can be attributed to the query that served it.
        self._search_queries: dict[str, str] = {}
        self._clicked: set[tuple[str, str]] = set()

    # --- updates ---------------------------------------------------------------------------------------
    def observe_impression(self, impression: Impression) -> None:
        query = normalise_query(impression.query)
        with self._lock:
            if len(self._search_queries) >= self._max_queries:
                self._search_queries.clear()  # bounded memory; old searches rarely get late clicks
            self._search_queries[impression.search_id] = query
            for product_id, position in zip(impression.product_ids, impression.positions, strict=False):
                self._views[product_id] += 1
                if query:
                    key = (query, product_id)
                    self._query_views[key] += 1
                    self._query_positions.setdefault(key, Counter())[position] += 1

    def observe_event(self, event: Event) -> None:
        weight = ACTION_WEIGHTS.get(event.type)
        if weight is None:
            return  # reported views carry no click signal
        with self._lock:
            self._actions[event.product_id] = self._actions.get(event.product_id, 0.0) + weight
            # One click per (search, product): a cart after a click is the same examination.
            key = (event.search_id or event.event_id, event.product_id)
            if key in self._clicked:
                return
            self._clicked.add(key)
            self._clicks[event.product_id] += 1
            query = self._search_queries.get(event.search_id or "")
            if query:
                self._query_clicks[(query, event.product_id)] += 1

    def replay(self, log: EventLog, batch: int = 10_000) -> int:
        """Feed every record of `log` in order; returns the last offset read."""
        offset = 0
        while True:
            records = log.read(after=offset, limit=batch)
            if not records:
                return offset
            for record in records:
                if record.impression is not None:
                    self.observe_impression(record.impression)
                elif record.event is not None:
                    self.observe_event(record.event)
                offset = record.offset

    # --- reads -----------------------------------------------------------------------------------------
    @property
    def prior_rate(self) -> float:
        """The rate of a product nobody has seen (the Beta prior mean)."""
        return self.alpha / (self.alpha + self.beta)

    def _rate(self, clicks: float, views: float) -> float:
        return (min(clicks, views) + self.alpha) / (views + self.alpha + self.beta)

    def _examined(self, key: tuple[str, str], theta: Sequence[float]) -> float:
        """Expected examinations of (query, product): its views weighted by theta of their positions."""
        positions = self._query_positions.get(key)
        if not positions:
            return 0.0
        if not theta:
            return float(sum(positions.values()))
        last = len(theta)
        return sum(n * theta[min(max(k, 1), last) - 1] for k, n in positions.items())

    def _query_rate(self, key: tuple[str, str], theta: Sequence[float]) -> float:
        clicks = min(self._query_clicks[key], self._query_views[key])
        return (clicks + self.alpha) / (self._examined(key, theta) + self.alpha + self.beta)

    def ctr(self, product_id: str) -> float:
        with self._lock:
            return self._rate(self._clicks[product_id], self._views[product_id])

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
        taken as such rather than through the examination sum, and the counters are read with `get`
        (a Counter's missing key is a Python-level call): it runs for a hundred products per search."""
        q = normalise_query(query)
        theta = self.examination()
        prior = self.prior_rate  # what `_query_rate` gives a pair with no views, to the bit
        with self._lock:
            clicks, views, shown = self._clicks.get, self._views.get, self._query_views.get
            rates = []
            for pid in product_ids:
                key = (q, pid)
                query_rate = self._query_rate(key, theta) if shown(key) else prior
                rates.append((self._rate(clicks(pid, 0), views(pid, 0)), query_rate))
            return rates

    def action_count(self, product_id: str) -> float:
        """Weighted click/cart/purchase count: the event half of a product's popularity."""
        with self._lock:
            return self._actions.get(product_id, 0.0)

    def most_active(self, n: int) -> list[tuple[str, float]]:
        with self._lock:
            return sorted(self._actions.items(), key=lambda item: (-item[1], item[0]))[:n]
