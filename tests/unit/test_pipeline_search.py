"""The search pipeline end to end over fakes: filters, paging, facets, sorting, failure modes."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from engine.errors import BackendUnavailable, InvalidInput
from engine.merch.rules import RuleSet
from engine.pipeline.types import PipelineConfig, SearchQuery
from engine.records import Filters
from engine.services import EngineServices as Services
from engine.vectors import range_scan
from engine.vectors.faiss_store import FaissVectorStore
from tests.unit.gateway_fakes import CATALOG, make_services


@pytest.fixture
def services(tmp_path: Path):
    # Hashed bag-of-words vectors: a similarity above 0.01 means "shares a word" (semantic match).
    config = PipelineConfig(
        max_query_chars=64, lexical_depth=3, dense_depth=3, semantic_list_depth=3, semantic_threshold=0.01
    )
    built = make_services(tmp_path, config=config)
    yield built
    built.close()


def search(services: Services, **kwargs) -> list[str]:
    return [h.product_id for h in services.pipeline.search(SearchQuery(**kwargs)).hits]


def test_dense_side_applies_filters_exactly(services: Services) -> None:
    # Only kitchen products qualify; the dense side finds the three that share a word with the query.
    home = Filters(category=("Home",))
    outcome = services.pipeline.search(
        SearchQuery(text="kitchen knife", method="dense", filters=home, size=3)
    )
    assert [p.id for p in CATALOG if p.category[0] == "Home"] == ["p4", "p5", "p6", "p8"]
    assert outcome.total == 3 and {h.product_id for h in outcome.hits} == {"p4", "p5", "p6"}
    sports = services.pipeline.search(
        SearchQuery(text="kitchen knife", method="dense", filters=Filters(category=("Sports",)))
    )
    assert sports.total == 0 and sports.hits == []


def test_pages_never_repeat_or_skip(services: Services) -> None:
    # At this tiny retrieval depth (3) the candidate list grows with the page asked for, so a product
    # buried "to the end" of it (p5, out of stock) would land on a different page each time; the
    # merchandising stage is tested alone in test_merch_rules.
    services.pipeline.merchandise.rules = lambda: RuleSet(bury_unavailable=False)
    whole = services.pipeline.search(SearchQuery(text="running knife shoes", size=50))
    ordered = [h.product_id for h in whole.hits]
    assert len(ordered) == whole.total == len(set(ordered))
    paged: list[str] = []
    for page in range(1, 5):
        paged += search(services, text="running knife shoes", size=2, page=page)
    assert paged == ordered
    assert search(services, text="running knife shoes", size=2, page=99) == []


def test_pages_past_the_retrieval_depth_come_from_the_match_set(services: Services) -> None:
    # Depth is 3 per retriever, four products match "running": page 2 of size 2 still has two hits.
    matching = {"p1", "p2", "p3", "p7"}
    first = services.pipeline.search(SearchQuery(text="running", method="bm25", size=2, page=1))
    second = services.pipeline.search(SearchQuery(text="running", method="bm25", size=2, page=2))
    assert first.total == second.total == 4
    assert {h.product_id for h in first.hits + second.hits} == matching
    assert [h.rank for h in second.hits] == [3, 4]


def test_facets_match_a_brute_force_count(services: Services) -> None:
    filters = Filters(category=("Sports",), price_max=100.0)
    outcome = services.pipeline.search(
        SearchQuery(text="running", filters=filters, size=100, facets=("brand", "price", "attr.color"))
    )
    hit_ids = [h.product_id for h in outcome.hits]
    assert all(filters.matches(p) for p in CATALOG if p.id in hit_ids)
    products = [p for p in CATALOG if p.id in hit_ids]
    assert dict(outcome.facets["brand"]) == Counter(p.brand for p in products)
    assert sum(c for _, c in outcome.facets["price"]) == len(products)
    assert dict(outcome.facets["attr.color"]) == Counter(p.attributes["color"] for p in products)


def test_price_sort_lists_the_buyable_first_each_side_priced_first(services: Services) -> None:
    for sort, sign in (("price_asc", 1), ("price_desc", -1)):
        outcome = services.pipeline.search(SearchQuery(text="knife board cup", sort=sort, size=10))
        listed = [outcome.products[h.product_id] for h in outcome.hits]
        keys = [(not p.available, p.price is None, sign * (p.price or 0.0)) for p in listed]
        assert keys == sorted(keys) and keys[0][:2] == (False, False)
        assert any(sold for sold, _, _ in keys) and any(unpriced for _, unpriced, _ in keys)


def test_methods_differ_and_full_uses_the_ranker(services: Services) -> None:
    full = services.pipeline.search(SearchQuery(text="running shoes", size=5))
    assert full.ranker_version == 1 and all(h.ranker_score is not None for h in full.hits)
    assert all(h.features is not None and h.features.shape == (18,) for h in full.hits)
    bm25 = services.pipeline.search(SearchQuery(text="running shoes", size=5, method="bm25"))
    assert bm25.ranker_version is None and all(h.signals.dense_rank is None for h in bm25.hits)
    assert services.inference.text.batches == [len(CATALOG), 1]  # bm25 did not call the encoder


def test_query_embeddings_are_cached(services: Services) -> None:
    calls = len(services.inference.text.batches)
    for _ in range(3):
        services.pipeline.search(SearchQuery(text="chef knife"))
    assert len(services.inference.text.batches) == calls + 1


def test_lexical_failure_degrades_to_dense(services: Services) -> None:
    services.lexical.down = True
    outcome = services.pipeline.search(SearchQuery(text="running shoes", size=3))
    assert outcome.degraded == ["lexical"] and len(outcome.hits) == 3
    with pytest.raises(BackendUnavailable):
        services.pipeline.search(SearchQuery(text="running shoes", method="bm25"))


def test_encoder_or_ranker_failure_degrades_to_what_still_answers(services: Services) -> None:
    services.inference.encoder_down = True
    outcome = services.pipeline.search(SearchQuery(text="running", size=3))
    assert outcome.degraded == ["dense"] and len(outcome.hits) == 3 and outcome.ranker_version == 1
    with pytest.raises(BackendUnavailable):
        services.pipeline.search(SearchQuery(text="running shoes", method="dense"))
    services.lexical.down = True  # neither side can answer
    with pytest.raises(BackendUnavailable):
        services.pipeline.search(SearchQuery(text="running shoes"))
    services.lexical.down = False
    services.inference.encoder_down = False
    services.inference.prior.down = True
    outcome = services.pipeline.search(SearchQuery(text="running shoes", size=3))
    assert outcome.degraded == ["ranker"] and outcome.ranker_version is None
    assert [h.rank for h in outcome.hits] == [1, 2, 3] and all(h.ranker_score is None for h in outcome.hits)


@pytest.mark.parametrize("text", ["", "   \t", "x" * 65])
def test_invalid_queries(services: Services, text: str) -> None:
    with pytest.raises(InvalidInput):
        services.pipeline.search(SearchQuery(text=text))


def test_unknown_facet_is_invalid(services: Services) -> None:
    with pytest.raises(InvalidInput):
        services.pipeline.search(SearchQuery(text="knife", facets=("colour",)))


def test_an_unfiltered_search_gets_dense_candidates_and_range_from_one_pass(services, monkeypatch) -> None:
    """Over a FAISS store with its int8 copy built, an unfiltered text search takes its dense candidates
    and the match set's range search from one pass over the vectors, and answers as the index search
    and the range search made apart do; a filtered search still makes them apart."""
    monkeypatch.setattr(range_scan, "MIN_ROWS", 1)  # an int8 copy for this small catalog too,
    monkeypatch.setattr(range_scan, "_MAX_CANDIDATE_SHARE", 1.0)  # used whatever share of it may match
    fake = services.catalog.stores["text"]
    store = FaissVectorStore(fake.dim, "hnsw")
    store.add(list(fake.vectors), np.stack(list(fake.vectors.values())))
    services.catalog.stores["text"] = store
    store.within_scores(np.ones(fake.dim, dtype=np.float32), 0.5)  # builds the copy, int8 behind it
    deadline = time.monotonic() + 30
    while not store._matrix.scanner.quantised and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.02)
    calls: Counter[str] = Counter()
    for name in ("nearest_and_within", "search", "within_scores"):
        real = getattr(store, name)
        monkeypatch.setattr(store, name, _counted(real, name, calls))

    query = SearchQuery(text="running shoes", size=10)
    one = services.pipeline.search(query)
    assert calls == {"nearest_and_within": 1}
    monkeypatch.setattr(store, "nearest_and_within", lambda *a, **k: None)  # the two searches apart
    apart = services.pipeline.search(query)
    assert calls == {"nearest_and_within": 1, "search": 1, "within_scores": 1}
    assert [h.product_id for h in one.hits] == [h.product_id for h in apart.hits] and one.hits
    assert one.total == apart.total and one.total > 0
    # the same dense scores (equal ones may swap dense ranks: the graph orders ties its own way)
    scores = {h.product_id: h.signals.dense_score for h in apart.hits}
    assert {h.product_id: h.signals.dense_score for h in one.hits} == pytest.approx(scores, abs=1e-6)

    services.pipeline.search(SearchQuery(text="running shoes", filters=Filters(category=("Sports",))))
    assert calls == {"nearest_and_within": 1, "search": 2, "within_scores": 2}


def _counted(fn, name: str, calls: Counter[str]):
    def call(*args, **kwargs):
        calls[name] += 1
        return fn(*args, **kwargs)

    return call


def test_a_store_without_range_search_bounds_the_semantic_side_by_its_own_depth(tmp_path: Path) -> None:
    # The fake vector store has no range search (like OpenSearch k-NN): the semantic side of the match
    # set is its top `semantic_list_depth`, however few dense candidates fusion weighs.
    def dense_search(semantic_list_depth: int):
        config = PipelineConfig(
            max_query_chars=64,
            dense_depth=2,
            semantic_list_depth=semantic_list_depth,
            semantic_threshold=0.01,
        )
        built = make_services(tmp_path / str(semantic_list_depth), config=config)
        try:
            return built.pipeline.search(SearchQuery(text="kitchen knife", method="dense", size=10))
        finally:
            built.close()

    shallow, deep = dense_search(2), dense_search(8)
    assert shallow.total == 2 and deep.total == 3  # three products share a word with the query
    assert {h.product_id for h in deep.hits} == {"p4", "p5", "p6"}
