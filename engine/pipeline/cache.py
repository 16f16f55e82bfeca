"""A small thread-safe LRU map used by the pipeline's caches (query embeddings, filter id sets, products).

Caches whose entries depend on the catalog (filter id sets, products) are cleared or popped by the
pipeline when the catalog changes; query embeddings depend only on the encoder and live until evicted.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRUCache(Generic[V]):
    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError("capacity must be >= 0")
        self.capacity = capacity
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def get_many(self, keys: Iterable[Hashable]) -> tuple[dict[Hashable, V], list[Hashable]]:
        """(found entries, missing keys) under one lock acquisition: a search looks up hundreds.

        While the cache is below capacity nothing can be evicted, so recency is not recorded (a product
        cache that holds the whole catalog skips hundreds of reorderings per search); once full, every
        hit counts as a use again.
        """
        found: dict[Hashable, V] = {}
        missing: list[Hashable] = []
        with self._lock:
            data = self._data
            touch = len(data) >= self.capacity
            for key in keys:
                value = data.get(key)
                if value is None:
                    missing.append(key)
                else:
                    if touch:
                        data.move_to_end(key)
                    found[key] = value
            self.hits += len(found)
            self.misses += len(missing)
        return found, missing

    def put(self, key: Hashable, value: V) -> None:
        if self.capacity == 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.capacity:
                self._data.popitem(last=False)

    def pop(self, key: Hashable) -> None:
        with self._lock:
            self._data.pop(key, None)

    def snapshot_keys(self) -> list[Hashable]:
        """A snapshot of the keys held now."""
        with self._lock:
            return list(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
