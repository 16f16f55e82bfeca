"""Fusion math on candidate columns: RRF, linear with min-max / z-score, exact fill scores, adaptive
weights, title match."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.pipeline import fusion
from engine.pipeline.fusion import FusionConfig, fuse
from engine.pipeline.rank import gather
from engine.ranking.features import SignalColumns
from engine.records import ScoredId


def ids(*pairs: tuple[str, float]) -> list[ScoredId]:
    return [ScoredId(pid, score) for pid, score in pairs]


LEX = ids(("a", 10.0), ("b", 6.0), ("c", 2.0))
DENSE = ids(("b", 0.9), ("d", 0.8), ("a", 0.5))
NAN = float("nan")


def by_id(columns: SignalColumns, values: np.ndarray) -> dict[str, float]:
    return {pid: float(v) for pid, v in zip(columns.ids, values, strict=True) if not math.isnan(v)}


def test_gather_puts_every_candidate_on_one_row() -> None:
    columns = gather({"lexical": LEX, "dense": DENSE})
    assert columns.ids == ["a", "b", "c", "d"]
    assert columns.lexical_rank.tolist() == [1, 2, 3, 0]
    assert columns.dense_rank.tolist() == [3, 1, 0, 2]
    assert by_id(columns, columns.dense_score) == {"a": 0.5, "b": 0.9, "d": 0.8}
    with pytest.raises(ValueError, match="unknown candidate list"):
        gather({"bm42": LEX})


def test_rrf_sums_reciprocal_ranks_with_k_60() -> None:
    columns = gather({"lexical": LEX, "dense": DENSE})
    ranks = {"lexical": columns.lexical_rank, "dense": columns.dense_rank}
    scores = by_id(columns, fusion.rrf(ranks))
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 63)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["c"] == pytest.approx(1 / 63)
    assert scores["d"] == pytest.approx(1 / 62)
    weighted = by_id(columns, fusion.rrf(ranks, {"lexical": 2.0, "dense": 0.0}))
    assert weighted == {"a": pytest.approx(2 / 61), "b": pytest.approx(2 / 62), "c": pytest.approx(2 / 63)}


def test_minmax_and_zscore_normalisation() -> None:
    normed = fusion.normalise(np.array([10.0, 6.0, 2.0, NAN]), "minmax")
    assert normed.tolist() == [1.0, 0.5, 0.0, 0.0]  # unknown -> the floor, 0
    z = fusion.normalise(np.array([3.0, NAN, 1.0]), "zscore")
    assert z.tolist() == [1.0, -1.0, -1.0]  # unknown -> the lowest z-score
    assert fusion.normalise(np.array([4.0, 4.0, NAN]), "minmax").tolist() == [1.0, 1.0, 0.0]
    assert fusion.normalise(np.array([NAN, NAN]), "minmax").tolist() == [0.0, 0.0]
    with pytest.raises(ValueError):
        fusion.normalise(np.array([1.0]), "softmax")


def test_linear_weights_normalised_scores_and_uses_fill() -> None:
    columns = gather({"lexical": LEX, "dense": DENSE})
    weights = {"lexical": 0.5, "dense": 0.5}
    scores = by_id(
        columns, fusion.linear({"lexical": columns.lexical_score, "dense": columns.dense_score}, weights)
    )
    # dense min-max over (0.9, 0.8, 0.5): b=1, d=0.75, a=0; c missing -> floor 0
    assert scores["a"] == pytest.approx(0.5 * 1.0 + 0.5 * 0.0)
    assert scores["b"] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)
    assert scores["c"] == pytest.approx(0.0)
    assert scores["d"] == pytest.approx(0.5 * 0.75)
    # An exact dense score for c (0.7, a fill: rank stays 0) joins the normalisation instead of the floor.
    columns.dense_score[columns.ids.index("c")] = 0.7
    filled = by_id(
        columns, fusion.linear({"lexical": columns.lexical_score, "dense": columns.dense_score}, weights)
    )
    assert filled["c"] == pytest.approx(0.5 * (0.7 - 0.5) / 0.4)
    hits = fuse(columns, "linear", weights)
    assert hits[0].signals.dense_score == pytest.approx(0.9)
    assert next(h for h in hits if h.product_id == "c").signals.dense_rank is None


def test_fuse_orders_deterministically_and_keeps_signals() -> None:
    hits = fuse(gather({"lexical": LEX, "dense": DENSE}), "rrf", {"lexical": 1.0, "dense": 1.0})
    assert [h.product_id for h in hits] == ["b", "a", "d", "c"]
    assert [h.rank for h in hits] == [1, 2, 3, 4]
    b = hits[0].signals
    assert (b.lexical_rank, b.dense_rank, b.lexical_score, b.dense_score) == (2, 1, 6.0, 0.9)
    assert b.fused_score == pytest.approx(1 / 62 + 1 / 61) == hits[0].fused_score
    tie = fuse(gather({"lexical": ids(("z", 1.0), ("y", 1.0))}), "bm25", {})
    assert [h.product_id for h in tie] == ["y", "z"]
    only_dense = fuse(gather({"lexical": LEX, "dense": DENSE}), "dense", {})
    assert [h.product_id for h in only_dense] == ["b", "d", "a"]
    image = ids(("c", 0.95), ("d", 0.1))
    dense_and_image = fuse(gather({"dense": DENSE, "image": image}), "dense", {})
    assert [h.product_id for h in dense_and_image] == ["c", "b", "d", "a"]  # d keeps its better dense score
    assert fuse(gather({}), "full", {"lexical": 1.0}) == []


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
    plain = {h.product_id: h.fused_score for h in fuse(gather(lists), "linear", weights)}
    columns = gather(lists)
    bonus = np.zeros(len(columns))
    bonus[columns.ids.index("d")] = 1.0
    boosted = fuse(columns, "full", weights, bonus=bonus)
    assert boosted[0].product_id == "d"
    assert boosted[0].signals.fused_score == pytest.approx(plain["d"] + 1.0)
    rrf_order = [h.product_id for h in fuse(gather(lists), "rrf", weights, bonus=bonus)]
    assert rrf_order == [h.product_id for h in fuse(gather(lists), "rrf", weights)]


def test_title_match() -> None:
    from engine.ranking.features import TitleMatcher, tokenize

    assert TitleMatcher(tokenize("three wheeled bike"))("Schwinn Three Wheeled Bike, Red") == (1.0, 1.0)
    assert TitleMatcher(tokenize("bike three"))("Three wheeled bike") == (1.0, 0.0)
    assert TitleMatcher(tokenize("red boots"))("Rain boots") == (0.5, 0.0)
    assert TitleMatcher([])("anything") == (0.0, 0.0)
    overlap, phrase = TitleMatcher(tokenize("red boots")).many(["Red boots", None, "Rain boots"])
    assert overlap[0] == 1.0 and phrase[0] == 1.0 and math.isnan(overlap[1]) and math.isnan(phrase[1])
    assert (overlap[2], phrase[2]) == (0.5, 0.0)


def test_title_match_of_many_titles_is_the_matcher_per_title() -> None:
    from engine.ranking.features import TitleMatcher, tokenize

    titles = ["Red boots, red", None, "Rain boots", "boots red", "", "RED BOOTS for rain", "red red boots"]
    for query in ("red boots", "boots", "red red", "rain", "", "x y z"):
        matcher = TitleMatcher(tokenize(query))
        overlap, phrase = matcher.many(titles)
        for i, title in enumerate(titles):
            if title is None:
                assert math.isnan(overlap[i]) and math.isnan(phrase[i])
            else:
                assert (overlap[i], phrase[i]) == matcher(title), (query, title)


def test_fused_order_breaks_ties_by_product_id_only_where_scores_tie() -> None:
    lexical = ids(("m", 3.0), ("z", 2.0), ("a", 2.0), ("k", 1.0), ("b", 1.0))
    hits = fuse(gather({"lexical": lexical}), "bm25", {})
    assert [h.product_id for h in hits] == ["m", "a", "z", "b", "k"]
    assert [(h.rank, h.fused_rank) for h in hits] == [(i, i) for i in range(1, 6)]
    assert [h.fused_score for h in hits] == [3.0, 2.0, 2.0, 1.0, 1.0]
    distinct = fuse(gather({"lexical": ids(("z", 3.0), ("a", 1.0), ("m", 2.0))}), "bm25", {})
    assert [h.product_id for h in distinct] == ["z", "m", "a"]
    assert all(h.ranker_score is None and h.features is None and h.relevance is None for h in distinct)
    assert distinct[1].signals.lexical_score == 2.0
