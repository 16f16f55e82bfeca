"""Fusion math: RRF, linear with min-max / z-score, exact fill scores, adaptive weights."""

from __future__ import annotations

import math

import pytest

from engine.pipeline import fusion
from engine.pipeline.fusion import FusionConfig
from engine.pipeline.rank import fuse
from engine.records import ScoredId


def ids(*pairs: tuple[str, float]) -> list[ScoredId]:
    return [ScoredId(pid, score) for pid, score in pairs]


LEX = ids(("a", 10.0), ("b", 6.0), ("c", 2.0))
DENSE = ids(("b", 0.9), ("d", 0.8), ("a", 0.5))


def test_rrf_sums_reciprocal_ranks_with_k_60() -> None:
    scores = fusion.rrf({"lexical": LEX, "dense": DENSE})
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 63)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["c"] == pytest.approx(1 / 63)
    assert scores["d"] == pytest.approx(1 / 62)
    weighted = fusion.rrf({"lexical": LEX, "dense": DENSE}, {"lexical": 2.0, "dense": 0.0})
    assert weighted == {"a": pytest.approx(2 / 61), "b": pytest.approx(2 / 62), "c": pytest.approx(2 / 63)}


def test_minmax_and_zscore_normalisation() -> None:
    normed, floor = fusion.normalise({"a": 10.0, "b": 6.0, "c": 2.0}, "minmax")
    assert normed == {"a": 1.0, "b": 0.5, "c": 0.0} and floor == 0.0
    z, zfloor = fusion.normalise({"a": 3.0, "b": 1.0}, "zscore")
    assert z == {"a": 1.0, "b": -1.0} and zfloor == -1.0
    assert fusion.normalise({"a": 4.0, "b": 4.0}, "minmax")[0] == {"a": 1.0, "b": 1.0}
    with pytest.raises(ValueError):
        fusion.normalise({"a": 1.0}, "softmax")


def test_linear_weights_normalised_scores_and_uses_fill() -> None:
    scores = fusion.linear({"lexical": LEX, "dense": DENSE}, {"lexical": 0.5, "dense": 0.5})
    # dense min-max over (0.9, 0.8, 0.5): b=1, d=0.75, a=0; c missing -> floor 0
    assert scores["a"] == pytest.approx(0.5 * 1.0 + 0.5 * 0.0)
    assert scores["b"] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)
    assert scores["c"] == pytest.approx(0.0)
    assert scores["d"] == pytest.approx(0.5 * 0.75)
    # An exact dense score for c (0.7) joins the normalisation instead of the floor.
    filled = fusion.linear(
        {"lexical": LEX, "dense": DENSE}, {"lexical": 0.5, "dense": 0.5}, fill={"dense": {"c": 0.7}}
    )
    assert filled["c"] == pytest.approx(0.5 * (0.7 - 0.5) / 0.4)


def test_fuse_orders_deterministically_and_keeps_signals() -> None:
    hits = fuse({"lexical": LEX, "dense": DENSE}, "rrf", {"lexical": 1.0, "dense": 1.0})
    assert [h.product_id for h in hits] == ["b", "a", "d", "c"]
    assert [h.rank for h in hits] == [1, 2, 3, 4]
    b = hits[0].signals
    assert (b.lexical_rank, b.dense_rank, b.lexical_score, b.dense_score) == (2, 1, 6.0, 0.9)
    tie = fuse({"lexical": ids(("z", 1.0), ("y", 1.0))}, "bm25", {})
    assert [h.product_id for h in tie] == ["y", "z"]
    only_dense = fuse({"lexical": LEX, "dense": DENSE}, "dense", {})
    assert [h.product_id for h in only_dense] == ["b", "d", "a"]


def test_adaptive_weights_shift_is_bounded() -> None:
    config = FusionConfig(lexical_weight=0.5, dense_weight=0.5, max_shift=0.2)
    steep = ids(*[(f"p{i}", 10.0 if i == 0 else 1.0) for i in range(10)])
    part_number = fusion.adaptive_weights("bosch gsr 18v-28", steep, config)
    assert part_number["lexical"] > 0.5 > part_number["dense"]
    assert part_number["lexical"] - 0.5 <= 0.2 + 1e-9
    flat = ids(*[(f"p{i}", 1.0) for i in range(10)])
    prose = fusion.adaptive_weights("comfortable shoes for a long walk in the city", flat, config)
    assert prose["dense"] > 0.5 > prose["lexical"]
    fixed = fusion.adaptive_weights("x1", steep, FusionConfig(adaptive=False))
    assert fixed == FusionConfig().weights()
    assert all(math.isfinite(v) and v >= 0 for v in part_number.values())


def test_bonus_is_added_to_linear_fusion_only() -> None:
    lists = {"lexical": LEX, "dense": DENSE}
    weights = {"lexical": 0.5, "dense": 0.5}
    plain = {h.product_id: h.signals.fused_score for h in fuse(lists, "linear", weights)}
    boosted = fuse(lists, "full", weights, bonus={"d": 1.0, "unknown": 5.0})
    assert boosted[0].product_id == "d"
    assert boosted[0].signals.fused_score == pytest.approx(plain["d"] + 1.0)
    assert "unknown" not in {h.product_id for h in boosted}
    rrf_order = [h.product_id for h in fuse(lists, "rrf", weights, bonus={"d": 1.0})]
    assert rrf_order == [h.product_id for h in fuse(lists, "rrf", weights)]


def test_title_match() -> None:
    from engine.ranking.features import TitleMatcher, tokenize

    assert TitleMatcher(tokenize("three wheeled bike"))("Schwinn Three Wheeled Bike, Red") == (1.0, 1.0)
    assert TitleMatcher(tokenize("bike three"))("Three wheeled bike") == (1.0, 0.0)
    assert TitleMatcher(tokenize("red boots"))("Rain boots") == (0.5, 0.0)
    assert TitleMatcher([])("anything") == (0.0, 0.0)
