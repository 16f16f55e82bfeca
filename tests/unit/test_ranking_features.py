"""The ranker's feature vector: fixed names and order, and what each feature measures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.ranking.features import (
    FEATURE_NAMES,
    CandidateSignals,
    QueryContext,
    SignalColumns,
    TitleMatcher,
    build_features,
    text_terms,
    tokenize,
)
from engine.ranking.stats import ClickStats
from engine.records import Product

EXPECTED = [
    "lexical_score",
    "lexical_rrf",
    "lexical_present",
    "dense_score",
    "dense_rrf",
    "dense_present",
    "fused_score",
    "title_overlap",
    "title_phrase",
    "brand_match",
    "category_match",
    "log_price",
    "log_popularity",
    "ctr",
    "query_ctr",
    "user_affinity",
    "image_score",
    "available",
]


def col(rows: np.ndarray, name: str) -> list[float]:
    return [float(x) for x in rows[:, FEATURE_NAMES.index(name)]]


def test_feature_names_are_the_model_contract() -> None:
    assert list(FEATURE_NAMES) == EXPECTED


def test_features_per_candidate() -> None:
    products = {
        "a": Product(
            "a",
            "Acme red running shoes",
            brand="Acme",
            category=("Sports", "Shoes"),
            price=99.0,
            popularity=9.0,
        ),
        "b": Product("b", "Blue shoes", brand="Zeta", category=("Sports",), availability="out_of_stock"),
    }
    cands = [
        CandidateSignals(
            "a", lexical_score=8.0, lexical_rank=1, dense_score=0.8, dense_rank=2, fused_score=3.0
        ),
        CandidateSignals("b", dense_score=0.6, dense_rank=1, fused_score=1.0, image_score=0.4),
        CandidateSignals("gone", lexical_score=4.0, lexical_rank=2, fused_score=2.0),
    ]
    user = np.array([1.0, 0.0], dtype=np.float32)
    vectors = {"a": np.array([0.6, 0.8], dtype=np.float32), "b": np.array([0.0, 1.0], dtype=np.float32)}
    rows = build_features(QueryContext("Acme running shoes", user_vector=user), cands, products, vectors)
    assert rows.shape == (3, 18) and rows.dtype == np.float32
    assert col(rows, "lexical_score") == [1.0, 0.0, 0.5]
    assert col(rows, "lexical_present") == [1.0, 0.0, 1.0]
    assert col(rows, "lexical_rrf") == pytest.approx([1 / 61, 0.0, 1 / 62])
    assert col(rows, "dense_present") == [1.0, 1.0, 0.0]
    assert col(rows, "dense_rrf") == pytest.approx([1 / 62, 1 / 61, 0.0])
    assert col(rows, "fused_score") == pytest.approx([1.0, 0.0, 0.5])
    assert col(rows, "title_overlap") == pytest.approx([1.0, 1 / 3, 0.0])
    assert col(rows, "title_phrase") == [0.0, 0.0, 0.0]  # "acme running shoes" is not contiguous in a
    assert col(rows, "brand_match") == [1.0, 0.0, 0.0]
    assert col(rows, "category_match") == pytest.approx([1 / 3, 0.0, 0.0])
    assert col(rows, "log_price") == pytest.approx([math.log1p(99.0), 0.0, 0.0])
    assert col(rows, "log_popularity") == pytest.approx([math.log1p(9.0), 0.0, 0.0])
    assert col(rows, "user_affinity") == pytest.approx([0.6, 0.0, 0.0])
    assert col(rows, "image_score") == pytest.approx([0.0, 0.4, 0.0])
    assert col(rows, "available") == [1.0, 0.0, 0.0]
    phrase = build_features(QueryContext("red running"), cands[:1], products)
    assert col(phrase, "title_phrase") == [1.0]


def test_click_rates_are_smoothed_towards_the_prior() -> None:
    from engine.events.base import Event, Impression

    stats = ClickStats(alpha=1.0, beta=9.0)
    prior = stats.ctr("a")
    assert prior == pytest.approx(0.1)
    for i in range(10):
        stats.observe_impression(Impression(f"s{i}", 0.0, "Shoes", ("a", "b"), (1, 2), 1))
    for i in range(5):
        stats.observe_event(Event(f"e{i}", "click", "a", 0.0, search_id=f"s{i}"))
    stats.observe_event(Event("dup", "add_to_cart", "a", 0.0, search_id="s0"))  # same examination as s0
    assert stats.ctr("a") == pytest.approx((5 + 1) / (10 + 10))
    assert stats.query_ctr(" shoes ", "a") == pytest.approx((5 + 1) / (10 + 10))
    assert stats.query_ctr("boots", "a") == pytest.approx(prior)
    assert stats.ctr("b") == pytest.approx(1 / 20)
    assert stats.ctr("b") < prior
    assert stats.action_count("a") == 5 + 3
    products = {"a": Product("a", "Trail shoes", popularity=2.0)}
    rows = build_features(QueryContext("shoes", click_rates=stats.ctrs), [CandidateSignals("a")], products)
    assert col(rows, "ctr") == pytest.approx([0.3]) and col(rows, "query_ctr") == pytest.approx([0.3])


def test_global_click_signals_do_not_follow_a_product_into_queries_it_does_not_match() -> None:
    """Clicks on the shoes under "shoes" must not lift them in a search for "lamp" (nor half-lift them
    in one for "shoes lamp")."""
    from engine.events.base import Event, Impression

    stats = ClickStats(alpha=1.0, beta=9.0)
    for i in range(10):
        stats.observe_impression(Impression(f"s{i}", 0.0, "shoes", ("a",), (1,), 1))
        stats.observe_event(Event(f"e{i}", "purchase", "a", 0.0, search_id=f"s{i}"))
    products = {"a": Product("a", "Trail shoes", popularity=2.0)}
    user = np.array([1.0, 0.0], dtype=np.float32)
    vectors = {"a": np.array([1.0, 0.0], dtype=np.float32)}

    def row(query: str) -> np.ndarray:
        context = QueryContext(
            query,
            user_vector=user,
            click_rates=stats.ctrs,
            popularity=stats.action_count,
            click_prior=stats.prior_rate,
        )
        return build_features(context, [CandidateSignals("a")], products, vectors)

    shoes, lamp, both = row("shoes"), row("lamp"), row("shoes lamp")
    assert col(shoes, "ctr")[0] > 0.5 and col(shoes, "log_popularity")[0] == pytest.approx(math.log1p(2 + 50))
    assert col(shoes, "user_affinity") == pytest.approx([1.0])
    # No textual match: exactly what a product nobody clicked looks like.
    assert col(lamp, "ctr") == pytest.approx([stats.prior_rate]) and col(lamp, "query_ctr") == pytest.approx(
        [0.1]
    )
    assert col(lamp, "log_popularity") == pytest.approx([math.log1p(2.0)]) and col(lamp, "user_affinity") == [
        0.0
    ]
    # Half a match: half the evidence.
    assert col(both, "ctr")[0] == pytest.approx(0.1 + 0.5 * (col(shoes, "ctr")[0] - 0.1))
    assert col(both, "user_affinity") == pytest.approx([0.5])


def test_tokenize_handles_any_script_without_accents() -> None:
    # A query typed without accents matches the title that has them; kana keep their voicing marks.
    assert tokenize("Ça coûte 10€ — 東京 café") == ["ca", "coute", "10", "東京", "cafe"]
    assert tokenize("İPEK YASTIK KILIFI") == tokenize("ipek yastık kılıfı") == ["ipek", "yastik", "kilifi"]
    assert tokenize("ガス コンロ") == ["ガス", "コンロ"]


def test_a_title_matches_a_query_typed_without_its_accents() -> None:
    overlap, phrase = TitleMatcher(tokenize("cift kisilik yastik")).many_terms(
        [text_terms("Çift Kişilik Yastık"), text_terms("Tek Kişilik Yastık")]
    )
    assert list(overlap) == [1.0, 2 / 3] and list(phrase) == [1.0, 0.0]


def test_signal_columns_round_trip_and_feed_the_same_features() -> None:
    cands = [
        CandidateSignals("a", lexical_score=8.0, lexical_rank=1, fused_score=3.0, title_match=(0.25, 0.0)),
        CandidateSignals("b", dense_score=0.6, dense_rank=1, fused_score=1.0, image_score=0.4),
    ]
    columns = SignalColumns.of(cands)
    assert [columns.signals(i) for i in range(2)] == cands
    flipped = columns.take([1, 0])
    assert flipped.ids == ["b", "a"] and flipped.signals(0) == cands[1]
    products = {"a": Product("a", "Acme shoes"), "b": Product("b", "Blue shoes")}
    context = QueryContext("acme shoes")
    assert np.array_equal(
        build_features(context, columns, products), build_features(context, cands, products)
    )
    # A title match fusion already made is used as is, not recomputed from the title.
    assert col(build_features(context, columns, products), "title_overlap") == [0.25, 0.5]


def test_a_ranked_hit_reads_its_row_or_carries_its_signals() -> None:
    from engine.pipeline.types import RankedHit

    columns = SignalColumns.of(
        [CandidateSignals("a", fused_score=0.5), CandidateSignals("b", fused_score=0.2)]
    )
    hit = RankedHit(columns=columns, row=1, rank=1)
    assert (hit.product_id, hit.fused_score, hit.signals.fused_score) == ("b", 0.2, 0.2)
    own = RankedHit(CandidateSignals("c", fused_score=0.9))
    assert (own.product_id, own.fused_score) == ("c", 0.9)
    with pytest.raises(ValueError):
        RankedHit()


def test_catalog_features_match_the_row_by_row_definition() -> None:
    """Every catalog column, and the gating by query match, for products with and without a title
    match computed by fusion, and a candidate whose product is gone."""
    products = {
        "a": Product("a", "Acme red shoes", brand="Acme", category=("Shoes",), price=9.5, popularity=3.0),
        "b": Product("b", "Blue hat", brand="Blue Co", category=("Hats", "Blue"), price=0.0),
        "c": Product("c", "Red shoes red", brand="", availability="preorder", popularity=-1.0),
    }
    columns = SignalColumns.empty(["a", "gone", "b", "c"])
    columns.title_overlap[0], columns.title_phrase[0] = 0.25, 1.0  # fusion's numbers are kept as given
    rows = build_features(
        QueryContext("red shoes blue", popularity=lambda pid: {"a": 2.0, "b": 4.0}.get(pid, 0.0)),
        columns,
        products,
    )
    assert col(rows, "title_overlap") == pytest.approx([0.25, 0.0, 1 / 3, 2 / 3])
    assert col(rows, "title_phrase") == [1.0, 0.0, 0.0, 0.0]  # "blue" is not in c's title
    assert col(rows, "brand_match") == [0.0, 0.0, 0.0, 0.0]
    assert col(rows, "category_match") == pytest.approx([1 / 3, 0.0, 1 / 3, 0.0])
    assert col(rows, "log_price") == pytest.approx([math.log1p(9.5), 0.0, 0.0, 0.0])
    match = [1 / 3, 0.0, 1 / 3, 2 / 3]  # max(title_overlap, brand_match, category_match)
    assert col(rows, "log_popularity") == pytest.approx(
        [math.log1p(3.0 + 2.0 * match[0]), 0.0, math.log1p(4.0 * match[2]), math.log1p(0.0)], rel=1e-6
    )
    assert col(rows, "available") == [1.0, 0.0, 1.0, 1.0]
    brand = build_features(QueryContext("blue co hat"), SignalColumns.empty(["b"]), products)
    assert col(brand, "brand_match") == [1.0]
    none = build_features(QueryContext("", popularity=lambda pid: 5.0), SignalColumns.empty(["a"]), products)
    assert col(none, "title_overlap") == [0.0] and col(none, "log_popularity") == pytest.approx(
        [math.log1p(8.0)]
    )
