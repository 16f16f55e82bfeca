"""Which facet values get their families counted: the top by families is exact, and the long tail
whose product counts cannot reach it is never asked."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import pytest

from engine.lexical.facets import top_buckets
from engine.lexical.family_facets import top_families


class Counter:
    """A backend's family counts, remembering which values were asked."""

    def __init__(self, families: Mapping[str, int]) -> None:
        self.families = families
        self.asked: list[str] = []

    def __call__(self, values: Sequence[str]) -> dict[str, int]:
        self.asked.extend(values)
        return {v: self.families[v] for v in values}


@pytest.mark.parametrize("seed", range(40))
def test_the_top_values_by_families_are_those_of_counting_every_value(seed: int) -> None:
    rng = random.Random(seed)
    products = {f"v{i}": rng.choice([1, 2, 3, 5, 8, 40, 120]) for i in range(rng.randint(0, 300))}
    families = {v: rng.randint(1, n) for v, n in products.items()}
    size = rng.choice([1, 3, 20])
    counter = Counter(families)
    top, certain = top_families(products, counter, size)
    assert certain and top == top_buckets(families, size)
    assert len(counter.asked) == len(set(counter.asked))  # no value asked twice


def test_the_long_tail_is_never_asked() -> None:
    # Brands: twenty with 30 products in 10 families each, then 500 with 2 products apiece.
    products = {**{f"big{i:02}": 30 for i in range(20)}, **{f"tail{i:03}": 2 for i in range(500)}}
    families = {v: 10 if v.startswith("big") else 1 for v in products}
    counter = Counter(families)
    top, certain = top_families(products, counter, 20)
    assert certain and top == [(f"big{i:02}", 10) for i in range(20)]
    assert sorted(counter.asked) == sorted(v for v in products if v.startswith("big"))


def test_a_tie_at_the_floor_is_counted_and_ordered_by_value() -> None:
    products = {"b": 5, "c": 3, "a": 3}
    families = {"b": 3, "c": 3, "a": 3}
    assert top_families(products, Counter(families), 2)[0] == [("a", 3), ("b", 3)]


def test_values_left_out_of_the_list_make_the_answer_uncertain_until_they_cannot_enter() -> None:
    listed = {"a": 9, "b": 6}  # the two most frequent values; every other value has 4 products at most
    families = {"a": 3, "b": 2}
    assert top_families(listed, Counter(families), 2, unlisted=4)[1] is False  # 4 products may be 4 families
    assert top_families(listed, Counter(families), 2, unlisted=1)[1] is True
    assert top_families(listed, Counter(families), 3, unlisted=1)[1] is False  # the top has room for one


def test_no_values_and_no_room() -> None:
    assert top_families({}, Counter({}), 20) == ([], True)
    assert top_families({"a": 0}, Counter({}), 20) == ([], True)
    counter = Counter({"a": 1})
    assert top_families({"a": 1}, counter, 0) == ([], True) and counter.asked == []
