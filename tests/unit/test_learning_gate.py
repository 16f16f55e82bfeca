"""The validation gate's decisions."""

from __future__ import annotations

import numpy as np

from engine.events.base import Impression
from engine.learning.clicks import ClickedList
from engine.learning.gate import GateConfig, validate
from engine.learning.labelled import LabelledList, load_labelled, save_labelled
from engine.learning.propensity import Propensities

NAMES = ["good", "bad"]
ROWS = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]], dtype=np.float32)  # product 0 is the relevant one
PROPENSITIES = Propensities(theta=(1.0, 0.5, 0.33))


def by(column: int):
    return lambda x: x[:, column]


def clicks(n: int) -> list[ClickedList]:
    return [
        ClickedList(
            Impression(
                search_id=f"s{i}",
                timestamp=0.0,
                query="q",
                product_ids=("a", "b", "c"),
                positions=(1, 2, 3),
                ranker_version=1,
                features=tuple(map(tuple, ROWS)),
                feature_names=tuple(NAMES),
            ),
            (0,),
        )
        for i in range(n)
    ]


CHECK = [LabelledList("q1", "q", ("a", "b", "c"), ROWS, {"a": 4.0, "b": 1.0, "c": 1.0})]


def test_better_on_clicks_and_labels_is_accepted() -> None:
    result = validate(by(0), by(1), clicks(30), PROPENSITIES, NAMES, check_set=CHECK)
    assert result.accepted and result.reasons == []
    assert result.clicks["candidate"] > result.clicks["serving"]
    assert result.ndcg["candidate"] == 1.0 > result.ndcg["serving"]


def test_worse_on_clicks_is_rejected() -> None:
    result = validate(by(1), by(0), clicks(30), PROPENSITIES, NAMES)
    assert not result.accepted and "IPS click estimate" in result.reasons[0]


def test_worse_on_the_check_set_is_rejected_even_if_clicks_tie() -> None:
    result = validate(
        by(1),
        by(1),
        clicks(30),
        PROPENSITIES,
        NAMES,
        check_set=[LabelledList("q1", "q", ("a", "b", "c"), ROWS[::-1].copy(), CHECK[0].grades)],
    )
    assert result.accepted  # equal on both: "at least as good"
    result = validate(
        by(1), by(0), [], PROPENSITIES, NAMES, check_set=CHECK, config=GateConfig(min_holdout_clicks=0)
    )
    assert not result.accepted
    assert any("check-set nDCG@10" in r for r in result.reasons)


def test_too_few_held_out_clicks_is_no_evidence() -> None:
    result = validate(by(0), by(1), clicks(5), PROPENSITIES, NAMES)
    assert not result.accepted and "only 5 held-out clicks" in result.reasons[0]


def test_tolerance_allows_a_small_loss() -> None:
    strict = validate(by(1), by(0), clicks(30), PROPENSITIES, NAMES)
    loose = validate(by(1), by(0), clicks(30), PROPENSITIES, NAMES, config=GateConfig(click_tolerance=1.0))
    assert not strict.accepted and loose.accepted


def test_check_set_round_trip_reorders_features(tmp_path) -> None:
    path = tmp_path / "checkset.jsonl"
    save_labelled(path, CHECK, NAMES, 1.0)
    lists, names, min_grade = load_labelled(path, ["bad", "good", "new"])
    assert names == ["bad", "good", "new"] and min_grade == 1.0
    assert lists[0].features.tolist() == [[0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [1.0, 0.0, 0.0]]
    assert lists[0].grades == CHECK[0].grades
