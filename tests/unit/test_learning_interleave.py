"""Team-draft interleaving and the sign test."""

from __future__ import annotations

import random

import pytest

from engine.events.base import Impression
from engine.learning.clicks import ClickedList
from engine.learning.interleave import tally, winner
from engine.learning.signtest import sign_test_p
from engine.pipeline.teamdraft import team_draft


def test_team_draft_shows_each_product_once_and_both_rankers_lead() -> None:
    a = ["a1", "a2", "a3", "s1", "s2"]
    b = ["b1", "s1", "b2", "a1", "b3"]
    firsts = set()
    for seed in range(40):
        merged = team_draft(a, b, 6, random.Random(seed))
        assert len(merged.product_ids) == 6 == len(set(merged.product_ids))
        assert len(merged.teams) == 6
        firsts.add(merged.product_ids[0])
        # Team sizes never differ by more than one pick in any prefix.
        for n in range(1, 7):
            prefix = merged.teams[:n]
            assert abs(prefix.count("A") - prefix.count("B")) <= 1
        # Each team's products appear in its ranker's own order.
        for team, ranking in (("A", a), ("B", b)):
            picked = [p for p, t in zip(merged.product_ids, merged.teams, strict=False) if t == team]
            assert picked == sorted(picked, key=ranking.index)
    assert firsts == {"a1", "b1"}


def test_team_draft_stops_when_both_rankings_are_exhausted() -> None:
    merged = team_draft(["x", "y"], ["y", "x"], 10, random.Random(0))
    assert sorted(merged.product_ids) == ["x", "y"]


def test_the_common_prefix_belongs_to_no_team() -> None:
    a = ["x", "y", "a1", "a2"]
    b = ["x", "y", "b1", "a1"]
    for seed in range(20):
        merged = team_draft(a, b, 4, random.Random(seed))
        assert merged.product_ids[:2] == ("x", "y") and merged.teams[:2] == "--"
        assert sorted(merged.teams[2:]) == ["A", "B"]
        assert set(merged.product_ids[2:]) <= {"a1", "b1"}
    # Identical rankings: nothing to compare, every product is shared and no click decides a search.
    same = team_draft(a, a, 4, random.Random(0))
    assert same.product_ids == tuple(a) and same.teams == "----"
    assert winner(same.teams, [0, 1]) is None
    assert winner("--AB", [0, 3]) == "B"


def test_winner_counts_clicks_per_team() -> None:
    assert winner("ABAB", [1, 3]) == "B"
    assert winner("ABAB", [0]) == "A"
    assert winner("ABAB", [0, 1]) is None
    assert winner("ABAB", []) is None


def test_sign_test_matches_the_exact_binomial() -> None:
    assert sign_test_p(0, 0) == 1.0
    assert sign_test_p(15, 5) == pytest.approx(0.04139, abs=1e-4)
    assert sign_test_p(5, 15) == pytest.approx(0.04139, abs=1e-4)
    assert sign_test_p(10, 10) == 1.0
    assert sign_test_p(600, 400) < 1e-9


def _logged(teams: str, clicked: tuple[int, ...], candidate: int) -> ClickedList:
    ids = tuple(f"p{i}" for i in range(len(teams)))
    impression = Impression(
        search_id=f"s{random.random()}",
        timestamp=0.0,
        query="q",
        product_ids=ids,
        positions=tuple(range(1, len(ids) + 1)),
        ranker_version=1,
        extra={"interleaving": {"teams": teams, "candidate": candidate}},
    )
    return ClickedList(impression, clicked)


def test_tally_promotes_only_a_significant_win() -> None:
    lists = [_logged("AB", (1,), 7)] * 30 + [_logged("AB", (0,), 7)] * 10 + [_logged("AB", (), 7)] * 5
    lists += [_logged("AB", (0,), 8)] * 50  # another candidate's test: not counted
    result = tally(lists, candidate=7)
    assert (result.wins, result.losses, result.ties) == (30, 10, 5)
    assert result.significant_win(0.05)
    close = tally([_logged("AB", (1,), 7)] * 12 + [_logged("AB", (0,), 7)] * 10, candidate=7)
    assert not close.significant_win(0.05)
    losing = tally([_logged("AB", (0,), 7)] * 30 + [_logged("AB", (1,), 7)] * 10, candidate=7)
    assert losing.p_value < 0.05 and not losing.significant_win(0.05)
