"""Behaviour every lexical backend must show, checked on the embedded index and a real OpenSearch node.

Filters and facets are compared with a brute force over `Filters.matches` on the same generated
catalog, so both backends are held to the reference semantics, not to each other.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

from engine.errors import InvalidInput
from engine.lexical.base import LexicalIndex
from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.facets import price_label, top_buckets
from engine.lexical.matching import MatchQuery
from engine.lexical.opensearch import OpenSearchLexical
from engine.records import Filters, Product

pytestmark = pytest.mark.integration

KNIFE_WORDS = {"knife", "knives"}
NOUNS = ["knife", "knives", "pan", "kettle", "blender", "mug", "towel", "lamp", "chair", "board"]
ADJECTIVES = ["steel", "wooden", "compact", "classic", "electric", "ceramic", "folding", "large"]
BRANDS = ["Acme", "Nordwind", "Wüsthof", "Kobe", "Hearth & Co"]
CATEGORIES = [
    ("Home", "Kitchen", "Knives"),
    ("Home", "Kitchen", "Cookware"),
    ("Home", "Kitchen"),
    ("Home", "Living", "Lighting"),
    ("Home",),
    ("Garden", "Tools"),
    (),
]
AVAILABILITY = ["in_stock", "out_of_stock", "preorder", "discontinued"]
FACETS = ["brand", "category", "category_path", "availability", "price", "attr.color", "attr.size"]
UNICODE = [
    Product(id="u-creme", title="Crème brûlée torch", brand="Acme", category=("Home", "Kitchen"), price=24.0),
    Product(id="u-musli", title="Müsli bowl", brand="Nordwind", category=("Home", "Kitchen"), price=9.5),
    Product(id="u-hocho", title="日本の包丁", description="santoku", brand="Kobe", price=120.0),
]


def make_catalog(n: int = 240, seed: int = 7, prefix: str = "p") -> list[Product]:
    rng = random.Random(seed)
    products = []
    for i in range(n):
        words = [rng.choice(ADJECTIVES), rng.choice(NOUNS)]
        attributes: dict[str, object] = {}
        if rng.random() < 0.8:
            attributes["color"] = rng.choice(["black", "red", "silver"])
        if rng.random() < 0.6:
            attributes["size"] = rng.choice([8, 10, 12])
        products.append(
            Product(
                id=f"{prefix}{i:04d}",
                title=" ".join(words).capitalize(),
                description=f"A {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} for every day",
                brand=rng.choice(BRANDS),
                category=rng.choice(CATEGORIES),
                price=None if rng.random() < 0.1 else round(rng.uniform(2, 700), 2),
                availability=rng.choice(AVAILABILITY),
                attributes=attributes,
                popularity=rng.random(),
            )
        )
    return products + UNICODE


CATALOG = make_catalog()
BY_ID = {p.id: p for p in CATALOG}


def mentions(product: Product, words: set[str]) -> bool:
    text = f"{product.title} {product.description} {' '.join(product.category)}".lower().split()
    return bool(words & set(text))


def brute_ids(filters: Filters, words: set[str] | None = None) -> set[str]:
    return {p.id for p in CATALOG if filters.matches(p) and (words is None or mentions(p, words))}


def brute_facets(ids: set[str], size: int = 20) -> dict[str, list[tuple[str, int]]]:
    counts: dict[str, dict[str, int]] = {f: {} for f in FACETS}

    def bump(facet: str, value: str | None) -> None:
        if value is not None:
            counts[facet][value] = counts[facet].get(value, 0) + 1

    for pid in ids:
        p = BY_ID[pid]
        bump("brand", p.brand)
        bump("category", p.category[0] if p.category else None)
        bump("category_path", p.category_path or None)
        bump("availability", p.availability)
        bump("price", price_label(p.price))
        for name in ("color", "size"):
            value = p.attributes.get(name)
            bump(f"attr.{name}", None if value is None else str(value))
    return {f: top_buckets(c, size) for f, c in counts.items()}


FILTER_CASES = [
    Filters(),
    Filters(category=("Home",)),
    Filters(category=("Home", "Kitchen")),
    Filters(category=("Home", "Kitchen", "Knives")),
    Filters(category=("Kitchen",)),
    Filters(category=("Home", "Kitchen", "Knives", "Chef")),
    Filters(brands=("Wüsthof", "Hearth & Co")),
    Filters(price_min=50.0),
    Filters(price_max=24.0),
    Filters(price_min=25.0, price_max=100.0),
    Filters(available_only=True),
    Filters(attributes={"color": ("red",)}),
    Filters(attributes={"color": ("red", "black"), "size": ("10",)}),
    Filters(attributes={"color": ("None",)}),
    Filters(attributes={"finish": ("matte",)}),
    Filters(exclude_ids=("p0001", "p0002", "p0003", "nope")),
    Filters(category=("Home", "Kitchen"), brands=("Acme", "Kobe"), price_max=300.0, available_only=True),
]


@contextmanager
def open_backend(kind: str, request: pytest.FixtureRequest, directory: Path) -> Iterator[LexicalIndex]:
    """A fresh, empty index of `kind`; an OpenSearch one lives under a unique alias, removed after."""
    if kind == "embedded":
        yield EmbeddedLexical(directory / "lexical", reload_interval_s=0.0)
        return
    url = request.getfixturevalue("opensearch_url")
    client = OpenSearch(hosts=[url], timeout=30)
    alias = f"test-{uuid.uuid4().hex[:10]}"
    try:
        yield OpenSearchLexical(client, alias, scan_page=50, backoff_s=0.05)
    finally:
        client.indices.delete(index=f"{alias}-*", params={"ignore_unavailable": "true"})
        client.close()


@pytest.fixture(scope="module", params=["embedded", "opensearch"])
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LexicalIndex]:
    """The catalog loaded once per backend, for tests that only read."""
    with open_backend(request.param, request, tmp_path_factory.mktemp("lexical")) as index:
        assert index.rebuild(CATALOG) == len(CATALOG)
        yield index


@pytest.fixture(params=["embedded", "opensearch"])
def loaded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LexicalIndex]:
    """The catalog loaded into a fresh index, for tests that write."""
    with open_backend(request.param, request, tmp_path) as index:
        assert index.rebuild(CATALOG) == len(CATALOG)
        yield index


def ids(results) -> list[str]:
    return [r.product_id for r in results]


def test_stemming_matches_knives_and_knife(shared: LexicalIndex) -> None:
    expected = brute_ids(Filters(), KNIFE_WORDS)
    assert expected  # the catalog has both words
    assert set(ids(shared.search("knives", 1000))) == expected
    assert set(ids(shared.search("Knife", 1000))) == expected
    assert shared.count_matching(MatchQuery("knife")) == len(expected)


def test_search_orders_by_score_and_honours_k(shared: LexicalIndex) -> None:
    results = shared.search("steel knife", 5)
    assert len(results) == 5
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)
    assert shared.search("steel knife", 0) == []
    assert shared.search("   ", 10) == []
    assert shared.search("the", 10) == []  # only a stop word


def test_count_all_ids_and_get(shared: LexicalIndex) -> None:
    assert shared.count() == len(CATALOG)
    assert shared.all_ids() == set(BY_ID)
    wanted = ["p0000", "p0100", "u-hocho", "missing"]
    got = shared.get(wanted)
    assert set(got) == {"p0000", "p0100", "u-hocho"}
    for pid, product in got.items():
        assert product == BY_ID[pid]  # attribute values keep their types (size stays an int)
    assert shared.ping()


@pytest.mark.parametrize("filters", FILTER_CASES, ids=lambda f: repr(f)[8:60])
def test_filters_agree_with_brute_force(shared: LexicalIndex, filters: Filters) -> None:
    expected = brute_ids(filters)
    assert shared.filter_ids(filters) == expected
    assert shared.count_matching(MatchQuery(None, filters)) == len(expected)
    knife = brute_ids(filters, KNIFE_WORDS)
    assert set(ids(shared.search("knives", 1000, filters))) == knife
    assert shared.count_matching(MatchQuery("knife", filters)) == len(knife)


@pytest.mark.parametrize("filters", FILTER_CASES[::3], ids=lambda f: repr(f)[8:60])
def test_facets_agree_with_brute_force(shared: LexicalIndex, filters: Filters) -> None:
    assert shared.facets(MatchQuery(None, filters), FACETS) == brute_facets(brute_ids(filters))
    knife = brute_ids(filters, KNIFE_WORDS)
    assert shared.facets(MatchQuery("knife", filters), FACETS) == brute_facets(knife)
    small = shared.facets(MatchQuery(None, filters), ["brand", "attr.color"], size=2)
    assert small == {k: v for k, v in brute_facets(brute_ids(filters), size=2).items() if k in small}
    assert set(small) == {"brand", "attr.color"}


def test_unknown_facet_is_invalid_input(shared: LexicalIndex) -> None:
    with pytest.raises(InvalidInput, match="colour"):
        shared.facets(MatchQuery(), ["colour"])


def test_unicode_queries(shared: LexicalIndex) -> None:
    assert ids(shared.search("crème", 10)) == ["u-creme"]
    assert ids(shared.search("MÜSLI", 10)) == ["u-musli"]
    assert ids(shared.search("包丁", 10)) == ["u-hocho"]
    assert shared.search("🔪", 10) == []


def test_upsert_and_delete_are_visible_immediately(loaded: LexicalIndex) -> None:
    new = Product(id="n1", title="Zanzibar spice grinder", brand="Acme", category=("Home", "Kitchen"))
    loaded.upsert([new])
    assert ids(loaded.search("zanzibar", 10)) == ["n1"]
    assert loaded.count() == len(CATALOG) + 1
    assert loaded.filter_ids(Filters(category=("Home", "Kitchen"), brands=("Acme",))) >= {"n1"}

    loaded.upsert([Product(id="n1", title="Pepper mill", brand="Kobe")])
    assert loaded.search("zanzibar", 10) == []
    assert ids(loaded.search("pepper", 10)) == ["n1"]
    assert loaded.get(["n1"])["n1"].brand == "Kobe"

    assert loaded.delete(["n1", "p0000", "never-existed"]) == 2
    assert loaded.search("pepper", 10) == []
    assert loaded.get(["n1", "p0000"]) == {}
    assert loaded.count() == len(CATALOG) - 1
    assert loaded.delete(["n1"]) == 0


def test_rebuild_switches_atomically(loaded: LexicalIndex) -> None:
    replacement = make_catalog(n=150, seed=11, prefix="r")
    old_ids, new_ids = set(BY_ID), {p.id for p in replacement}
    seen: list[tuple[int, frozenset[str]]] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                found = frozenset(ids(loaded.search("knife", 1000)))
                seen.append((loaded.count(), found))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    def slow() -> Iterator[Product]:
        for i, product in enumerate(replacement):
            if i % 25 == 0:
                time.sleep(0.05)
            yield product

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        time.sleep(0.1)
        assert loaded.rebuild(slow()) == len(replacement)
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not errors
    assert len(seen) > 3
    for count, found in seen:
        assert count in (len(CATALOG), len(replacement)), "reader saw a partial index"
        assert found, "reader saw an empty index"
        assert found <= old_ids or found <= new_ids, "reader saw a mix of two catalogs"
    assert loaded.all_ids() == new_ids


def test_failed_rebuild_leaves_old_index_serving(loaded: LexicalIndex) -> None:
    def broken() -> Iterator[Product]:
        yield from make_catalog(n=120, seed=3, prefix="x")
        raise RuntimeError("source went away")

    with pytest.raises(RuntimeError, match="source went away"):
        loaded.rebuild(broken())
    assert loaded.all_ids() == set(BY_ID)
    assert set(ids(loaded.search("knife", 1000))) == brute_ids(Filters(), KNIFE_WORDS)
    if isinstance(loaded, OpenSearchLexical):  # the half-built physical index is gone
        physical = set(loaded.client.indices.get(index=f"{loaded.alias}-*"))
        assert physical == set(loaded.client.indices.get_alias(name=loaded.alias))
        assert len(physical) == 1
