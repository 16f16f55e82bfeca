"""The pipeline's LRU map: capacity, recency and the batched lookup searches use."""

from __future__ import annotations

from engine.pipeline.cache import LRUCache


def test_least_recently_used_entry_is_evicted() -> None:
    cache: LRUCache[int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the oldest
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3


def test_get_many_splits_found_and_missing_and_refreshes_recency() -> None:
    cache: LRUCache[int] = LRUCache(3)
    for key, value in (("a", 1), ("b", 2), ("c", 3)):
        cache.put(key, value)
    found, missing = cache.get_many(["a", "x", "c", "y"])
    assert found == {"a": 1, "c": 3} and missing == ["x", "y"]
    assert (cache.hits, cache.misses) == (2, 2)
    cache.put("d", 4)  # "b" was not looked up, so it goes first
    assert cache.get("b") is None and cache.get("a") == 1


def test_zero_capacity_keeps_nothing() -> None:
    cache: LRUCache[int] = LRUCache(0)
    cache.put("a", 1)
    assert cache.get_many(["a"]) == ({}, ["a"])


def test_get_many_below_capacity_keeps_insertion_order() -> None:
    cache: LRUCache[int] = LRUCache(3)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get_many(["a"]) == ({"a": 1}, [])  # room left: recency is not recorded
    cache.put("c", 3)
    cache.put("d", 4)
    assert cache.get("a") is None and cache.get("b") == 2
