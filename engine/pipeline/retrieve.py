"""Stages: candidate retrieval (lexical top-N, dense top-N) and the lookups they share.

- `FilterIds` turns `Filters` into the exact set of allowed product ids, asking the lexical index once
  per distinct filter set (LRU-cached), so dense retrieval applies filters exactly instead of
  post-filtering a top-N that may come back short.
- `DenseRetriever` asks a vector store for the top-N among the allowed ids.
- `ProductLookup` fetches stored products for candidates (feature building, facets, hits) with an LRU
  cache that the pipeline invalidates on catalog writes.

None of these catch errors: the pipeline decides what a failure means (degraded vs 503).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import cast

import numpy as np

from engine.lexical.base import LexicalIndex
from engine.pipeline.cache import LRUCache
from engine.ranking.features import Terms, WordForms, text_terms
from engine.records import Filters, Product, ScoredId
from engine.vectors.base import VectorStore


def filters_key(filters: Filters) -> tuple[object, ...]:
    """A hashable, order-insensitive key for a filter set (Filters holds a dict, so it is unhashable)."""
    attributes = tuple(sorted((name, tuple(sorted(values))) for name, values in filters.attributes.items()))
    return (
        filters.category,
        tuple(sorted(filters.brands)),
        filters.price_min,
        filters.price_max,
        filters.available_only,
        tuple(sorted(filters.availability)),
        attributes,
        tuple(sorted(filters.exclude_ids)),
    )


class FilterIds:
    def __init__(self, lexical: LexicalIndex, capacity: int = 256) -> None:
        self.lexical = lexical
        self._cache: LRUCache[frozenset[str]] = LRUCache(capacity)

    def allowed(self, filters: Filters) -> frozenset[str] | None:
        """Ids passing `filters`; None when there is no constraint (every id is allowed)."""
        if filters.is_empty:
            return None
        key = filters_key(filters)
        ids = self._cache.get(key)
        if ids is None:
            ids = frozenset(self.lexical.filter_ids(filters))
            self._cache.put(key, ids)
        return ids

    def clear(self) -> None:
        self._cache.clear()


class DenseRetriever:
    """Top-N from one vector space; `store` is looked up per call so a catalog reload is picked up."""

    def __init__(self, store: Callable[[], VectorStore | None], space: str) -> None:
        self._store = store
        self.space = space

    def available(self) -> bool:
        store = self._store()
        return store is not None and store.count() > 0

    def prepare_range_search(self) -> None:
        """Have the store make what its range searches read now, where it keeps such a thing
        (`FaissVectorStore.prepare_range_search`), rather than at the first search."""
        prepare = getattr(self._store(), "prepare_range_search", None)
        if callable(prepare):
            prepare()

    def range_search_state(self) -> str | None:
        """The store's `range_search_state()`; None for a store without one (OpenSearch k-NN)."""
        state = getattr(self._store(), "range_search_state", None)
        return str(state()) if callable(state) else None

    def retrieve(
        self, vector: np.ndarray, k: int, allowed: frozenset[str] | None, exclude: Sequence[str] = ()
    ) -> list[ScoredId]:
        store = self._store()
        if store is None:
            return []
        if allowed is not None and not allowed:
            return []
        return store.search(
            np.asarray(vector, dtype=np.float32).reshape(1, -1),
            k,
            allowed_ids=set(allowed) if allowed is not None else None,
            exclude=exclude,
        )

    def nearest_and_within(
        self, vector: np.ndarray, k: int, min_score: float
    ) -> tuple[list[ScoredId], tuple[np.ndarray, np.ndarray]] | None:
        """The store's exact top `k` and every product above `min_score` from one pass, where it offers
        that (`FaissVectorStore.nearest_and_within`); None otherwise."""
        both = getattr(self._store(), "nearest_and_within", None)
        if not callable(both):
            return None
        found: tuple[list[ScoredId], tuple[np.ndarray, np.ndarray]] | None
        found = both(np.asarray(vector, dtype=np.float32).reshape(1, -1), k, min_score)
        return found

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors for `ids` (missing ones are absent): exact scores for unretrieved candidates."""
        store = self._store()
        if store is None:
            return {}
        return {pid: np.asarray(v, dtype=np.float32).reshape(-1) for pid, v in store.get_vectors(ids).items()}

    def scores(self, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """Exact inner products of `vector` with the stored vectors of `ids` (absent ids left out)."""
        store = self._store()
        if store is None:
            return {}
        as_matrix = getattr(store, "vector_matrix", None)  # FAISS: the rows as one matrix already
        if callable(as_matrix):
            found, matrix = as_matrix(ids)
        else:
            stored = store.get_vectors(ids)
            found, matrix = list(stored), np.stack(list(stored.values())) if stored else None
        if not found:
            return {}
        matrix = np.asarray(matrix, dtype=np.float32).reshape(len(found), -1)
        # Element-wise product and row sums rather than a BLAS call: for ~100 x 384 the BLAS thread pool
        # costs more CPU waking up than the arithmetic does.
        products = (matrix * np.asarray(vector, dtype=np.float32).reshape(1, -1)).sum(axis=1)
        return dict(zip(found, products.tolist(), strict=True))


Facts = tuple[Terms, bool]
"""What most candidates of a search need of their product: its title's tokens and its availability."""


class _Epoch:
    """One catalog epoch's cached products, and their `Facts` by id."""

    __slots__ = ("facts", "forms", "products")

    def __init__(self, capacity: int, forms: WordForms | None = None) -> None:
        self.products: LRUCache[Product] = LRUCache(capacity)
        self.facts: dict[str, Facts] = {}
        self.forms = forms

    def put(self, pid: str, product: Product, capacity: int) -> None:
        self.products.put(pid, product)
        self.remember(pid, product, capacity)

    def remember(self, pid: str, product: Product, capacity: int) -> Facts:
        if len(self.facts) >= capacity:  # a catalog larger than the cache: start over, never grow
            self.facts.clear()
        facts = self.facts[pid] = (text_terms(product.title, self.forms), product.available)
        return facts


class ProductLookup:
    """Stored products by id through an LRU cache that belongs to one catalog epoch.

    `reset` (a new generation or revision is served) starts a new epoch with a new, empty cache: a
    fetch that started before the switch and finishes after it files its (old) products into the old
    epoch's cache, which no later read looks at. A plain clear could not stop such a late refill from
    serving the old catalog until the next change. (One cache object per epoch rather than entries
    keyed by (epoch, id): a search looks up a few hundred ids, and building and hashing a key tuple
    for each cost a third of the lookup.)

    Each epoch also keeps its products' title tokens and availability by id (`facts`): fusion matches
    the query against a few hundred titles per search and merchandising checks as many products'
    availability, and one dictionary read per candidate costs about half of reading each candidate's
    product and looking its title's tokens up (0.41 against 0.86 ms for 250 candidates once the rest
    of a search has evicted them from the CPU caches, measured in a throwaway loop).
    """

    def __init__(
        self, lexical: LexicalIndex, capacity: int = 100_000, forms: WordForms | None = None
    ) -> None:
        self.lexical = lexical
        self.capacity = capacity
        self.forms = forms  # how the title tokens are written (`text_terms`)
        self._epoch = _Epoch(capacity, forms)

    def get(self, ids: Sequence[str]) -> dict[str, Product]:
        epoch = self._epoch
        cached, missing = epoch.products.get_many(ids)
        found = cast("dict[str, Product]", cached)
        if missing:
            fetched = self.lexical.get(cast("list[str]", missing))
            for pid, product in fetched.items():
                epoch.put(pid, product, self.capacity)
            found.update(fetched)
        return found

    def facts(self, ids: Sequence[str]) -> list[Facts | None]:
        """Each product's `Facts`, None for a product that is gone."""
        epoch = self._epoch
        known = epoch.facts
        facts = [known.get(pid) for pid in ids]
        missing = [pid for pid, f in zip(ids, facts, strict=True) if f is None]
        if missing:
            products = self.get(missing)
            for i, pid in enumerate(ids):
                if facts[i] is None and (product := products.get(pid)) is not None:
                    facts[i] = epoch.remember(pid, product, self.capacity)
        return facts

    def title_terms(self, ids: Sequence[str]) -> list[Terms | None]:
        """The tokens of each product's title (`text_terms`), None for a product that is gone."""
        return [None if f is None else f[0] for f in self.facts(ids)]

    def availability(self, ids: Sequence[str]) -> list[bool | None]:
        """Whether each product is available (`Product.available`), None for a product that is gone."""
        return [None if f is None else f[1] for f in self.facts(ids)]

    def warm(self, batch: int = 1000) -> int:
        """Load every product not cached yet when the catalog fits in the cache; returns how many were
        loaded or found cached (0 when it does not fit).

        Run at start (in the background): besides saving a round trip per search, it is what lets a
        search degraded by a lexical outage still show product details, since the lexical index is also
        the product store. A warm overtaken by a `reset` stops (the next one is started by the switch).
        """
        epoch = self._epoch
        ids = sorted(self.lexical.all_ids())
        if len(ids) > self.capacity:
            return 0
        for start in range(0, len(ids), batch):
            if self._epoch is not epoch:
                return start
            self._fetch(epoch, ids[start : start + batch])
        return len(ids)

    def held_ids(self) -> list[str]:
        """The ids cached in the current epoch."""
        return cast("list[str]", self._epoch.products.snapshot_keys())

    def refill(self, ids: Sequence[str], budget_s: float, batch: int = 500) -> int:
        """Read `ids` into the current epoch, batch by batch, starting no batch after `budget_s`
        seconds; returns how many were asked for before it stopped. A switch runs it with the ids the
        previous epoch held, so a new epoch does not start empty (see `engine.services`)."""
        epoch = self._epoch
        deadline = time.monotonic() + budget_s
        for start in range(0, len(ids), batch):
            if self._epoch is not epoch or time.monotonic() > deadline:
                return start
            self._fetch(epoch, ids[start : start + batch])
        return len(ids)

    def _fetch(self, epoch: _Epoch, ids: Sequence[str]) -> None:
        """Cache in `epoch` the records of the `ids` not cached there yet."""
        _, missing = epoch.products.get_many(ids)
        if missing:
            for pid, product in self.lexical.get(cast("list[str]", missing)).items():
                epoch.put(pid, product, self.capacity)

    def __len__(self) -> int:
        """Products held now (the whole catalog once warmed, when it fits)."""
        return len(self._epoch.products)

    def forget(self, ids: Sequence[str]) -> None:
        epoch = self._epoch
        for pid in ids:
            epoch.products.pop(pid)
            epoch.facts.pop(pid, None)

    def reset(self) -> None:
        """Start a new epoch: nothing cached before is served again, nor anything a fetch already
        running files later (it fills the old epoch's cache, which nothing reads any more)."""
        self._epoch = _Epoch(self.capacity, self.forms)
