"""Recommendations and item-to-item similarity.

`Recommender.recommend(user_id)` tries, in order:

1. "personal": the user's profile vector, a recency-weighted mix of the text embeddings of the items they
   clicked, carted or bought (weights `ACTION_WEIGHTS`, halved every `half_life_s`), retrieves the nearest
   available items they have not interacted with yet; the served ranker orders them (features as in
   search, with the profile similarity as the dense and fused score), each product family once.
2. "category_popular": the most popular available items in the top-level categories of the items the
   user interacted with (when their items have no vectors, e.g. just added to the catalog).
3. "popular": the globally most popular available items, for new users.

Each list shows a product family (a shop's sizes and colours, `engine.pipeline.distinct`) once.

With the lexical index unavailable (it answers "which items are available" and holds the products),
recommendations skip the steps that need it and fall back to the last popularity ordering computed, so
an outage costs freshness rather than answers; with no ordering yet, `BackendUnavailable` propagates.

Popularity = the catalog's prior (`Product.popularity`) + weighted action counts from the event log.
The popularity ordering of the whole catalog is computed once and refreshed every `popular_ttl_s`
seconds, so no request scans the catalog.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.errors import BackendUnavailable, InvalidInput, NotFound
from engine.events.base import EventLog
from engine.inference.base import RankerModel
from engine.lexical.base import LexicalIndex
from engine.pipeline.distinct import family_key, first_of_each
from engine.pipeline.rank import rerank
from engine.pipeline.types import RankedHit
from engine.ranking.features import CandidateSignals, QueryContext
from engine.ranking.stats import ACTION_WEIGHTS, ClickStats
from engine.records import Filters, ScoredId
from engine.vectors.base import VectorStore

AVAILABLE = Filters(available_only=True)
FAMILY_SLACK = 20  # neighbours searched beyond 3 x size, for the members of families shown once

log = logging.getLogger(__name__)


@dataclass
class Recommendations:
    hits: list[ScoredId]
    strategy: str  # personal | category_popular | popular
    ranker_version: int | None = None
    features: list[tuple[float, ...]] | None = None


class Recommender:
    def __init__(
        self,
        events: EventLog,
        stats: ClickStats,
        lexical: LexicalIndex,
        text_store: Callable[[], VectorStore | None],
        ranker: Callable[[], RankerModel],
        half_life_s: float = 7 * 24 * 3600.0,
        history: int = 50,
        popular_ttl_s: float = 60.0,
    ) -> None:
        self.events = events
        self.stats = stats
        self.lexical = lexical
        self.text_store = text_store
        self.ranker = ranker
        self.half_life_s = half_life_s
        self.history = history
        self.popular_ttl_s = popular_ttl_s
        self._lock = threading.Lock()
        self._popular: list[tuple[str, float]] = []
        self._popular_at = -float("inf")

    # --- profile ---------------------------------------------------------------------------------------
    def _interactions(self, user_id: str) -> list[tuple[str, float]]:
        """(product id, recency-weighted action weight) of the user's recent actions, newest first."""
        now = time.time()
        found = []
        for event in self.events.recent_events(user_id, self.history):
            weight = ACTION_WEIGHTS.get(event.type)
            if weight is None:
                continue
            age = max(0.0, now - event.timestamp)
            found.append((event.product_id, weight * 0.5 ** (age / self.half_life_s)))
        return found

    def profile(self, user_id: str) -> np.ndarray | None:
        """The user's L2-normalised profile vector in the text space; None without usable history."""
        return self._profile(self._interactions(user_id))

    def _profile(self, interactions: list[tuple[str, float]]) -> np.ndarray | None:
        store = self.text_store()
        if store is None or not interactions:
            return None
        stored = store.get_vectors([product_id for product_id, _ in interactions])
        total: np.ndarray | None = None
        for product_id, weight in interactions:
            if product_id not in stored:
                continue
            vector = np.asarray(stored[product_id], dtype=np.float32).reshape(-1)
            total = weight * vector if total is None else total + weight * vector
        if total is None:
            return None
        norm = float(np.linalg.norm(total))
        return total / norm if norm > 0 else None

    # --- popularity ------------------------------------------------------------------------------------
    def popular(self) -> list[tuple[str, float]]:
        """Every available product with its popularity, most popular first, each product family once
        (its most popular member; cached for a TTL)."""
        with self._lock:
            if time.monotonic() - self._popular_at < self.popular_ttl_s:
                return self._popular
        try:
            ids = sorted(self.lexical.filter_ids(AVAILABLE))
            products = self.lexical.get(ids)
        except BackendUnavailable as exc:
            with self._lock:
                if not self._popular:
                    raise
                log.warning("serving the previous popularity ordering: %s", exc)
                return self._popular
        scored = [(pid, p.popularity + self.stats.action_count(pid)) for pid, p in products.items()]
        scored.sort(key=lambda item: (-item[1], item[0]))
        scored = first_of_each(scored, lambda item: family_key(item[0], products.get(item[0])))
        with self._lock:
            self._popular, self._popular_at = scored, time.monotonic()
        return scored

    def invalidate(self) -> None:
        with self._lock:
            self._popular_at = -float("inf")

    # --- recommendations -------------------------------------------------------------------------------
    def recommend(self, user_id: str, size: int = 10) -> Recommendations:
        if size < 1:
            raise InvalidInput("size must be >= 1")
        interactions = self._interactions(user_id)
        seen = {pid for pid, _ in interactions}
        vector = self._profile(interactions)
        store = self.text_store()
        try:
            if vector is not None and store is not None:
                allowed = self.lexical.filter_ids(AVAILABLE) - seen
                hits = store.search(vector.reshape(1, -1), size * 3, allowed_ids=allowed)
                if hits:
                    return self._ranked(hits, vector, size)
            popular = self.popular()
            if seen:
                picked = self._in_categories(seen, popular, size)
                if picked:
                    return Recommendations(picked, "category_popular")
        except BackendUnavailable as exc:
            log.warning("recommending popular items only: %s", exc)
            popular = self.popular()
        picked = [ScoredId(pid, score) for pid, score in popular if pid not in seen][:size]
        return Recommendations(picked, "popular")

    def _in_categories(self, seen: set[str], popular: list[tuple[str, float]], size: int) -> list[ScoredId]:
        """The most popular unseen items in the top-level categories of the `seen` ones."""
        products = self.lexical.get(sorted(seen))
        categories = {p.category[0] for p in products.values() if p.category}
        in_categories: set[str] = set()
        for category in categories:
            in_categories |= self.lexical.filter_ids(Filters(category=(category,)))
        return [ScoredId(pid, score) for pid, score in popular if pid in in_categories and pid not in seen][
            :size
        ]

    def _ranked(self, hits: list[ScoredId], vector: np.ndarray, size: int) -> Recommendations:
        candidates = [
            RankedHit(
                CandidateSignals(h.product_id, dense_score=h.score, dense_rank=rank, fused_score=h.score),
                rank=rank,
                fused_rank=rank,
            )
            for rank, h in enumerate(hits, start=1)
        ]
        ids = [h.product_id for h in hits]
        store = self.text_store()
        vectors = {}
        if store is not None:
            vectors = {
                pid: np.asarray(found, dtype=np.float32).reshape(-1)
                for pid, found in store.get_vectors(ids).items()
            }
        context = QueryContext(
            query="",
            user_vector=vector,
            click_rates=self.stats.ctrs,
            popularity=self.stats.action_count,
            click_prior=self.stats.prior_rate,
        )
        products = self.lexical.get(ids)
        ranked, version = rerank(candidates, len(candidates), self.ranker(), context, products, vectors)
        top = first_of_each(ranked, lambda h: family_key(h.product_id, products.get(h.product_id)))[:size]
        return Recommendations(
            hits=[ScoredId(h.product_id, float(h.ranker_score or 0.0)) for h in top],
            strategy="personal",
            ranker_version=version,
            features=[tuple(float(x) for x in h.features) for h in top if h.features is not None],
        )


def similar_items(
    store: VectorStore | None, lexical: LexicalIndex, product_id: str, size: int, space: str = "text"
) -> list[ScoredId]:
    """Nearest available items to `product_id` in one space, the item itself excluded, and its family
    (its other sizes and colours are not "similar items" but itself), each other family once.

    `NotFound` when the product is unknown or has no vector in that space (e.g. no image). With the
    lexical index unavailable the neighbours are searched among all items (twice as many, unavailable
    ones included): the caller shows only the available ones it has product details for.
    """
    if store is None:
        raise NotFound(f"the {space} space is not served (no index or no encoder for it)")
    vector = store.get_vector(product_id)
    if vector is None:
        if not lexical.get([product_id]):
            raise NotFound(f"no product with id {product_id!r}")
        raise NotFound(f"product {product_id!r} has no vector in the {space} space")
    query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
    try:
        allowed = set(lexical.filter_ids(AVAILABLE)) - {product_id}
    except BackendUnavailable as exc:
        log.warning("similar items without the availability filter: %s", exc)
        return store.search(query, size * 2, exclude=(product_id,))
    found = store.search(query, size * 3 + FAMILY_SLACK, allowed_ids=allowed, exclude=(product_id,))
    return _other_families(found, lexical, product_id)[:size]


def _other_families(found: list[ScoredId], lexical: LexicalIndex, product_id: str) -> list[ScoredId]:
    """`found` without `product_id`'s family and with each other family once (its nearest member); as
    found where no product names a family."""
    products = lexical.get([product_id, *(h.product_id for h in found)])
    if not any(p.family is not None for p in products.values()):
        return found
    own = family_key(product_id, products.get(product_id))
    keyed = [(family_key(h.product_id, products.get(h.product_id)), h) for h in found]
    return [h for key, h in first_of_each(keyed, lambda pair: pair[0]) if key != own]
